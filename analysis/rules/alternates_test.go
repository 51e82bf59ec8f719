package rules_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

// reversed returns d with every section in the opposite order.
func reversed(d *graph.Dataset) *graph.Dataset {
	c := *d
	c.SystemList, c.ResourceList = backwards(d.SystemList), backwards(d.ResourceList)
	c.IdentityList, c.GroupList = backwards(d.IdentityList), backwards(d.GroupList)
	c.MembershipList, c.GrantList = backwards(d.MembershipList), backwards(d.GrantList)
	c.CredentialList, c.DelegationList = backwards(d.CredentialList), backwards(d.DelegationList)
	return &c
}

// backwards returns a reversed copy of s.
func backwards[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// findingSet is what a finding is about, per finding: id, rule, severity,
// effective, credential and the accesses it covers.
func findingSet(fs []rules.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%s %s %s eff=%v cred=%s %v", f.ID, f.Rule, f.Severity, f.Effective, f.Credential, f.Accesses)
	}
	slices.Sort(out)
	return out
}

// onPath reports whether identity id is on one of f's evidence paths.
func onPath(f *rules.Finding, id string) bool {
	for _, p := range f.Paths {
		for _, h := range p {
			if h.From == id || h.To == id {
				return true
			}
		}
	}
	return false
}

// TestToxicSeesEveryShortestPath: a toxic rule over "a path" matches when
// any shortest path of the access satisfies it, not only the one the search
// met first, and the findings do not depend on the order of the records.
//
//   - ann posts journal entries through her group g-post (two hops) and,
//     as short, by acting as the shared account ap-shared. The search
//     expands memberships before delegations, so the evidence path is the
//     group's in either order: only the alternate shows the shared account.
//   - bot holds two passwords accepted by the ERP, one rotated ten days ago
//     and one past its rotation: its write is exercised with either, so the
//     stale-credential rule matches whichever the search seeded first.
func TestToxicSeesEveryShortestPath(t *testing.T) {
	d := base()
	d.IdentityList = append(d.IdentityList,
		graph.Identity{ID: "ap-shared", Type: schema.IdentityServiceAccount, Status: schema.StatusActive, Shared: true,
			Purpose: "shared AP login", NonhumanRationale: "legacy", Owners: graph.Owners{Business: "AP lead"}, LastUsedAt: daysAgo(1)},
		graph.Identity{ID: "bot", Type: schema.IdentityBot, Status: schema.StatusActive, Purpose: "posts",
			NonhumanRationale: "RPA", Owners: graph.Owners{Business: "GL lead"}, LastUsedAt: daysAgo(1)},
	)
	d.GroupList = append(d.GroupList, graph.Group{ID: "g-post"})
	d.MembershipList = append(d.MembershipList, graph.Membership{Member: "ann", Group: "g-post"})
	d.DelegationList = append(d.DelegationList, graph.Delegation{From: "ann", To: "ap-shared", Kind: schema.DelegRunAs})
	d.GrantList = append(d.GrantList, grant("g-post", schema.ActionWrite, "erp:je"), grant("ap-shared", schema.ActionWrite, "erp:je"),
		grant("bot", schema.ActionWrite, "erp:je"))
	d.CredentialList = append(d.CredentialList,
		graph.Credential{ID: "c-bot-new", Identity: "bot", Type: schema.CredPassword, Systems: []string{"erp"}, CreatedAt: daysAgo(400),
			LastRotatedAt: daysAgo(10), Vaulted: true},
		graph.Credential{ID: "c-bot-old", Identity: "bot", Type: schema.CredPassword, Systems: []string{"erp"}, CreatedAt: daysAgo(400),
			LastRotatedAt: daysAgo(300), Vaulted: true},
	)
	fwd := evaluate(t, d, "")
	rev := evaluate(t, reversed(d), "")
	require.Equal(t, findingSet(fwd), findingSet(rev), "findings depend on the order of the records")

	for _, fs := range [][]rules.Finding{fwd, rev} {
		f := find(fs, "TOX-SHARED-ON-PATH", "ann")
		require.NotNil(t, f, "ann acts as the shared account on a shortest path to erp:je")
		require.True(t, onPath(f, "ap-shared"), "the evidence is the path through the shared account: %+v", f.Paths)
		require.Equal(t, "erp:je", f.Accesses[0].Resource)

		f = find(fs, "TOX-STALE-CREDENTIAL-ON-PATH", "bot")
		require.NotNil(t, f, "bot can write erp:je with its stale password")
		require.Equal(t, "c-bot-old", f.Credential)
		require.NotNil(t, f.Authentication)
		require.Equal(t, "c-bot-old", f.Authentication.Credential, "the authentication is the matching path's")
	}
}

