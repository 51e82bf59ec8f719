package vault_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/vault"
	"github.com/reachgraph/reachgraph/schema"
)

func policy(t *testing.T, name, src string) vault.Policy {
	t.Helper()
	rules, probs := vault.ParsePolicy(name+".hcl", []byte(src))
	require.Empty(t, probs)
	return vault.Policy{Name: name, Rules: rules}
}

func approle(name string, policies ...string) vault.Role {
	return vault.Role{Mount: "approle", Name: name, Type: "approle", Data: vault.RoleData{TokenPolicies: policies, TokenNoDefaultPolicy: true}}
}

func secrets(paths ...string) []vault.KVSecret {
	var out []vault.KVSecret
	for _, p := range paths {
		out = append(out, vault.KVSecret{Mount: "secret", Path: p})
	}
	return out
}

// grantTargets maps "policy action" to the grant targets (path ids without
// the vault:vault:path: prefix) and whether any is conditional.
func grantTargets(ds *graph.Dataset) (map[string][]string, map[string]bool) {
	out, cond := map[string][]string{}, map[string]bool{}
	for _, g := range ds.GrantList {
		k := strings.TrimPrefix(g.Principal, "vault:vault:policy:") + " " + string(g.Action)
		out[k] = append(out[k], strings.TrimPrefix(g.Resource, "vault:vault:path:"))
		cond[k] = cond[k] || g.Conditional
	}
	return out, cond
}

func TestCrossPolicyDeny(t *testing.T) {
	reader := policy(t, "reader", `path "secret/data/fin/*" { capabilities = ["read"] }`)
	noPay := policy(t, "no-payroll", `path "secret/data/fin/payroll" { capabilities = ["deny"] }`)
	kv := secrets("fin/payroll", "fin/ledger", "fin/bank/swift")
	tests := []struct {
		name  string
		roles []vault.Role
		want  []string
		cond  bool
	}{
		{
			// every holder of reader also holds no-payroll: the deny applies
			name:  "deny held by every holder",
			roles: []vault.Role{approle("a", "reader", "no-payroll")},
			want:  []string{"secret/data/fin/bank", "secret/data/fin/ledger"},
		},
		{
			// only some holders have the deny: the grant stays, conditional
			name:  "deny held by some holders",
			roles: []vault.Role{approle("a", "reader", "no-payroll"), approle("b", "reader")},
			want:  []string{"secret/data/fin"},
			cond:  true,
		},
		{
			name:  "deny held by no holder",
			roles: []vault.Role{approle("b", "reader"), approle("c", "no-payroll")},
			want:  []string{"secret/data/fin"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := vault.Transform(&vault.Export{Policies: []vault.Policy{reader, noPay}, Roles: tc.roles, Secrets: kv})
			got, cond := grantTargets(&res.Records)
			require.Equal(t, tc.want, got["reader read"])
			require.Equal(t, tc.cond, cond["reader read"])
		})
	}
}

func TestPatternGrants(t *testing.T) {
	p := policy(t, "teams", `
path "secret/data/+/teamb" { capabilities = ["read"] }
path "secret/data/zip-*" { capabilities = ["update"] }
path "secret/data/*" { capabilities = ["list"] }
path "secret/data/foo/+" { capabilities = ["deny"] }
`)
	res := vault.Transform(&vault.Export{Policies: []vault.Policy{p}, Roles: []vault.Role{approle("a", "teams")},
		Secrets: secrets("foo/teamb", "bar/teamb", "bar/teamc", "zip-zap/zong", "zip/zap")})
	got, cond := grantTargets(&res.Records)
	// Worked out by hand with Vault's priority rules: +/teamb gives its
	// pattern node and bar/teamb, not foo/teamb (foo/+ has the later first
	// wildcard and denies it); secret/data/* (list) has the same first
	// wildcard as +/teamb but ends in "*", so it yields to it, and to zip-*
	// and foo/+: it is split to bar/teamc and zip. Exclusions by a pattern
	// rest on the known paths only: conditional.
	require.Equal(t, []string{"secret/data/+/teamb", "secret/data/bar/teamb", "secret/data/bar/teamc", "secret/data/zip"}, got["teams read"])
	require.Equal(t, []string{"secret/data/zip-*", "secret/data/zip-zap"}, got["teams write"])
	require.False(t, cond["teams write"])
	require.True(t, cond["teams read"])
	kinds := map[string]string{}
	for _, r := range res.Records.ResourceList {
		kinds[r.ID] = r.Kind
	}
	require.Equal(t, "secret_path_pattern", kinds["vault:vault:path:secret/data/+/teamb"])
	require.Equal(t, "secret", kinds["vault:vault:path:secret/data/zip-zap/zong"])
}

func TestEscalationAndRoot(t *testing.T) {
	p := policy(t, "ops", `path "sys/policy/*" { capabilities = ["create", "update"] }`)
	res := vault.Transform(&vault.Export{Policies: []vault.Policy{p},
		Roles: []vault.Role{approle("ops", "ops"), approle("break-glass", "root")}})
	var sysGrants []string
	for _, g := range res.Records.GrantList {
		if g.Resource == "vault:vault" {
			sysGrants = append(sysGrants, g.Principal+" "+string(g.Action))
			require.Equal(t, schema.ActionAdmin, g.Action)
		}
	}
	require.Equal(t, []string{"vault:vault:policy:ops admin", "vault:vault:policy:root admin"}, sysGrants)
}

func TestExportedRootPolicy(t *testing.T) {
	// vault read sys/policy/root prints empty rules: root still is admin.
	res := vault.Transform(&vault.Export{Policies: []vault.Policy{{Name: "root"}}, Roles: []vault.Role{approle("bg", "root")}})
	require.Len(t, res.Records.GrantList, 1)
	require.Equal(t, "vault:vault", res.Records.GrantList[0].Resource)
	require.Equal(t, schema.ActionAdmin, res.Records.GrantList[0].Action)
	require.Len(t, res.Records.GroupList, 1)
}

func TestEscalationYieldsToDeny(t *testing.T) {
	p := policy(t, "ops", `
path "sys/*" { capabilities = ["create", "update", "read"] }
path "sys/policy/*" { capabilities = ["deny"] }
path "sys/policies/*" { capabilities = ["deny"] }
`)
	res := vault.Transform(&vault.Export{Policies: []vault.Policy{p}, Roles: []vault.Role{approle("ops", "ops")}})
	var natives []string
	for _, g := range res.Records.GrantList {
		if g.Resource == "vault:vault" {
			natives = append(natives, g.Native)
		}
	}
	// sys/policy and sys/policies are denied; sys/auth still escalates
	require.Equal(t, []string{`path "sys/*" { capabilities = ["create", "update", "read"] } (policy ops) (escalation: can write sys/auth, so can give itself any policy)`}, natives)
}
