package rules_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

func TestSoDAcrossSameAs(t *testing.T) {
	tests := []struct {
		name   string
		sameAs []string
		want   bool
	}{
		{name: "linked accounts are one actor", sameAs: []string{"ann"}, want: true},
		{name: "unlinked accounts are two actors", sameAs: nil, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			// ann maintains vendors in the ERP; her bank login releases payment runs.
			d.IdentityList = append(d.IdentityList, graph.Identity{ID: "ann-bank", Type: schema.IdentityHuman,
				Status: schema.StatusActive, SameAs: tt.sameAs, Purpose: "bank login", LastUsedAt: daysAgo(1)})
			d.GrantList = append(d.GrantList, grant("ann-bank", schema.ActionApprove, "erp:payrun"))
			d.CredentialList = append(d.CredentialList, graph.Credential{ID: "c-ann-bank", Identity: "ann-bank",
				Type: schema.CredFederated, Systems: []string{"erp"}, CreatedAt: daysAgo(10)})
			fs := evaluate(t, d, "")
			var got *rules.Finding
			for i := range fs {
				if fs[i].Rule == "SOD-P2P-01" {
					got = &fs[i]
				}
			}
			if !tt.want {
				require.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			require.Equal(t, []string{"ann", "ann-bank"}, got.Actor)
			require.True(t, got.Effective)
			require.Equal(t, "ann", got.Conflict.A.Identity)
			require.Equal(t, "ann-bank", got.Conflict.B.Identity)
			require.Len(t, got.Paths, 2)
			require.Contains(t, got.Frameworks, "NIST-CSF-2.0:PR.AA-05")
			require.Contains(t, got.Frameworks, "COSO-2013:P10")
		})
	}
}

// A human who can read the vault path holding svc's password inherits svc's
// functions (R3b): posting JEs through svc plus her own approve is a conflict.
func TestSoDThroughExposure(t *testing.T) {
	tests := []struct {
		name   string
		action schema.Action
		want   bool
	}{
		{name: "read on the secret exposes it", action: schema.ActionRead, want: true},
		{name: "write on the secret does not", action: schema.ActionWrite, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			d.GrantList = append(d.GrantList, grant("ann", schema.ActionApprove, "erp:je"), grant("ann", tt.action, "vault:svc"))
			f := find(evaluate(t, d, ""), "SOD-R2R-01", "ann")
			if !tt.want {
				require.Nil(t, f)
				return
			}
			require.NotNil(t, f)
			require.True(t, f.Effective)
			require.Equal(t, []string{"ann"}, f.Actor)
			edges := []schema.EdgeKind{}
			for _, h := range f.Paths[0] {
				edges = append(edges, h.Edge)
			}
			require.Contains(t, edges, schema.EdgeStoredIn)
		})
	}
}

func TestFindingIDsAreStable(t *testing.T) {
	d := base()
	d.GrantList = append(d.GrantList, grant("svc", schema.ActionApprove, "erp:je"))
	a, b := evaluate(t, d, ""), evaluate(t, base2(d), "")
	require.Equal(t, a, b)
	seen := map[string]bool{}
	for _, f := range a {
		require.False(t, seen[f.ID], "duplicate id %s", f.ID)
		seen[f.ID] = true
	}
}

// base2 returns d with its records in reverse order: ids must not depend on load order.
func base2(d *graph.Dataset) *graph.Dataset {
	c := *d
	rev := func(g []graph.Grant) []graph.Grant {
		out := make([]graph.Grant, len(g))
		for i := range g {
			out[len(g)-1-i] = g[i]
		}
		return out
	}
	c.GrantList = rev(d.GrantList)
	return &c
}

func TestSuppressions(t *testing.T) {
	d := base()
	d.CredentialList[1].Vaulted = false
	yaml := func(expires string) []byte {
		return []byte("suppressions:\n  - {rule: HYG-STATIC-UNVAULTED, identity: svc, owner: GL lead, reason: vault migration Q1, expires: " + expires + "}\n")
	}
	tests := []struct {
		name       string
		expires    string
		suppressed bool
	}{
		{name: "live suppression applies", expires: "2026-12-31", suppressed: true},
		{name: "expired suppression is ignored", expires: "2026-10-01", suppressed: false},
		{name: "expiring at as_of is ignored", expires: "2026-10-31", suppressed: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := evaluate(t, d, "")
			sups, err := rules.ParseSuppressions(yaml(tt.expires))
			require.NoError(t, err)
			rules.Suppress(fs, sups, asOf)
			f := find(fs, "HYG-STATIC-UNVAULTED", "svc")
			require.NotNil(t, f)
			require.Equal(t, tt.suppressed, f.Suppressed != nil)
			require.Equal(t, !tt.suppressed, rules.Failing(fs[indexOf(fs, f.ID):indexOf(fs, f.ID)+1], schema.SeverityInfo))
		})
	}
	t.Run("owner and expiry are required", func(t *testing.T) {
		_, err := rules.ParseSuppressions([]byte("suppressions:\n  - {rule: X}\n"))
		require.ErrorContains(t, err, "owner and reason")
		require.ErrorContains(t, err, "expires")
	})
	t.Run("by finding id", func(t *testing.T) {
		fs := evaluate(t, d, "")
		f := find(fs, "HYG-STATIC-UNVAULTED", "svc")
		rules.Suppress(fs, []rules.Suppression{{ID: f.ID, Owner: "o", Reason: "r", Expires: asOf.Add(time.Hour)}}, asOf)
		require.NotNil(t, find(fs, "HYG-STATIC-UNVAULTED", "svc").Suppressed)
	})
}

