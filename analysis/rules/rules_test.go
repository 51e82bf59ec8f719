package rules_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

var asOf = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)

func daysAgo(n int) time.Time { return asOf.AddDate(0, 0, -n) }

// base is a small SOX estate: an ERP with journal entries, G/L, vendors and
// payment runs, a vault holding the service account's password, a well-kept
// human (ann) and a well-kept service account (svc) that only posts.
func base() *graph.Dataset {
	no := false
	return &graph.Dataset{
		Info: graph.SnapshotMeta{ID: "s-test", CollectedAt: asOf},
		SystemList: []graph.System{
			{ID: "erp", Kind: "erp", SOXScope: true},
			{ID: "vault", Kind: "vault"},
		},
		ResourceList: []graph.Resource{
			{ID: "erp:je", System: "erp", Kind: "journal_entry"},
			{ID: "erp:gl", System: "erp", Kind: "gl_account"},
			{ID: "erp:vendor", System: "erp", Kind: "vendor_master"},
			{ID: "erp:payrun", System: "erp", Kind: "payment_run"},
			{ID: "erp:sandbox", System: "erp", Kind: "journal_entry", SOXScope: &no},
			{ID: "vault:svc", System: "vault", Kind: "secret"},
		},
		IdentityList: []graph.Identity{
			{ID: "ann", Type: schema.IdentityHuman, Status: schema.StatusActive, Purpose: "AP clerk",
				Owners: graph.Owners{Business: "AP lead", Technical: "IAM"}, LastUsedAt: daysAgo(1)},
			{ID: "svc", Type: schema.IdentityServiceAccount, Status: schema.StatusActive, Purpose: "posts interface JEs",
				NonhumanRationale: "batch interface", Owners: graph.Owners{Business: "GL lead", Technical: "Basis"}, LastUsedAt: daysAgo(1)},
		},
		GrantList: []graph.Grant{
			{Principal: "svc", Action: schema.ActionWrite, Resource: "erp:je", LastUsedAt: daysAgo(1)},
			{Principal: "ann", Action: schema.ActionWrite, Resource: "erp:vendor", LastUsedAt: daysAgo(1)},
		},
		CredentialList: []graph.Credential{
			{ID: "c-ann", Identity: "ann", Type: schema.CredFederated, Systems: []string{"erp", "vault"}, CreatedAt: daysAgo(10)},
			{ID: "c-svc", Identity: "svc", Type: schema.CredPassword, Systems: []string{"erp"}, CreatedAt: daysAgo(400),
				LastRotatedAt: daysAgo(10), Vaulted: true, StoredIn: "vault:svc"},
		},
	}
}

func evaluate(t *testing.T, d *graph.Dataset, extra string) []rules.Finding {
	t.Helper()
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	var files [][]byte
	if extra != "" {
		files = append(files, []byte(extra))
	}
	rs, err := rules.Load(files...)
	require.NoError(t, err)
	fs, err := rules.Evaluate(context.Background(), rules.Snapshot{Engine: reach.New(p, asOf), Data: d}, rs)
	require.NoError(t, err)
	return fs
}

func find(fs []rules.Finding, rule, identity string) *rules.Finding {
	for i := range fs {
		if fs[i].Rule == rule && fs[i].Identity == identity {
			return &fs[i]
		}
	}
	return nil
}

func grant(p string, a schema.Action, r string) graph.Grant {
	return graph.Grant{Principal: p, Action: a, Resource: r, LastUsedAt: daysAgo(1)}
}

