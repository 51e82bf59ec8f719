package vault_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach/reachtest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/vault"
	"github.com/reachgraph/reachgraph/schema"
)

const (
	sys        = "vault:prod"
	rfcFI      = sys + ":path:secret/data/sap/rfc_fi"
	rfcCO      = sys + ":path:secret/data/sap/rfc_co"
	payroll    = sys + ":path:secret/data/sap/hr/payroll_rfc"
	saConn     = "k8s:cluster:sa:finance/sap-connector"
	ghSubject  = "oidc:https://token.actions.githubusercontent.com:sub:repo:acme/sap-connector:ref:refs/heads/main"
	ghClaims   = "oidc:https://token.actions.githubusercontent.com:claims:repository=acme/myproject"
	roleConn   = sys + ":role:kubernetes/sap-connector"
	roleDeploy = sys + ":role:jwt/sap-deploy"
	roleBatch  = sys + ":role:approle/payments-batch"
	holder     = sys + ":approle:approle/payments-batch"
)

// The answers below were worked out by hand from the fixture's policies
// and roles (testdata/vault), applying Vault's rules: the most specific
// path rule of a policy decides, deny wins.
func TestFixtureWhoCan(t *testing.T) {
	d := load(t, fixture)
	tests := []struct {
		name      string
		action    schema.Action
		resource  string
		want      []string
		effective []string
	}{
		{
			// sap-reader's secret/data/sap/* (held by the kubernetes and jwt
			// roles and so by their subjects); sap-admin's exact rule on
			// rfc_fi gives create/update only, so the AppRole cannot read it.
			name: "read rfc_fi", action: schema.ActionRead, resource: rfcFI,
			want:      []string{saConn, ghSubject, roleDeploy, roleConn},
			effective: []string{saConn, ghSubject, roleDeploy, roleConn},
		},
		{
			// sap-admin's exact rule (conditional: allowed_parameters); the
			// AppRole holder's only secret id expired on 2026-11-30: latent.
			name: "write rfc_fi", action: schema.ActionWrite, resource: rfcFI,
			want:      []string{roleBatch, holder},
			effective: []string{roleBatch},
		},
		{
			// sap-admin's secret/data/sap/*, split around the deny on hr/*
			// and the exact rfc_fi rule: rfc_co keeps it.
			name: "read rfc_co", action: schema.ActionRead, resource: rfcCO,
			want:      []string{saConn, ghSubject, roleBatch, holder, roleDeploy, roleConn},
			effective: []string{saConn, ghSubject, roleBatch, roleDeploy, roleConn},
		},
		{
			// The deny on secret/data/sap/hr/* removes sap-admin here.
			name: "read payroll", action: schema.ActionRead, resource: payroll,
			want:      []string{saConn, ghSubject, roleDeploy, roleConn},
			effective: []string{saConn, ghSubject, roleDeploy, roleConn},
		},
		{
			name: "write payroll", action: schema.ActionWrite, resource: payroll,
		},
		{
			name: "read production db", action: schema.ActionRead, resource: sys + ":path:secret/data/production/db",
			want:      []string{ghClaims, sys + ":role:jwt/myproject-production"},
			effective: []string{ghClaims, sys + ":role:jwt/myproject-production"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := whoCan(t, d, tc.action, tc.resource)
			require.ElementsMatch(t, tc.want, reachtest.IDs(got))
			require.ElementsMatch(t, tc.effective, effective(got))
		})
	}
}

func TestFixtureGrantsNative(t *testing.T) {
	d := load(t, fixture)
	var natives []string
	for _, g := range grantsOn(d, rfcCO) {
		natives = append(natives, string(g.Action)+" "+g.Native)
	}
	require.ElementsMatch(t, []string{
		`read path "secret/data/sap/*" { capabilities = ["create", "read", "update", "patch", "delete", "list"] } (policy sap-admin) (narrowed: path "secret/data/sap/hr/*" ["deny"] in this policy; path "secret/data/sap/rfc_fi" ["create", "update"] in this policy)`,
		`write path "secret/data/sap/*" { capabilities = ["create", "read", "update", "patch", "delete", "list"] } (policy sap-admin) (narrowed: path "secret/data/sap/hr/*" ["deny"] in this policy; path "secret/data/sap/rfc_fi" ["create", "update"] in this policy)`,
	}, natives)
	// The glob's grant of sap-reader sits on the prefix node.
	require.Len(t, grantsOn(d, sys+":path:secret/data/sap"), 1)
	g := grantsOn(d, sys+":path:secret/data/sap")[0]
	require.Equal(t, sys+":policy:sap-reader", g.Principal)
	require.Equal(t, `path "secret/data/sap/*" { capabilities = ["read"] } (policy sap-reader)`, g.Native)
	// allowed_parameters makes the exact rule conditional.
	for _, g := range grantsOn(d, rfcFI) {
		require.True(t, g.Conditional, g.Native)
		require.Contains(t, g.Native, "(approximated: only for requests that meet allowed_parameters)")
	}
}

