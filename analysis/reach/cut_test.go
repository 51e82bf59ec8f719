package reach_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/schema"
)

func cutStrings(f reach.Fix) []string {
	out := make([]string, len(f.Cut))
	for i, h := range f.Cut {
		out[i] = hopString(h)
	}
	return out
}

// Hand-checked minimum cuts and choke points.
func TestCut(t *testing.T) {
	asOf := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := func() *tb {
		return newTB().sys("erp", true).res("je", "erp", "").res("vault", "erp", "").
			ident("x", true).ident("svc", true).group("g1").group("g2").group("g3").group("g4")
	}
	cases := []struct {
		name   string
		b      *tb
		action schema.Action
		cut    []string
		choke  []string
	}{
		{
			// Two routes join in g3, which holds the only grant: removing that one grant cuts both.
			name: "diamond joins in one grant",
			b: base().member("x", "g1").member("x", "g2").member("g1", "g3").member("g2", "g3").
				grant("g3", schema.ActionWrite, "je"),
			action: schema.ActionWrite,
			cut:    []string{`"g3" -GRANT-> "je" [write "g3:write"]`},
			choke:  []string{"g3"},
		},
		{
			// Two disjoint routes: two edges, the ones nearest the identity; no choke point.
			name: "two disjoint routes",
			b: base().member("x", "g1").member("x", "g2").
				grant("g1", schema.ActionWrite, "je").grant("g2", schema.ActionAdmin, "erp"),
			action: schema.ActionWrite,
			cut:    []string{`"x" -MEMBER_OF-> "g1"`, `"x" -MEMBER_OF-> "g2"`},
			choke:  []string{},
		},
		{
			// g4 holds two grants covering je (on je and on its system): cutting
			// them takes two edges, the single membership one.
			name: "parallel grants cost two",
			b: base().member("x", "g4").
				grant("g4", schema.ActionWrite, "je").grant("g4", schema.ActionAdmin, "erp"),
			action: schema.ActionWrite,
			cut:    []string{`"x" -MEMBER_OF-> "g4"`},
			choke:  []string{"g4"},
		},
		{
			// Exposure: x reads svc's key from the vault; the key and svc are
			// choke points, the read grant (first in the cut order) is cut.
			name: "exposure",
			b: base().cred("k", "svc", "vault", "erp").grant("x", schema.ActionRead, "vault").
				grant("svc", schema.ActionApprove, "je"),
			action: schema.ActionApprove,
			cut:    []string{`"x" -GRANT-> "vault" [read "x:read"]`},
			choke:  []string{"k", "svc"},
		},
		{
			name:   "no authorization",
			b:      base().member("x", "g1"),
			action: schema.ActionWrite,
			cut:    []string{},
			choke:  []string{},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _, err := buildEngine(c.b.d, asOf)
			require.NoError(t, err)
			f, err := e.Cut("x", "je", c.action)
			require.NoError(t, err)
			require.Equal(t, c.cut, cutStrings(f))
			require.Equal(t, c.choke, f.ChokePoints)
			if len(c.cut) > 0 {
				// Paths must pass through every choke point.
				ps, err := e.Paths(context.Background(), "x", "je", c.action, 10)
				require.NoError(t, err)
				require.NotEmpty(t, ps)
				for _, p := range ps {
					on := map[string]bool{}
					for _, h := range p {
						on[h.From], on[h.To] = true, true
					}
					for _, n := range c.choke {
						require.True(t, on[n], "path %s misses choke point %s", pathString(p), n)
					}
				}
			}
		})
	}
	_, err := func() (reach.Fix, error) {
		e, _, err := buildEngine(base().d, asOf)
		require.NoError(t, err)
		return e.Cut("nobody", "je", schema.ActionWrite)
	}()
	require.ErrorIs(t, err, reach.ErrUnknownNode)
}

// A Cutter, which searches forwards from the identity once and backwards
// from each target only through what the identity reaches, gives the same
// fix as Cut for every identity, resource and action of random graphs
// (cycles, credentials in vault paths, delegations, validity windows), its
// forward searches reused across targets and identities in any order.
func TestCutterMatchesCut(t *testing.T) {
	compared, nonEmpty := 0, 0
	for seed := uint64(1); seed <= 150; seed++ {
		d := genGraph(seed, genOpts{})
		e, _, err := buildEngine(d, refAsOf)
		require.NoError(t, err)
		c := e.Cutter()
		for _, r := range d.ResourceList {
			for _, id := range d.IdentityList {
				for _, a := range schema.Actions {
					want, werr := e.Cut(id.ID, r.ID, a)
					got, gerr := c.Cut(id.ID, r.ID, a)
					require.Equal(t, werr, gerr)
					require.Equal(t, want, got, "seed %d: %s → %s %s\n%s", seed, id.ID, r.ID, a, dumpDataset(d))
					compared++
					if len(want.Cut) > 0 {
						nonEmpty++
					}
				}
			}
		}
		c.Close()
	}
	require.Greater(t, nonEmpty, compared/20, "enough of the triples have a cut to compare (%d of %d)", nonEmpty, compared)
	t.Logf("%d triples, %d with a cut", compared, nonEmpty)
}