func TestBuiltinRules(t *testing.T) {
	tests := []struct {
		name      string
		rule      string
		identity  string
		mutate    func(d *graph.Dataset)
		want      bool
		effective bool
		severity  schema.Severity
	}{
		{name: "sod effective post+approve", rule: "SOD-R2R-01", identity: "svc", want: true, effective: true, severity: schema.SeverityCritical,
			mutate: func(d *graph.Dataset) {
				d.GrantList = append(d.GrantList, grant("svc", schema.ActionApprove, "erp:je"))
			}},
		{name: "sod needs both functions", rule: "SOD-R2R-01", identity: "svc", mutate: func(*graph.Dataset) {}},
		{name: "sod latent when a side cannot connect", rule: "SOD-R2R-01", identity: "svc", want: true, severity: schema.SeverityMedium,
			mutate: func(d *graph.Dataset) {
				d.GrantList = append(d.GrantList, grant("svc", schema.ActionApprove, "erp:je"))
				d.CredentialList[1].Revoked = true
			}},
		{name: "sod payment run counts for payments", rule: "SOD-P2P-01", identity: "ann", want: true, effective: true,
			mutate: func(d *graph.Dataset) {
				d.GrantList = append(d.GrantList, grant("ann", schema.ActionApprove, "erp:payrun"))
			}},
		{name: "sod out of scope kinds do not match", rule: "SOD-P2P-01", identity: "ann",
			mutate: func(d *graph.Dataset) {
				d.GrantList = append(d.GrantList, grant("ann", schema.ActionApprove, "erp:gl"))
			}},
		{name: "toxic nhi approve on sox", rule: "TOX-NHI-APPROVE-SOX", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) {
				d.GrantList = append(d.GrantList, grant("svc", schema.ActionApprove, "erp:je"))
			}},
		{name: "toxic nhi approve outside sox", rule: "TOX-NHI-APPROVE-SOX", identity: "svc",
			mutate: func(d *graph.Dataset) {
				d.GrantList = append(d.GrantList, grant("svc", schema.ActionApprove, "erp:sandbox"))
			}},
		{name: "toxic exposed credential", rule: "TOX-EXPOSED-CREDENTIAL", identity: "ann", want: true, effective: true,
			mutate: func(d *graph.Dataset) {
				d.GrantList = append(d.GrantList, grant("ann", schema.ActionRead, "vault:svc"))
			}},
		{name: "toxic no exposure without read", rule: "TOX-EXPOSED-CREDENTIAL", identity: "ann",
			mutate: func(d *graph.Dataset) {
				d.GrantList = append(d.GrantList, grant("ann", schema.ActionWrite, "vault:svc"))
			}},
		{name: "toxic human as nhi", rule: "TOX-HUMAN-AS-NHI", identity: "ann", want: true, effective: true,
			mutate: func(d *graph.Dataset) {
				d.DelegationList = append(d.DelegationList, graph.Delegation{From: "ann", To: "svc", Kind: schema.DelegImpersonate})
			}},
		{name: "toxic shared on path", rule: "TOX-SHARED-ON-PATH", identity: "ann", want: true, effective: true,
			mutate: func(d *graph.Dataset) {
				d.IdentityList[1].Shared = true
				d.DelegationList = append(d.DelegationList, graph.Delegation{From: "ann", To: "svc", Kind: schema.DelegImpersonate})
			}},
		{name: "toxic shared origin alone is hygiene", rule: "TOX-SHARED-ON-PATH", identity: "svc",
			mutate: func(d *graph.Dataset) { d.IdentityList[1].Shared = true }},
		{name: "toxic break glass on path", rule: "TOX-BREAK-GLASS-ON-PATH", identity: "ann", want: true, effective: true,
			mutate: func(d *graph.Dataset) {
				d.IdentityList[1].BreakGlass = true
				d.DelegationList = append(d.DelegationList, graph.Delegation{From: "ann", To: "svc", Kind: schema.DelegImpersonate})
			}},
		{name: "toxic break glass with controls", rule: "TOX-BREAK-GLASS-ON-PATH", identity: "ann",
			mutate: func(d *graph.Dataset) {
				d.IdentityList[1].BreakGlass = true
				d.IdentityList[1].CompensatingControls = []string{"PAM session recording"}
				d.DelegationList = append(d.DelegationList, graph.Delegation{From: "ann", To: "svc", Kind: schema.DelegImpersonate})
			}},
		{name: "toxic unowned", rule: "TOX-UNOWNED-ON-PATH", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.IdentityList[1].Owners = graph.Owners{} }},
		{name: "toxic owned", rule: "TOX-UNOWNED-ON-PATH", identity: "svc", mutate: func(*graph.Dataset) {}},
		{name: "toxic vendor", rule: "TOX-VENDOR-ON-PATH", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.IdentityList[1].Vendor = "Acme BPO" }},
		{name: "toxic no vendor", rule: "TOX-VENDOR-ON-PATH", identity: "svc", mutate: func(*graph.Dataset) {}},
		{name: "toxic stale credential", rule: "TOX-STALE-CREDENTIAL-ON-PATH", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.CredentialList[1].LastRotatedAt = daysAgo(200) }},
		{name: "toxic fresh credential", rule: "TOX-STALE-CREDENTIAL-ON-PATH", identity: "svc", mutate: func(*graph.Dataset) {}},
		{name: "owner missing", rule: "HYG-OWNER-MISSING", identity: "svc", want: true, effective: true, severity: schema.SeverityHigh,
			mutate: func(d *graph.Dataset) { d.IdentityList[1].Owners.Technical = "" }},
		{name: "owner present", rule: "HYG-OWNER-MISSING", identity: "svc", mutate: func(*graph.Dataset) {}},
		{name: "purpose missing", rule: "HYG-PURPOSE-MISSING", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.IdentityList[1].NonhumanRationale = "" }},
		{name: "purpose present", rule: "HYG-PURPOSE-MISSING", identity: "svc", mutate: func(*graph.Dataset) {}},
		{name: "rotation overdue", rule: "HYG-ROTATION-OVERDUE", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.CredentialList[1].LastRotatedAt = daysAgo(91) }},
		{name: "rotation within own interval", rule: "HYG-ROTATION-OVERDUE", identity: "svc",
			mutate: func(d *graph.Dataset) {
				d.CredentialList[1].LastRotatedAt = daysAgo(91)
				d.CredentialList[1].RotationDays = 180
			}},
		{name: "expired not revoked", rule: "HYG-EXPIRED-UNREVOKED", identity: "svc", want: true,
			mutate: func(d *graph.Dataset) { d.CredentialList[1].ExpiresAt = daysAgo(5) }},
		{name: "expired and revoked", rule: "HYG-EXPIRED-UNREVOKED", identity: "svc",
			mutate: func(d *graph.Dataset) {
				d.CredentialList[1].ExpiresAt = daysAgo(5)
				d.CredentialList[1].Revoked = true
			}},
		{name: "static unvaulted", rule: "HYG-STATIC-UNVAULTED", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.CredentialList[1].Vaulted = false }},
		{name: "static vaulted", rule: "HYG-STATIC-UNVAULTED", identity: "svc", mutate: func(*graph.Dataset) {}},
		{name: "dormant critical", rule: "HYG-DORMANT-CRITICAL", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.IdentityList[1].LastUsedAt = daysAgo(120) }},
		{name: "dormant without critical access", rule: "HYG-DORMANT-CRITICAL", identity: "svc",
			mutate: func(d *graph.Dataset) {
				d.IdentityList[1].LastUsedAt = daysAgo(120)
				d.GrantList[0].Resource = "erp:sandbox"
			}},
		{name: "shared uncontrolled", rule: "HYG-SHARED-UNCONTROLLED", identity: "ann", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.IdentityList[0].Shared = true }},
		{name: "shared controlled", rule: "HYG-SHARED-UNCONTROLLED", identity: "ann",
			mutate: func(d *graph.Dataset) {
				d.IdentityList[0].Shared = true
				d.IdentityList[0].CompensatingControls = []string{"named check-out"}
			}},
		{name: "break glass", rule: "HYG-BREAK-GLASS", identity: "svc", want: true, effective: true,
			mutate: func(d *graph.Dataset) { d.IdentityList[1].BreakGlass = true }},
		{name: "break glass controlled", rule: "HYG-BREAK-GLASS", identity: "svc",
			mutate: func(d *graph.Dataset) {
				d.IdentityList[1].BreakGlass = true
				d.IdentityList[1].CompensatingControls = []string{"firefighter log review"}
			}},
		{name: "unused grant", rule: "HYG-UNUSED-GRANT", identity: "ann", want: true, severity: schema.SeverityMedium,
			mutate: func(d *graph.Dataset) { d.GrantList[1].LastUsedAt = daysAgo(100) }},
		{name: "used grant", rule: "HYG-UNUSED-GRANT", identity: "ann", mutate: func(*graph.Dataset) {}},
		{name: "unused grant not valid yet", rule: "HYG-UNUSED-GRANT", identity: "ann",
			mutate: func(d *graph.Dataset) {
				d.GrantList[1].LastUsedAt = daysAgo(100)
				d.GrantList[1].ValidFrom = daysAgo(-1)
			}},
		{name: "latent critical", rule: "HYG-LATENT-CRITICAL", identity: "svc", want: true,
			mutate: func(d *graph.Dataset) { d.CredentialList[1].Revoked = true }},
		{name: "no latent critical", rule: "HYG-LATENT-CRITICAL", identity: "svc", mutate: func(*graph.Dataset) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.mutate(d)
			f := find(evaluate(t, d, ""), tt.rule, tt.identity)
			if !tt.want {
				require.Nil(t, f, "unexpected finding: %+v", f)
				return
			}
			require.NotNil(t, f, "no %s finding for %s", tt.rule, tt.identity)
			require.Equal(t, tt.effective, f.Effective)
			if tt.severity != "" {
				require.Equal(t, tt.severity, f.Severity)
			}
			require.NotEmpty(t, f.Frameworks)
			require.Regexp(t, `^f-[0-9a-f]{16}$`, f.ID)
		})
	}
}

