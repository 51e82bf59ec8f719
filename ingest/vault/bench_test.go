package vault_test

import (
	"fmt"
	"testing"

	"github.com/reachgraph/reachgraph/ingest/vault"
)

// synthetic is an export of n teams: per team a policy of 6 rules (a glob,
// a deny, a literal rule, a pattern, metadata list, a sys path), 20 KV
// secrets and 2 roles.
func synthetic(n int) *vault.Export {
	exp := &vault.Export{}
	for i := 0; i < n; i++ {
		team := fmt.Sprintf("team%03d", i)
		src := fmt.Sprintf(`
path "secret/data/%[1]s/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "secret/data/%[1]s/restricted/*" { capabilities = ["deny"] }
path "secret/data/%[1]s/app/db" { capabilities = ["read"] }
path "secret/data/+/%[1]s-shared" { capabilities = ["read"] }
path "secret/metadata/%[1]s/*" { capabilities = ["list"] }
path "sys/leases/lookup/%[1]s/*" { capabilities = ["update"] }
`, team)
		rules, _ := vault.ParsePolicy(team, []byte(src))
		exp.Policies = append(exp.Policies, vault.Policy{Name: team, Rules: rules})
		for j := 0; j < 20; j++ {
			sub := "app"
			if j%4 == 0 {
				sub = "restricted"
			}
			exp.Secrets = append(exp.Secrets, vault.KVSecret{Mount: "secret", Path: fmt.Sprintf("%s/%s/s%02d", team, sub, j)})
		}
		exp.Roles = append(exp.Roles,
			vault.Role{Mount: "kubernetes", Name: team, Type: "kubernetes", Data: vault.RoleData{TokenPolicies: []string{team}, BoundSANames: []string{"app"}, BoundSANamespaces: []string{team}}},
			vault.Role{Mount: "approle", Name: team, Type: "approle", Data: vault.RoleData{TokenPolicies: []string{team}}})
	}
	return exp
}

func BenchmarkTransform(b *testing.B) {
	for _, n := range []int{50, 200} {
		exp := synthetic(n)
		b.Run(fmt.Sprintf("teams=%d", n), func(b *testing.B) {
			for b.Loop() {
				vault.Transform(exp)
			}
		})
	}
}
