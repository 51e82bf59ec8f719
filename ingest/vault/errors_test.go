package vault_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

// export writes files (relative path → content) into a new directory.
func export(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

// rendered is the problems as "file:line: /pointer: msg" with the file
// relative to dir.
func rendered(dir string, probs []ingest.Problem) []string {
	var out []string
	for _, p := range probs {
		s := p.String()
		out = append(out, strings.TrimPrefix(s, filepath.ToSlash(dir)+"/"))
	}
	return out
}

const okPolicy = `{"data": {"name": "p", "rules": "path \"secret/*\" { capabilities = [\"read\"] }"}}`

func TestMalformedInput(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		config string
		want   []string
	}{
		{
			name:  "invalid JSON names the line",
			files: map[string]string{"sys/policy/p.json": "{\n  \"data\": {\n    \"name\": \"p\",\n    \"rules\": \n  }\n}\n"},
			want:  []string{`sys/policy/p.json:5: invalid JSON: invalid character '}' looking for beginning of value`},
		},
		{
			name:  "HCL syntax error names the line",
			files: map[string]string{"sys/policy/p.hcl": "path \"secret/*\" {\n  capabilities = [\"read\"\n}\n"},
			want:  []string{`sys/policy/p.hcl:3: Missing item separator: Expected a comma to mark the beginning of the next item.`},
		},
		{
			name:  "policy text inside JSON: the field's line and the policy line",
			files: map[string]string{"sys/policy/p.json": "{\n  \"data\": {\n    \"name\": \"p\",\n    \"rules\": \"path \\\"x\\\" {\\n capabilities = [\\\"raed\\\"]\\n}\"\n  }\n}\n"},
			want:  []string{`sys/policy/p.json:4: /data/rules: policy line 2: path "x": unknown capability "raed" (allowed: create, read, update, patch, delete, list, sudo, deny, subscribe, recover)`},
		},
		{
			name:  "no data envelope",
			files: map[string]string{"sys/policy/p.json": `{"name": "p", "rules": "path \"a\" {capabilities=[\"read\"]}"}`},
			want:  []string{`sys/policy/p.json: /data: missing "data": expected what vault read -format=json prints ({"request_id": …, "data": {…}})`},
		},
		{
			name: "wrong type in a role names the pointer",
			files: map[string]string{"sys/policy/p.json": okPolicy,
				"auth/kubernetes/role/r.json": "{\n  \"data\": {\n    \"token_policies\": [\"p\"],\n    \"token_no_default_policy\": \"yes\"\n  }\n}\n"},
			want: []string{`auth/kubernetes/role/r.json:4: /data/token_no_default_policy: expected bool, found JSON string`},
		},
		{
			name: "unknown auth mount without sys/auth.json",
			files: map[string]string{"sys/policy/p.json": okPolicy,
				"auth/ci/role/r.json": `{"data": {"token_policies": ["p"]}}`},
			want: []string{`auth/ci/role/r.json: auth mount "ci": its type is unknown; export sys/auth.json (vault read -format=json sys/auth) or name the mount kubernetes, approle, jwt or oidc`},
		},
		{
			name:   "configuration: unknown key names its line",
			files:  map[string]string{"sys/policy/p.json": okPolicy},
			config: "cluster: prod\nkubernetes_cluster:\n  kubernetes: eks\n",
			want:   []string{`vault.yaml:2: field kubernetes_cluster not found in type vault.Config`, `.: invalid vault configuration`},
		},
		{
			name:   "configuration: cluster with a colon",
			files:  map[string]string{"sys/policy/p.json": okPolicy},
			config: "cluster: \"a:b\"\n",
			want:   []string{`vault.yaml:1: cluster "a:b": a name without ':', '/' or spaces (it is part of every id)`, `.: invalid vault configuration`},
		},
		{
			name:  "bad time in KV metadata",
			files: map[string]string{"secret/metadata/a.json": `{"data": {"updated_time": "yesterday"}}`},
			want:  []string{`secret/metadata/a.json: /data: invalid time "yesterday": expected RFC 3339`},
		},
		{
			name:  "a policy given as JSON and as HCL",
			files: map[string]string{"sys/policy/p.json": okPolicy, "sys/policy/p.hcl": "path \"a\" { capabilities = [\"read\"] }\n"},
			want:  []string{`sys/policy/p.json: policy "p" is given twice (also in ./sys/policy/p.hcl): keep one file per policy`},
		},
		{
			name:  "nothing to read",
			files: map[string]string{"README": "hello"},
			want:  []string{`.: no Vault export in the directory: expected sys/policy/, sys/auth.json, auth/<mount>/role/ or <mount>/metadata/ files (docs/ingest-vault.md)`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.config != "" {
				tc.files["vault.yaml"] = tc.config
			}
			dir := export(t, tc.files)
			got := rendered(dir, problems(t, "", dir))
			for i := range got {
				got[i] = strings.Replace(got[i], filepath.ToSlash(dir), ".", 1)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestFileTooLarge(t *testing.T) {
	dir := export(t, map[string]string{"sys/policy/p.json": okPolicy})
	big := make([]byte, 9<<20)
	for i := range big {
		big[i] = ' '
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sys/auth.json"), big, 0o644))
	got := rendered(dir, problems(t, "", dir))
	require.Equal(t, []string{"sys/auth.json: file larger than 8 MiB: not what vault read prints"}, got)
}
