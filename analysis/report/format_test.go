package report_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/report"
	"github.com/reachgraph/reachgraph/schema"
)

func TestFormatPathNativeAndWindow(t *testing.T) {
	p := analysis.Path{
		{From: "alice", Edge: schema.EdgeCanActAs, To: "svc", Kind: schema.DelegImpersonate, Native: "SU01"},
		{From: "svc", Edge: schema.EdgeGrant, To: "sap:je", Action: schema.ActionWrite, Native: "F_BKPF", Conditional: true,
			ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	require.Equal(t, `alice -CAN_ACT_AS(impersonate "SU01")-> svc -GRANT(write "F_BKPF", conditional)[until 2027-01-01]-> sap:je`,
		report.FormatPath(p))
	p[1].Conditional, p[1].ExpiresAt, p[0].Native = false, time.Time{}, ""
	require.Equal(t, `alice -CAN_ACT_AS(impersonate)-> svc -GRANT(write "F_BKPF")-> sap:je`, report.FormatPath(p))
	p[1].Native = "a\"b"
	require.Contains(t, report.FormatPath(p), `GRANT(write "a\"b")`, "a quote in native text is escaped")
}

func TestFormatAuth(t *testing.T) {
	exp := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	require.Equal(t, "session in sap via credential c-1 (password, expires 2027-01-01)", report.FormatAuth(&analysis.Authentication{
		System: "sap", Via: "credential", Credential: "c-1", CredentialType: schema.CredentialType("password"), ExpiresAt: &exp}))
	require.Equal(t, "session in bank via delegation a -> b", report.FormatAuth(&analysis.Authentication{
		System: "bank", Via: "delegation", Delegation: "a -> b"}))
	require.Empty(t, report.FormatAuth(nil))
}
