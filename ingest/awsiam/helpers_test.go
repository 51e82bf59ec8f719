package awsiam_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// load ingests paths with the aws-iam reader and fails the test on problems.
func load(t *testing.T, paths ...string) *graph.Dataset {
	t.Helper()
	return loadWith(t, "", paths...)
}

// loadWith is load with the aws-iam configuration file config.
func loadWith(t *testing.T, config string, paths ...string) *graph.Dataset {
	t.Helper()
	st := &storetest.Capture{}
	var srcs []ingest.Source
	for _, p := range paths {
		srcs = append(srcs, ingest.Source{Path: p, Format: ingest.FormatAWSIAM})
	}
	_, err := ingest.Load(context.Background(), st, srcs, ingest.Options{
		Readers: ingest.Readers{AWSIAM: awsiam.NewReader(config)},
		Now:     func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	require.NoError(t, err)
	return st.Data
}

// engine builds the reach engine over a loaded dataset.
func engine(t *testing.T, d *graph.Dataset) *reach.Engine {
	t.Helper()
	return reachtest.Engine(t, d, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
}

// whoCan is the set of identities reaching action on resource, with their
// first evidence path.
func whoCan(t *testing.T, e *reach.Engine, a schema.Action, res string) map[string]analysis.Access {
	t.Helper()
	return reachtest.WhoCan(t, e, a, res)
}

func hasGrant(d *graph.Dataset, principal string, a schema.Action, res string) *graph.Grant {
	for i := range d.GrantList {
		g := &d.GrantList[i]
		if g.Principal == principal && g.Action == a && g.Resource == res {
			return g
		}
	}
	return nil
}

// natives lists the native strings of principal's grants of a on res.
func natives(d *graph.Dataset, principal string, a schema.Action, res string) []string {
	var out []string
	for _, g := range d.GrantList {
		if g.Principal == principal && g.Action == a && g.Resource == res {
			out = append(out, g.Native)
		}
	}
	return out
}

func hasDelegation(d *graph.Dataset, from, to string, k schema.DelegationKind) bool {
	for _, x := range d.DelegationList {
		if x.From == from && x.To == to && x.Kind == k {
			return true
		}
	}
	return false
}

func membership(m, g string) graph.Membership { return graph.Membership{Member: m, Group: g} }

func parseFile(t *testing.T, path string) (*awsiam.Report, []awsiam.Problem, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return awsiam.ParseReport(data)
}

// nativeWho answers whocan --native: identity → access.
func nativeWho(t *testing.T, e *reach.Engine, action, resource string) map[string]analysis.Access {
	t.Helper()
	match, class, err := iam.Request(action, resource)
	require.NoError(t, err)
	out := map[string]analysis.Access{}
	scope := e.MostSpecific(func(id string) bool { return iam.CoversARN(id, resource) })
	accs, err := e.WhoCanNative(context.Background(), reach.NativeQuery{Match: match, Resource: resource, Native: action, Action: class, Scope: scope})
	require.NoError(t, err)
	for _, a := range accs {
		out[a.Identity] = a
	}
	return out
}
