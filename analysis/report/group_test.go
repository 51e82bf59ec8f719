package report_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
)

func TestGroupsByRootCause(t *testing.T) {
	member := analysis.Hop{From: "bob", Edge: schema.EdgeMemberOf, To: "r-ap"}
	grant := analysis.Hop{From: "r-ap", Edge: schema.EdgeGrant, To: "sap:ap", Action: schema.ActionWrite, Native: "F_LFA1"}
	fs := []rules.Finding{
		{ID: "f-1", Rule: "R1", Identity: "bob", Severity: schema.SeverityHigh, Fix: &reach.Fix{Cut: []analysis.Hop{member}},
			Paths: []analysis.Path{{member, grant}}},
		{ID: "f-2", Rule: "R2", Identity: "bob", Severity: schema.SeverityCritical, Fix: &reach.Fix{Cut: []analysis.Hop{member}},
			Paths: []analysis.Path{{member, grant}}},
		{ID: "f-3", Rule: "R3", Identity: "carol", Severity: schema.SeverityMedium, Paths: []analysis.Path{{grant}}},
		{ID: "f-4", Rule: "R3", Identity: "dave", Severity: schema.SeverityLow, Paths: []analysis.Path{{grant}},
			Suppressed: &rules.Suppression{}},
		{ID: "f-5", Rule: "H1", Identity: "svc", Credential: "c-1", Severity: schema.SeverityHigh},
		{ID: "f-6", Rule: "H2", Identity: "svc", Severity: schema.SeverityLow},
	}
	gs := report.Groups(fs)
	require.Len(t, gs, 4)
	cut := gs[0]
	require.Equal(t, report.CauseCut, cut.Kind)
	require.Equal(t, schema.SeverityCritical, cut.Severity, "a group is as severe as its worst finding")
	require.Equal(t, 2, cut.Count)
	require.Equal(t, []string{"f-1", "f-2"}, cut.Findings)
	require.Equal(t, []string{"bob"}, cut.Identities)
	require.Equal(t, "remove bob -MEMBER_OF-> r-ap", cut.Change)
	byKind := map[string]report.Group{}
	for _, g := range gs {
		byKind[g.Kind] = g
	}
	grants := byKind[report.CauseGrants]
	require.Equal(t, 1, grants.Count)
	require.Equal(t, 1, grants.Suppressed)
	require.Equal(t, []string{"carol", "dave"}, grants.Identities)
	require.Contains(t, grants.Change, `GRANT(write "F_LFA1")`)
	require.Equal(t, []string{"f-5"}, byKind[report.CauseCredential].Findings)
	require.Equal(t, []string{"f-6"}, byKind[report.CauseIdentity].Findings)
	require.Equal(t, gs, report.Groups(fs), "deterministic")
	require.NotEqual(t, gs[0].ID, gs[1].ID)
}