func TestFixtureRolesAndLogins(t *testing.T) {
	d := load(t, fixture)
	var members []string
	for _, m := range d.MembershipList {
		if m.Member == roleConn || m.Member == sys+":role:kubernetes/finance-jobs" {
			members = append(members, m.Member+" -> "+m.Group)
		}
	}
	require.ElementsMatch(t, []string{
		roleConn + " -> " + sys + ":policy:sap-reader",
		roleConn + " -> " + sys + ":policy:default",
		// token_no_default_policy: true
		sys + ":role:kubernetes/finance-jobs -> " + sys + ":policy:team-reader",
	}, members)
	found := map[string]bool{}
	for _, x := range d.DelegationList {
		require.Equal(t, sys, x.System, "logins are exercised at Vault")
		require.Equal(t, schema.DelegAssumeRole, x.Kind)
		found[x.From+" -> "+x.To] = true
	}
	require.True(t, found[saConn+" -> "+roleConn])
	require.True(t, found[ghSubject+" -> "+roleDeploy])
	require.True(t, found[holder+" -> "+roleBatch])
	creds := map[string]schema.CredentialType{}
	for _, c := range d.CredentialList {
		creds[c.ID] = c.Type
		require.Equal(t, []string{sys}, c.Systems, c.ID)
	}
	require.Equal(t, schema.CredToken, creds[roleConn+":token"])
	require.Equal(t, schema.CredFederated, creds[sys+":login:kubernetes:"+saConn])
	require.Equal(t, schema.CredAPIKey, creds[holder+":secret_id:8f0c2a7e-5c1b-4c1a-9a1e-3f2b1c0d9e8f"])
	for _, c := range d.CredentialList {
		if c.Type == schema.CredAPIKey {
			require.Equal(t, time.Date(2026, 11, 30, 10, 34, 23, 744473000, time.UTC), c.ExpiresAt, "the export's expiration_time, to the microsecond")
		}
	}
}

func TestKVUpdated(t *testing.T) {
	r := vault.New("")
	_, err := tryLoad(r, ingest.Source{Path: fixture})
	require.NoError(t, err)
	want := time.Date(2026, 9, 30, 8, 15, 43, 986212308, time.UTC)
	got, ok := r.KVUpdated(rfcFI)
	require.True(t, ok)
	require.Equal(t, want, got)
	got, ok = r.KVUpdated(sys + ":path:secret/metadata/sap/rfc_fi")
	require.True(t, ok)
	require.Equal(t, want, got)
	_, ok = r.KVUpdated(sys + ":path:secret/data/sap/nope")
	require.False(t, ok)
}

func TestWildcardServiceAccounts(t *testing.T) {
	k8s := ingest.Source{Path: "testdata/k8s-finance-batch.json", Format: ingest.FormatK8sRBAC}
	t.Run("k8s source first: expanded", func(t *testing.T) {
		st, err := tryLoad(vault.New(""), k8s, ingest.Source{Path: fixture})
		require.NoError(t, err)
		var got []string
		for _, x := range st.Data.DelegationList {
			if x.To == sys+":role:kubernetes/finance-jobs" {
				got = append(got, x.From)
			}
		}
		require.Equal(t, []string{"k8s:cluster:sa:finance-batch/default", "k8s:cluster:sa:finance-batch/payroll-export"}, got)
		for _, i := range st.Data.IdentityList {
			require.NotEqual(t, "k8s:cluster:sa:finance-batch/*", i.ID)
		}
	})
	t.Run("vault alone: a placeholder for all of them", func(t *testing.T) {
		d := load(t, fixture)
		var got []string
		for _, x := range d.DelegationList {
			if x.To == sys+":role:kubernetes/finance-jobs" {
				got = append(got, x.From)
				require.Contains(t, x.Native, "approximated")
			}
		}
		require.Equal(t, []string{"k8s:cluster:sa:finance-batch/*"}, got)
	})
	t.Run("the concrete SA of the k8s load replaces the placeholder", func(t *testing.T) {
		st, err := tryLoad(vault.New(""), ingest.Source{Path: fixture}, k8s)
		require.NoError(t, err)
		n := 0
		for _, i := range st.Data.IdentityList {
			if i.ID == saConn {
				n++
			}
		}
		require.Equal(t, 1, n)
	})
}

func TestDetectFormat(t *testing.T) {
	require.Equal(t, ingest.FormatVault, ingest.DetectFormat(fixture))
	require.True(t, vault.IsExport(fixture))
	require.False(t, vault.IsExport("testdata"))
}

func TestKVUpdatedTimes(t *testing.T) {
	got, err := vault.KVUpdatedTimes(fixture, "")
	require.NoError(t, err)
	require.Equal(t, map[string]time.Time{
		rfcFI:                                   time.Date(2026, 9, 30, 8, 15, 43, 986212308, time.UTC),
		rfcCO:                                   time.Date(2025, 3, 22, 2, 30, 0, 500000000, time.UTC),
		payroll:                                 time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
		sys + ":path:secret/data/production/db": time.Date(2026, 10, 1, 9, 0, 0, 123456789, time.UTC),
	}, got)
	dir := copyFixture(t, map[string]string{"secret/metadata/x.json": `{"data": {"data": {"password": "` + sentinel + `"}}}`})
	_, err = vault.KVUpdatedTimes(dir, "")
	require.ErrorContains(t, err, "x.json:1: /data/data: this is a KV v2 data read")
	require.NotContains(t, err.Error(), sentinel)
}

// A metadata-only change moves updated_time but not the secret's rotation:
// the current version's created_time wins.
func TestKVUpdatedIsTheCurrentVersion(t *testing.T) {
	dir := export(t, map[string]string{"kv/fin/metadata/bank/swift.json": `{"data": {
  "created_time": "2025-01-01T00:00:00Z", "updated_time": "2026-11-20T00:00:00Z", "current_version": 2,
  "custom_metadata": {"owner": "treasury"},
  "versions": {"1": {"created_time": "2025-01-01T00:00:00Z", "deletion_time": "", "destroyed": false},
               "2": {"created_time": "2026-03-01T10:00:00Z", "deletion_time": "", "destroyed": false}}}}`})
	got, err := vault.KVUpdatedTimes(dir, "")
	require.NoError(t, err)
	require.Equal(t, map[string]time.Time{"vault:vault:path:kv/fin/data/bank/swift": time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}, got)
}
