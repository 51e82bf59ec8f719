package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

const vaultExport = "../../testdata/vault"

// A directory with sys/policy is detected as a Vault export and its
// vault.yaml names the cluster; --vault-config overrides it; a bad policy
// stops the load with its line (exit 2) and stores nothing.
func TestVaultIngest(t *testing.T) {
	store := newStore(t)
	out, stderr, code := run(t, "--store", store, "ingest", vaultExport)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "source vault:prod")
	out, stderr, code = run(t, "--store", store, "--as-of", "2026-12-01", "whocan", "--action", "read", "--resource", "vault:prod:path:secret/data/sap/rfc_fi")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "k8s:cluster:sa:finance/sap-connector")
	assert.NotContains(t, out, "approle")

	cfg := filepath.Join(t.TempDir(), "v.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("cluster: eu\nkubernetes_clusters: {kubernetes: eks-eu}\n"), 0o600))
	out, stderr, code = run(t, "--store", store, "ingest", "--vault-config", cfg, vaultExport)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "source vault:eu")
	out, stderr, code = run(t, "--store", store, "whocan", "--action", "read", "--resource", "vault:eu:path:secret/data/sap/rfc_fi")
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "k8s:eks-eu:sa:finance/sap-connector")

	before, _, _ := run(t, "--store", store, "snapshots", "-o", "json")
	bad := filepath.Join(t.TempDir(), "bad")
	require.NoError(t, os.MkdirAll(filepath.Join(bad, "sys", "policy"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(bad, "sys", "policy", "p.hcl"), []byte("\npath \"secret/*\" {\n  capabilities = [\"read\",\n"), 0o600))
	_, stderr, code = run(t, "--store", store, "ingest", bad)
	require.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "p.hcl:4: ")
	after, _, _ := run(t, "--store", store, "snapshots", "-o", "json")
	assert.Equal(t, before, after, "nothing stored")
}