func TestBuiltinShipsAllSoDPairs(t *testing.T) {
	rs, err := rules.Builtin()
	require.NoError(t, err)
	require.NoError(t, rs.Validate())
	var got []string
	for _, r := range rs.Rules {
		if r.Kind == rules.KindSoD {
			got = append(got, r.ID)
		}
	}
	// standards.md §4.6, in table order.
	want := []string{"SOD-R2R-01", "SOD-R2R-02", "SOD-R2R-03", "SOD-R2R-04", "SOD-P2P-01", "SOD-P2P-02", "SOD-P2P-03",
		"SOD-P2P-04", "SOD-P2P-05", "SOD-P2P-06", "SOD-P2P-07", "SOD-O2C-01", "SOD-O2C-02", "SOD-O2C-03", "SOD-O2C-04",
		"SOD-TRE-01", "SOD-H2R-01", "SOD-ITG-01", "SOD-ITG-02", "SOD-ITG-03"}
	require.Equal(t, want, got)
	for _, r := range rs.Rules {
		for _, f := range append(r.Frameworks, r.AIFrameworks...) {
			require.Regexp(t, `^(OWASP-NHI:NHI([1-9]|10):2025|NIST-CSF-2\.0:[A-Z]{2}\.[A-Z]{2}-\d\d|NIST-AI-RMF-1\.0:(GOVERN|MAP|MEASURE|MANAGE) \d+\.\d+|NIST-SP-800-53r5:[A-Z]{2}-\d+(\(\d+\))?|CIS-v8\.1:\d+\.\d+|CIS-AWS-3\.0\.0:\d+\.\d+|ISO-27001:2022:A\.\d+\.\d+|PCAOB:AS \d{4}(\.[A-Z]?\d+)?|COSO-2013:P\d+)$`, f, "rule %s", r.ID)
		}
	}
}

