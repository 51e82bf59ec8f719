package vault_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/k8srbac"
	"github.com/reachgraph/reachgraph/ingest/vault"
	"github.com/reachgraph/reachgraph/schema"
)

// fixture is the export written from the public docs' examples.
const fixture = "../../testdata/vault"

// asOf is the instant of analysis of the tests: after the fixture's
// AppRole secret id expired (2026-11-30T10:34:23Z).
var asOf = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// tryLoad ingests srcs (vault unless a source says otherwise) with the
// vault reader r.
func tryLoad(r *vault.Reader, srcs ...ingest.Source) (*storetest.Capture, error) {
	st := &storetest.Capture{}
	for i := range srcs {
		if srcs[i].Format == "" {
			srcs[i].Format = ingest.FormatVault
		}
	}
	_, err := ingest.Load(context.Background(), st, srcs, ingest.Options{
		Readers: ingest.Readers{Vault: r.Read, K8sRBAC: k8srbac.Read},
		Now:     func() time.Time { return asOf },
	})
	return st, err
}

// load ingests dir and fails the test on any problem.
func load(t *testing.T, dir string) *graph.Dataset {
	t.Helper()
	st, err := tryLoad(vault.New(""), ingest.Source{Path: dir})
	require.NoError(t, err)
	return st.Data
}

// problems ingests dir expecting invalid input, and returns the problems.
func problems(t *testing.T, config, dir string) []ingest.Problem {
	t.Helper()
	st, err := tryLoad(vault.New(config), ingest.Source{Path: dir})
	require.Error(t, err)
	require.Nil(t, st.Data, "nothing is stored")
	var ve *ingest.ValidationError
	require.True(t, errors.As(err, &ve), "want a validation error, got %v", err)
	return ve.Problems
}

// whoCan is the set of identities authorized for action on res.
func whoCan(t *testing.T, d *graph.Dataset, a schema.Action, res string) map[string]analysis.Access {
	t.Helper()
	return reachtest.WhoCan(t, reachtest.Engine(t, d, asOf), a, res)
}

// effective is the sorted ids of the effective accesses of a whoCan answer.
func effective(m map[string]analysis.Access) []string {
	var out []string
	for id, a := range m {
		if a.Effective {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// grantsOn lists the grants on res.
func grantsOn(d *graph.Dataset, res string) []graph.Grant {
	var out []graph.Grant
	for _, g := range d.GrantList {
		if g.Resource == res {
			out = append(out, g)
		}
	}
	return out
}

// grantsOf lists the grants of principal.
func grantsOf(d *graph.Dataset, principal string) []graph.Grant {
	var out []graph.Grant
	for _, g := range d.GrantList {
		if g.Principal == principal {
			out = append(out, g)
		}
	}
	return out
}
