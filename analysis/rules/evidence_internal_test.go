package rules

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// TestWantsPaths: with the built-in rules, an access needs its evidence
// when it is critical, in an SoD function, an admin (the AWS rules), or of
// an identity a rule reading identity fields alone holds for (the AWS
// "reachgraph:warning" tag); a plain read of an untagged identity does not.
// The identity-only outcomes are decided before the search.
func TestWantsPaths(t *testing.T) {
	snap := generated(t, "XS", 3)
	for _, id := range []string{"quiet", "tagged"} {
		i := graph.Identity{ID: id, Type: schema.IdentityServiceAccount, Status: schema.StatusActive}
		if id == "tagged" {
			i.Tags = map[string]string{"reachgraph:warning": "managed policy missing"}
		}
		snap.Data.IdentityList = append(snap.Data.IdentityList, i)
	}
	rs, err := Builtin()
	require.NoError(t, err)
	pl, err := newPlan(rs)
	require.NoError(t, err)
	x := newIndex(snap)
	x.indexSoD(pl)
	mm := newMemo(len(pl.toxic))

	var uncritical []string
	for _, ri := range pl.uncritical {
		uncritical = append(uncritical, pl.toxic[ri].r.ID)
	}
	require.Equal(t, []string{"TOX-AWS-ESCALATION-ADMIN", "TOX-AWS-ADMIN-NO-MFA", "TOX-AWS-UNUSED-KEY-ADMIN",
		"TOX-AWS-TRUST-NO-EXTERNALID", "TOX-AWS-UNRESOLVED-POLICY"}, uncritical)

	// A resource and action in some SoD function, and a resource in none.
	var sodRes string
	var sodAct schema.Action
	for r, f := range x.res {
		for ai, fns := range f.fns {
			if fns != nil && sodRes == "" {
				sodRes, sodAct = r, schema.Actions[ai]
			}
		}
	}
	require.NotEmpty(t, sodRes, "the generated estate has SoD resources")

	wants := func(id string, a analysis.Access) bool {
		facts := x.identityFacts(id)
		once := x.identityOutcomes(pl, id, &facts, mm)
		a.Identity = id
		return x.wantsPaths(pl, &facts, once, &a)
	}
	plain := analysis.Access{Resource: "not-a-resource", Action: schema.ActionRead, Authorized: true, Effective: true}
	require.False(t, wants("quiet", plain))
	require.True(t, wants("tagged", plain), "TOX-AWS-UNRESOLVED-POLICY holds for the identity: every access")
	critical := plain
	critical.Critical = true
	require.True(t, wants("quiet", critical))
	admin := plain
	admin.Action = schema.ActionAdmin
	require.True(t, wants("quiet", admin))
	sod := plain
	sod.Resource, sod.Action = sodRes, sodAct
	require.True(t, wants("quiet", sod))

	facts := x.identityFacts("quiet")
	once := x.identityOutcomes(pl, "quiet", &facts, mm)
	for ri := range pl.toxic {
		want := unknown
		if pl.toxic[ri].identityOnly {
			want = fails
		}
		require.Equal(t, want, once[ri], pl.toxic[ri].r.ID)
	}
	facts = x.identityFacts("tagged")
	once = x.identityOutcomes(pl, "tagged", &facts, mm)
	for ri := range pl.toxic {
		if pl.toxic[ri].r.ID == "TOX-AWS-UNRESOLVED-POLICY" {
			require.Equal(t, holds, once[ri])
		}
	}
}
