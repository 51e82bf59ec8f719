package k8srbac_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The IRSA role annotation of a ServiceAccount is kept as the identity's tag
// (for the link layer); every other annotation is dropped.
func TestIRSAAnnotationKeptAsTag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sa.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: exporter
    namespace: ci
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/ledger-export
      kubectl.kubernetes.io/last-applied-configuration: '{"secret":"x"}'
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: plain, namespace: ci}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: r, namespace: ci}
  rules: []
`), 0o600))
	d := load(t, path)
	tags := map[string]map[string]string{}
	for _, id := range d.IdentityList {
		tags[id.ID] = id.Tags
	}
	require.Equal(t, map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/ledger-export"}, tags["k8s:cluster:sa:ci/exporter"])
	require.Nil(t, tags["k8s:cluster:sa:ci/plain"])
}
