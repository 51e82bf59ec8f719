package ingest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
)

// A directory of kubectl output (files at the top or one level down) is
// k8s-rbac; a CSV bundle directory and anything else stay bundles.
func TestDetectFormatDirectory(t *testing.T) {
	rbac := "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{name: "kubectl yaml", files: map[string]string{"roles.yaml": rbac}, want: ingest.FormatK8sRBAC},
		{name: "kubectl json below", files: map[string]string{"ns-1/rolebindings.json": `{"items":[{"apiVersion":"rbac.authorization.k8s.io/v1"}]}`}, want: ingest.FormatK8sRBAC},
		{name: "csv bundle", files: map[string]string{"bundle.csv": "format,source\n", "roles.yaml": rbac}, want: ingest.FormatBundle},
		{name: "other yaml", files: map[string]string{"x.yaml": "format: reachgraph/v1\n"}, want: ingest.FormatBundle},
		{name: "empty", files: map[string]string{}, want: ingest.FormatBundle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				p := filepath.Join(dir, name)
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
				require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
			}
			assert.Equal(t, tc.want, ingest.DetectFormat(dir))
		})
	}
}
