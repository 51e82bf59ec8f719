package report_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/schema"
)

func TestFormatPathConditionalGrant(t *testing.T) {
	p := analysis.Path{
		{From: "alice", Edge: schema.EdgeCanActAs, To: "svc", Kind: schema.DelegImpersonate, Native: "SU01"},
		{From: "svc", Edge: schema.EdgeGrant, To: "sap:je", Action: schema.ActionWrite, Native: "F_BKPF", Conditional: true},
	}
	require.Equal(t, "alice -CAN_ACT_AS(impersonate)-> svc -GRANT(write, conditional)-> sap:je", report.FormatPath(p))
	p[1].Conditional = false
	require.Equal(t, "alice -CAN_ACT_AS(impersonate)-> svc -GRANT(write)-> sap:je", report.FormatPath(p))
}
