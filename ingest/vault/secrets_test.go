package vault_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/vault"
)

const sentinel = "S3CRET-do-not-store-7f3a"

// copyFixture copies the fixture export into a new directory and adds files.
func copyFixture(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(fixture, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixture, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	require.NoError(t, err)
	for name, body := range extra {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

// Secret-bearing fields that an export may contain next to the metadata
// (a secret id, a role id, custom metadata) are loaded around, never into,
// the store.
func TestNoSecretValueIsStored(t *testing.T) {
	dir := copyFixture(t, map[string]string{
		"auth/approle/role/payments-batch/role-id.json":         `{"data": {"role_id": "` + sentinel + `"}}`,
		"auth/approle/role/role/role-id.json":                   `{"data": {"role_id": "` + sentinel + `"}}`,
		"auth/approle/role/payments-batch/secret-id/acc-2.json": `{"data": {"secret_id": "` + sentinel + `", "secret_id_accessor": "acc-2", "creation_time": "2026-11-01T00:00:00Z", "expiration_time": "0001-01-01T00:00:00Z", "metadata": {"pw": "` + sentinel + `"}}}`,
		"secret/metadata/sap/rfc_mm.json":                       `{"data": {"updated_time": "2026-01-01T00:00:00Z", "current_version": 1, "custom_metadata": {"owner": "mm-team", "hint": "` + sentinel + `"}}}`,
		"auth/kubernetes/role/sap-connector2.json":              `{"data": {"bound_service_account_names": ["x"], "bound_service_account_namespaces": ["y"], "token_policies": ["sap-reader"], "password": "` + sentinel + `"}}`,
	})
	st, err := tryLoad(vault.New(""), ingest.Source{Path: dir})
	require.NoError(t, err)
	require.NotContains(t, fmt.Sprintf("%+v", *st.Data), sentinel)
	require.Contains(t, fmt.Sprintf("%+v", *st.Data), "rfc_mm (owner: mm-team)", "the files were read")
	require.Contains(t, fmt.Sprintf("%+v", *st.Data), "secret_id:acc-2")
}

// A KV v2 data read holds secret values: it is refused, whether it sits
// under a data path (not even opened) or is passed off as metadata.
func TestSecretValuesAreRefused(t *testing.T) {
	value := `{"data": {"data": {"password": "` + sentinel + `"}, "metadata": {"version": 1}}}`
	tests := []struct {
		name string
		file string
		want string
	}{
		{name: "under a data path", file: "secret/data/sap/rfc_fi.json",
			want: "secret/data/sap/rfc_fi.json: this file is under a KV v2 data path and would hold secret values: it was not read; export metadata only (<mount>/metadata/…, docs/ingest-vault.md)"},
		{name: "passed off as metadata", file: "secret/metadata/sap/rfc_xx.json",
			want: "secret/metadata/sap/rfc_xx.json:1: /data/data: this is a KV v2 data read and holds secret values: it was not kept; export the metadata (vault kv metadata get -format=json, or vault read <mount>/metadata/<path>) only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyFixture(t, map[string]string{tc.file: value})
			probs := problems(t, "", dir)
			got := rendered(dir, probs)
			require.Equal(t, []string{tc.want}, got)
			for _, p := range probs {
				require.NotContains(t, p.String(), sentinel)
			}
			require.False(t, strings.Contains(strings.Join(got, "\n"), sentinel))
		})
	}
}