func indexOf(fs []rules.Finding, id string) int {
	for i := range fs {
		if fs[i].ID == id {
			return i
		}
	}
	return -1
}

func TestRulesFileOverridesAndExtends(t *testing.T) {
	d := base()
	d.CredentialList[1].LastRotatedAt = daysAgo(40)
	tests := []struct {
		name  string
		extra string
		rule  string
		want  bool
	}{
		{name: "default threshold 90 days", extra: "version: 1\n", rule: "HYG-ROTATION-OVERDUE", want: false},
		{name: "threshold lowered to 30", extra: "version: 1\nsettings: {rotation_days: 30}\n", rule: "HYG-ROTATION-OVERDUE", want: true},
		{name: "rule disabled by override", extra: "version: 1\nsettings: {rotation_days: 30}\nrules:\n  - {id: HYG-ROTATION-OVERDUE, kind: hygiene, check: rotation_overdue, severity: low, disabled: true}\n",
			rule: "HYG-ROTATION-OVERDUE", want: false},
		{name: "custom toxic rule", extra: "version: 1\nrules:\n  - {id: X-SVC-WRITES, kind: toxic_path, severity: low, title: t, when: 'identity.type == \"service_account\" && access.action == \"write\" && access.resource_kind == \"journal_entry\"'}\n",
			rule: "X-SVC-WRITES", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, find(evaluate(t, d, tt.extra), tt.rule, "svc") != nil)
		})
	}
}

func TestRulesFileErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{name: "unknown field", file: "version: 1\nbogus: 1\n", want: "bogus"},
		{name: "bad cel", file: "version: 1\nrules:\n  - {id: X, kind: toxic_path, severity: low, when: 'identity.'}\n", want: "when"},
		{name: "unknown function", file: "version: 1\nrules:\n  - {id: X, kind: sod, severity: low, sod: {a: nope, b: je_post}}\n", want: "unknown function"},
		{name: "unknown check", file: "version: 1\nrules:\n  - {id: X, kind: hygiene, severity: low, check: nope}\n", want: "unknown check"},
		{name: "bad severity", file: "version: 1\nrules:\n  - {id: X, kind: hygiene, severity: urgent, check: break_glass}\n", want: "severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.Load([]byte(tt.file))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestSoDManyFunctions: with more SoD functions than one word of the
// per-access function sets holds (64), every rule still finds what it finds
// alone. The built-in SoD rules are evaluated next to copies of themselves
// over renamed copies of their functions, numbered past 64, on a generated
// estate; each copy must give its original's conflicts.
func TestSoDManyFunctions(t *testing.T) {
	d, e := reachtest.Generated(t, "XS", 8)
	rs, err := rules.Builtin()
	require.NoError(t, err)
	var sods []rules.Rule
	for _, r := range rs.Rules {
		if r.Kind == rules.KindSoD {
			sods = append(sods, r)
		}
	}
	require.NotEmpty(t, sods)
	many := *rs
	many.Functions = maps.Clone(rs.Functions)
	many.Rules = slices.Clone(rs.Rules)
	for i := range 70 { // unused functions first, so the copies' indexes pass 64
		many.Functions[fmt.Sprintf("zz_unused_%02d", i)] = rules.Function{Title: "unused",
			Select: []rules.Selector{{Actions: []schema.Action{schema.ActionRead}, Kinds: []string{"none"}}}}
		many.Rules = append(many.Rules, rules.Rule{ID: fmt.Sprintf("X-UNUSED-%02d", i), Kind: rules.KindSoD, Title: "u",
			Severity: schema.SeverityLow, SoD: &rules.SoD{A: fmt.Sprintf("zz_unused_%02d", i), B: "je_post"}})
	}
	for _, r := range sods {
		c := r
		c.ID = "COPY-" + r.ID
		sd := *r.SoD
		sd.A, sd.B = "copy_"+sd.A, "copy_"+sd.B
		c.SoD = &sd
		many.Functions[sd.A], many.Functions[sd.B] = rs.Functions[r.SoD.A], rs.Functions[r.SoD.B]
		many.Rules = append(many.Rules, c)
	}
	require.NoError(t, many.Validate())
	fs, err := rules.Evaluate(context.Background(), rules.Snapshot{Engine: e, Data: d}, &many)
	require.NoError(t, err)
	type side struct{ identity, a, b string }
	got := map[string][]side{}
	for _, f := range fs {
		if f.Conflict != nil {
			got[f.Rule] = append(got[f.Rule], side{f.Identity, f.Conflict.A.Resource + " " + string(f.Conflict.A.Action),
				f.Conflict.B.Resource + " " + string(f.Conflict.B.Action)})
		}
	}
	fired := 0
	for _, r := range sods {
		require.Equal(t, got[r.ID], got["COPY-"+r.ID], r.ID)
		if len(got[r.ID]) > 0 {
			fired++
		}
	}
	require.GreaterOrEqual(t, fired, 5, "most built-in SoD rules fire on the estate")
	for i := range 70 {
		require.Empty(t, got[fmt.Sprintf("X-UNUSED-%02d", i)])
	}
}
