package vault

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  []Rule
		probs []PolicyProblem
	}{
		{
			name: "docs example with parameters",
			src:  "path \"secret/foo\" {\n  capabilities = [\"create\"]\n  allowed_parameters = {\n    \"bar\" = [\"zip\", \"zap\"]\n  }\n}\n",
			want: []Rule{{Path: "secret/foo", Capabilities: []string{"create"}, Line: 1, Params: []string{"allowed_parameters"}}},
		},
		{
			name: "same path twice is merged",
			src:  "path \"a/*\" { capabilities = [\"read\"] }\npath \"b\" { capabilities = [\"list\"] }\npath \"a/*\" { capabilities = [\"update\", \"read\"] }\n",
			want: []Rule{
				{Path: "a/*", Capabilities: []string{"read", "update"}, Line: 1},
				{Path: "b", Capabilities: []string{"list"}, Line: 2},
			},
		},
		{
			name: "legacy policy shorthand",
			src:  "path \"sys/*\" {\n  policy = \"sudo\"\n}\n",
			want: []Rule{{Path: "sys/*", Capabilities: []string{"create", "read", "update", "delete", "list", "sudo"}, Line: 1}},
		},
		{
			name: "JSON policy",
			src:  `{"path": {"secret/data/x": {"capabilities": ["read", "deny"]}}}`,
			want: []Rule{{Path: "secret/data/x", Capabilities: []string{"read", "deny"}, Line: 1}},
		},
		{
			name: "control group",
			src:  "path \"secret/data/pay\" {\n  capabilities = [\"read\"]\n  control_group = {\n    factor \"approvers\" {\n      identity {\n        group_names = [\"fin\"]\n        approvals = 1\n      }\n    }\n  }\n}\n",
			want: []Rule{{Path: "secret/data/pay", Capabilities: []string{"read"}, Line: 1, ControlGroup: true}},
		},
		{
			name: "HCL 1 block form of parameters",
			src:  "path \"secret/foo\" {\n  capabilities = [\"update\"]\n  denied_parameters {\n    \"bar\" = []\n  }\n}\npath \"secret/bar\" {\n  capabilities = [\"read\"]\n}\n",
			want: []Rule{
				{Path: "secret/foo", Capabilities: []string{"update"}, Line: 1, Params: []string{"denied_parameters"}},
				{Path: "secret/bar", Capabilities: []string{"read"}, Line: 7},
			},
		},
		{
			name:  "unknown capability names its line",
			src:   "\n\npath \"x\" {\n  capabilities = [\"reed\"]\n}\n",
			want:  []Rule{{Path: "x", Line: 3}},
			probs: []PolicyProblem{{Line: 4, Msg: `path "x": unknown capability "reed" (allowed: create, read, update, patch, delete, list, sudo, deny, subscribe, recover)`}},
		},
		{
			name:  "syntax error names its line",
			src:   "path \"x\" {\n  capabilities = [\"read\"\n}\n",
			probs: []PolicyProblem{{Line: 3}},
		},
		{
			name:  "no capabilities",
			src:   "path \"x\" {\n}\n",
			want:  []Rule{{Path: "x", Line: 1}},
			probs: []PolicyProblem{{Line: 1, Msg: `path "x": no capabilities`}},
		},
		{
			name:  "wrong type",
			src:   "path \"x\" {\n  capabilities = \"read\"\n}\n",
			want:  []Rule{{Path: "x", Line: 1}},
			probs: []PolicyProblem{{Line: 2}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules, probs := ParsePolicy("p.hcl", []byte(tc.src))
			require.Equal(t, tc.want, rules)
			require.Len(t, probs, len(tc.probs), "%v", probs)
			for i, p := range tc.probs {
				require.Equal(t, p.Line, probs[i].Line, probs[i].Msg)
				if p.Msg != "" {
					require.Equal(t, p.Msg, probs[i].Msg)
				}
			}
		})
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte("path \"secret/data/sap/*\" {\n  capabilities = [\"read\"]\n}\n"))
	f.Add([]byte(`{"path": {"secret/*": {"capabilities": ["deny"]}}}`))
	f.Add([]byte("path \"a\" { policy = \"write\"\n allowed_parameters = { \"x\" = [] } }"))
	f.Add([]byte("path \"+/x*\" { capabilities = [\"sudo\"] }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		rules, _ := ParsePolicy("fuzz.hcl", src)
		// the mapping must take whatever the parser accepts
		res := Transform(&Export{Policies: []Policy{{Name: "p", Rules: rules}, {Name: "q", Rules: rules}},
			Roles:   []Role{{Mount: "approle", Name: "r", Type: "approle", Data: RoleData{TokenPolicies: []string{"p", "q"}}}},
			Secrets: []KVSecret{{Mount: "secret", Path: "a/b"}, {Mount: "secret", Path: "zip-1/x"}}})
		for _, g := range res.Records.GrantList {
			if g.Resource == "" || g.Principal == "" {
				t.Fatalf("grant without ends: %+v", g)
			}
		}
		for _, r := range rules {
			p := classify(r.Path)
			p.matches("secret/data/x")
			for _, c := range r.Capabilities {
				if !knownCaps[c] {
					t.Fatalf("unknown capability %q kept", c)
				}
			}
		}
	})
}

func FuzzEnvelope(f *testing.F) {
	f.Add([]byte(`{"request_id":"x","data":{"token_policies":["a"],"secret_id_ttl":600,"bound_claims":{"k":"v"}}}`))
	f.Add([]byte(`{"data":{"created_time":"2018-03-22T02:24:06.945319214Z","versions":{"1":{"destroyed":false}}}}`))
	f.Add([]byte(`{"data":{"data":{"password":"x"}}}`))
	f.Add([]byte(`{"data": null}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		var rd RoleData
		if p := decodeEnvelope(src, &rd); p != nil && p.Line > 0 && p.Line > len(src)+1 {
			t.Fatalf("line %d beyond the input", p.Line)
		}
		var md kvMetadata
		_ = decodeEnvelope(src, &md)
		var mounts map[string]authMount
		_ = decodeEnvelope(src, &mounts)
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("cluster: prod\nkubernetes_clusters:\n  kubernetes: eks\njwt_issuers: {jwt: https://x}\n"))
	f.Add([]byte("cluster: \"a:b\"\n"))
	f.Add([]byte("sox_scope: maybe\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, probs, err := ParseConfig(bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		if cfg != nil && len(probs) > 0 {
			t.Fatal("a configuration with problems is returned")
		}
		if cfg != nil && strings.ContainsAny(cfg.cluster(), ":/ ") {
			t.Fatalf("cluster %q accepted", cfg.cluster())
		}
	})
}