// TestConfusableID: ids with bidi controls, zero-width or control
// characters are flagged, naming the id they read as when it exists; plain
// ids (Unicode letters included) are not.
func TestConfusableID(t *testing.T) {
	d := base()
	for _, id := range []string{"bidi\u202egpj.exe", "ann\u200b", "row\nforged", "zoë"} {
		d.IdentityList = append(d.IdentityList, graph.Identity{ID: id, Type: schema.IdentityHuman, Status: schema.StatusActive})
	}
	fs := evaluate(t, d, "")
	for id, want := range map[string]string{
		"bidi\u202egpj.exe": `"bidi\u202egpj.exe" has bidirectional controls in its id; it reads as "bidigpj.exe"`,
		"ann\u200b":         `"ann\u200b" has zero-width characters in its id; it reads as "ann", another identity`,
		"row\nforged":       `"row\nforged" has control characters in its id; it reads as "rowforged"`,
	} {
		f := find(fs, "HYG-CONFUSABLE-ID", id)
		require.NotNil(t, f, "%q is flagged", id)
		require.Equal(t, want, f.Message)
		require.Equal(t, schema.Category("confusable_id"), f.Category)
	}
	for _, id := range []string{"zoë", "ann", "svc"} {
		require.Nil(t, find(fs, "HYG-CONFUSABLE-ID", id), "%q is plain", id)
	}
}

// TestTrustLogin: an effective critical access whose session comes from a
// credential of type trust (PostgreSQL pg_hba trust: no secret needed) is a
// finding; the same access through a password is not.
func TestTrustLogin(t *testing.T) {
	d := base()
	d.IdentityList = append(d.IdentityList, graph.Identity{ID: "etl", Type: schema.IdentityServiceAccount, Status: schema.StatusActive,
		Purpose: "loads JEs", NonhumanRationale: "batch", Owners: graph.Owners{Business: "GL", Technical: "DBA"}})
	d.GrantList = append(d.GrantList, graph.Grant{Principal: "etl", Action: schema.ActionWrite, Resource: "erp:je"})
	d.CredentialList = append(d.CredentialList, graph.Credential{ID: "c-etl", Identity: "etl", Type: "trust", Systems: []string{"erp"}})
	fs := evaluate(t, d, "")
	f := find(fs, "TOX-TRUST-LOGIN", "etl")
	require.NotNil(t, f)
	require.True(t, f.Effective)
	require.Equal(t, "c-etl", f.Credential)
	require.Nil(t, find(fs, "TOX-TRUST-LOGIN", "svc"), "svc logs in with a password")
}
