package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

const kubehound = "../../ingest/k8srbac/testdata/k8s-rbac/kubehound/attacks"

// A directory of kubectl output is detected as k8s-rbac; --k8s-config names
// the cluster; a malformed file stops the load with its line (exit 2) and
// stores nothing.
func TestK8sRBACIngest(t *testing.T) {
	store := newStore(t)
	cfg := filepath.Join(t.TempDir(), "k8s.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("cluster: prod\nnamespaces:\n  - {match: default, kind: secret, types: [secrets], sox_scope: true}\n"), 0o600))
	out, stderr, code := run(t, "--store", store, "ingest", "--k8s-config", cfg, kubehound)
	require.Equal(t, cli.ExitOK, code, stderr)
	assert.Contains(t, out, "source k8s-rbac:prod")

	out, stderr, code = run(t, "--store", store, "whocan", "--action", "read", "--resource", "k8s:prod:ns:default:secrets")
	require.Equal(t, cli.ExitOK, code, stderr)
	for _, s := range []string{"tokenlist-sa", "tokenget-sa", "pod-exec-sa"} {
		assert.Contains(t, out, "k8s:prod:sa:default/"+s)
	}
	before, _, _ := run(t, "--store", store, "snapshots", "-o", "json")

	bad := filepath.Join(t.TempDir(), "bad")
	require.NoError(t, os.MkdirAll(bad, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(bad, "rb.yaml"), []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\nroleRef:\n  kind: Roll\n  name: r\n"), 0o600))
	_, stderr, code = run(t, "--store", store, "ingest", bad)
	require.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "rb.yaml:5: RoleBinding default/b: roleRef.kind \"Roll\"")
	after, _, _ := run(t, "--store", store, "snapshots", "-o", "json")
	assert.Equal(t, before, after, "nothing stored")

	_, stderr, code = run(t, "--store", store, "ingest", "--format", "k8s-rbac", "--k8s-config", filepath.Join(bad, "rb.yaml"), kubehound)
	require.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "rb.yaml:1: field apiVersion not found in type Config")
}