// TestToxicPathLimitNotice: past maxAlternates (32) other shortest paths,
// Stream says how many accesses the rules reading the path did not see in
// full; under it, it says nothing.
func TestToxicPathLimitNotice(t *testing.T) {
	for _, tc := range []struct{ groups, want int }{{33, 0}, {34, 1}} {
		d := base()
		for i := range tc.groups {
			g := fmt.Sprintf("g-%02d", i)
			d.GroupList = append(d.GroupList, graph.Group{ID: g})
			d.MembershipList = append(d.MembershipList, graph.Membership{Member: "ann", Group: g})
			d.GrantList = append(d.GrantList, grant(g, schema.ActionWrite, "erp:je"))
		}
		p, err := projection.Build(context.Background(), d)
		require.NoError(t, err)
		rs, err := rules.Load()
		require.NoError(t, err)
		calls, got, limit := 0, 0, 0
		_, err = rules.Evaluate(context.Background(), rules.Snapshot{Engine: reach.New(p, asOf), Data: d}, rs,
			rules.WithPathLimitNotice(func(n, l int) { calls++; got, limit = n, l }))
		require.NoError(t, err)
		if tc.want == 0 {
			require.Zero(t, calls, "%d shortest paths: all seen, no notice", tc.groups)
			continue
		}
		require.Equal(t, 1, calls)
		require.Equal(t, tc.want, got, "%d shortest paths to one access", tc.groups)
		require.Equal(t, 32, limit)
	}
}

// TestFinanceReportOrderIndependent: the shipped finance sample gives the
// same findings, covering the same accesses, with its records in the order
// shipped and reversed. Before toxic rules saw every shortest path, the
// reversed order lost three real findings (judy.n approving journal entries
// with the stale, exposed c-sap-batch-pw: TOX-EXPOSED-CREDENTIAL,
// TOX-HUMAN-AS-NHI, TOX-STALE-CREDENTIAL-ON-PATH).
func TestFinanceReportOrderIndependent(t *testing.T) {
	st := &storetest.Capture{}
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: "../../testdata/finance/bundle.yaml", Format: ingest.FormatBundle}},
		ingest.Options{Readers: ingest.Readers{Bundle: bundle.Read}})
	require.NoError(t, err)
	d := st.Data
	asOf := d.Info.CollectedAt
	run := func(d *graph.Dataset) []string {
		p, err := projection.Build(context.Background(), d)
		require.NoError(t, err)
		rs, err := rules.Load()
		require.NoError(t, err)
		fs, err := rules.Evaluate(context.Background(), rules.Snapshot{Engine: reach.New(p, asOf), Data: d}, rs)
		require.NoError(t, err)
		return findingSet(fs)
	}
	fwd, rev := run(d), run(reversed(d))
	require.Equal(t, fwd, rev)
	for _, id := range []string{"f-74fa837f2fa63393", "f-b0bf3f62233a1892", "f-66eab4ba7ae40490"} {
		require.True(t, slices.ContainsFunc(rev, func(s string) bool { return strings.HasPrefix(s, id+" ") }), "finding %s", id)
	}
}
