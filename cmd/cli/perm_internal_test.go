package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReportFilesArePrivate: report --out and --workbook files are 0600,
// also when they existed with a wider mode.
func TestReportFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	require.NoError(t, os.WriteFile(out, []byte("old"), 0o644))
	require.NoError(t, os.Chmod(out, 0o644)) // whatever the umask
	wb := filepath.Join(dir, "wb.csv")
	store := "file:" + filepath.Join(dir, "rg.db")
	for _, args := range [][]string{
		{"--store", store, "ingest", "../../testdata/finance/bundle.yaml"},
		{"--store", store, "report", "--out", out, "--workbook", wb},
	} {
		root := NewRoot(Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
		root.SetArgs(args)
		err := root.ExecuteContext(context.Background())
		if ee, ok := err.(*ExitError); ok && ee.Code == ExitFindings {
			err = nil
		}
		require.NoError(t, err)
	}
	for _, p := range []string{out, wb} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), p)
	}
}

// TestTokensFileMustBePrivate: serve refuses a tokens file that group or
// others can read, saying how to fix it.
func TestTokensFileMustBePrivate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tokens")
	require.NoError(t, os.WriteFile(p, []byte("alice auditor 00\n"), 0o600))
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		require.NoError(t, os.Chmod(p, mode))
		g := &globals{env: Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }}}
		err := g.serve(context.Background(), serveFlags{listen: "127.0.0.1:0", tokens: p})
		require.Error(t, err)
		require.Contains(t, err.Error(), "chmod 600 "+p)
	}
	require.NoError(t, os.Chmod(p, 0o600))
	f, err := openPrivate(p)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
