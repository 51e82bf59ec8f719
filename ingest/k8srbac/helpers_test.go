package k8srbac_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/k8srbac"
	"github.com/reachgraph/reachgraph/schema"
)

const (
	td  = "testdata/k8s-rbac/"
	sys = "k8s:cluster"
)

// tryLoad ingests paths with the k8s-rbac reader and configuration config
// ("" for none); the store is untouched when err is not nil.
func tryLoad(config string, paths ...string) (*storetest.Capture, error) {
	st := &storetest.Capture{}
	var srcs []ingest.Source
	for _, p := range paths {
		srcs = append(srcs, ingest.Source{Path: p, Format: ingest.FormatK8sRBAC})
	}
	_, err := ingest.Load(context.Background(), st, srcs, ingest.Options{
		Readers: ingest.Readers{K8sRBAC: k8srbac.NewReader(config)},
		Now:     func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	return st, err
}

// load ingests paths and fails the test on any problem.
func load(t *testing.T, paths ...string) *graph.Dataset {
	t.Helper()
	st, err := tryLoad("", paths...)
	require.NoError(t, err)
	return st.Data
}

// problems ingests paths expecting invalid input, and returns the problems.
func problems(t *testing.T, config string, paths ...string) []ingest.Problem {
	t.Helper()
	st, err := tryLoad(config, paths...)
	require.Error(t, err)
	require.Nil(t, st.Data, "nothing is stored")
	var ve *ingest.ValidationError
	require.True(t, errors.As(err, &ve), "want a validation error, got %v", err)
	return ve.Problems
}

func engine(t *testing.T, d *graph.Dataset) *reach.Engine {
	t.Helper()
	return reachtest.Engine(t, d, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

// whoCan is the set of identities authorized for action on resource, with
// their access.
func whoCan(t *testing.T, d *graph.Dataset, a schema.Action, res string) map[string]analysis.Access {
	t.Helper()
	require.True(t, hasResource(d, res), "resource %s exists", res)
	return reachtest.WhoCan(t, engine(t, d), a, res)
}

func hasResource(d *graph.Dataset, id string) bool {
	for _, r := range d.ResourceList {
		if r.ID == id {
			return true
		}
	}
	return id == sys
}

// grantsOf lists the grants of principal (every principal when "").
func grantsOf(d *graph.Dataset, principal string) []graph.Grant {
	var out []graph.Grant
	for _, g := range d.GrantList {
		if principal == "" || g.Principal == principal {
			out = append(out, g)
		}
	}
	return out
}

// hasGrant reports whether principal holds action (or admin) on res directly.
func hasGrant(d *graph.Dataset, principal string, a schema.Action, res string) bool {
	for _, g := range d.GrantList {
		if g.Principal == principal && g.Resource == res && (g.Action == a || g.Action == schema.ActionAdmin) {
			return true
		}
	}
	return false
}

func isMember(d *graph.Dataset, m, g string) bool {
	return slices.Contains(d.MembershipList, graph.Membership{Member: m, Group: g})
}

// delegationsFrom maps the targets of from's CAN_ACT_AS edges to their kinds.
func delegationsFrom(d *graph.Dataset, from string) map[string][]schema.DelegationKind {
	out := map[string][]schema.DelegationKind{}
	for _, x := range d.DelegationList {
		if x.From == from {
			out[x.To] = append(out[x.To], x.Kind)
		}
	}
	return out
}

func sa(ns, name string) string { return sys + ":sa:" + ns + "/" + name }
func user(name string) string   { return sys + ":user:" + name }
func group(name string) string  { return sys + ":group:" + name }
func ns(name string) string     { return sys + ":ns:" + name }
func crb(name string) string    { return sys + ":clusterrolebinding:" + name }
func rb(nsName string) string   { return sys + ":rolebinding:" + nsName }
