package reach_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/schema"
)

// TestWhoCanNativeAgreesWithWhoCan: a native query whose matcher accepts
// exactly the grants that cover (r, a) — R2: on r, its ancestors or its
// system, of a or admin — must find the same identities as WhoCan(r, a), with
// the same effectiveness when the covering nodes share r's system (a native
// grant is used in its own target's system). Random graphs of the
// differential test; natives are rewritten to name each grant's target and
// action so the matcher can tell them apart.
func TestWhoCanNativeAgreesWithWhoCan(t *testing.T) {
	n := numSeeds(t, 300)
	compared := 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		d := genGraph(seed, genOpts{})
		sysOf, parent := map[string]string{}, map[string]string{}
		for _, s := range d.SystemList {
			sysOf[s.ID] = s.ID
		}
		for _, r := range d.ResourceList {
			sysOf[r.ID], parent[r.ID] = r.System, r.Parent
		}
		for i := range d.GrantList {
			g := &d.GrantList[i]
			g.Native = g.Resource + "\x00" + string(g.Action)
		}
		e, _, err := buildEngine(d, refAsOf)
		require.NoError(t, err)
		for _, r := range d.ResourceList {
			covering := []string{}
			sameSys := true
			for c := r.ID; c != ""; c = parent[c] {
				covering = append(covering, c)
				sameSys = sameSys && sysOf[c] == r.System
			}
			covering = append(covering, r.System)
			for _, a := range schema.Actions {
				want, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Resource: r.ID, Action: a})
				require.NoError(t, err)
				match := func(native, _ string) (bool, bool) {
					target, act, _ := strings.Cut(native, "\x00")
					return slices.Contains(covering, target) && (act == string(a) || act == string(schema.ActionAdmin)), false
				}
				got, err := e.WhoCanNative(context.Background(), reach.NativeQuery{Match: match, Resource: r.ID, Native: "x:Y", Action: a})
				require.NoError(t, err)
				require.Equal(t, ids(want, false), ids(got, false), "seed %d: authorized for (%s, %s)", seed, r.ID, a)
				if sameSys {
					require.Equal(t, ids(want, true), ids(got, true), "seed %d: effective for (%s, %s)", seed, r.ID, a)
				}
				for _, acc := range got {
					require.False(t, acc.Conditional)
					require.NotEmpty(t, acc.Paths)
				}
				compared++
			}
		}
	}
	require.Greater(t, compared, 1000)
}

// TestWhoCanNativeConditional: an identity that reaches the request only
// through a conditional match is marked conditional; one with a firm path is
// not; EffectiveOnly drops the latent ones.
func TestWhoCanNativeConditional(t *testing.T) {
	d := newTB().sys("aws:1", true).
		ident("firm", true).cred("c-firm", "firm", "", "aws:1").
		ident("cond", true).cred("c-cond", "cond", "", "aws:1").
		ident("latent", true).
		group("g").member("latent", "g").
		grant("firm", schema.ActionWrite, "aws:1").grant("cond", schema.ActionWrite, "aws:1").grant("g", schema.ActionWrite, "aws:1").d
	e, _, err := buildEngine(d, refAsOf)
	require.NoError(t, err)
	match := func(native, system string) (bool, bool) {
		require.Equal(t, "aws:1", system)
		return true, strings.HasPrefix(native, "cond:")
	}
	got, err := e.WhoCanNative(context.Background(), reach.NativeQuery{Match: match, Resource: "arn:x", Native: "s3:PutObject", Action: schema.ActionWrite})
	require.NoError(t, err)
	byID := map[string]analysis.Access{}
	for _, a := range got {
		byID[a.Identity] = a
		require.Equal(t, "arn:x", a.Resource)
		require.Equal(t, "s3:PutObject", a.Native)
	}
	require.Len(t, byID, 3)
	require.False(t, byID["firm"].Conditional)
	require.True(t, byID["firm"].Effective)
	require.True(t, byID["cond"].Conditional)
	require.True(t, byID["cond"].Effective)
	require.False(t, byID["latent"].Effective)
	eff, err := e.WhoCanNative(context.Background(), reach.NativeQuery{Match: match, Resource: "arn:x", Native: "s3:PutObject", Action: schema.ActionWrite, EffectiveOnly: true})
	require.NoError(t, err)
	require.Len(t, eff, 2)
}

func ids(accs []analysis.Access, effectiveOnly bool) []string {
	out := []string{}
	for _, a := range accs {
		if !effectiveOnly || a.Effective {
			out = append(out, a.Identity)
		}
	}
	return out
}
