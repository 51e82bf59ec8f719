//go:build linux

package cli_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

// A question reads the stored projection from the mapped store file; when
// another program truncates the file under it, the read faults. Execute
// turns that into exit 2 naming the cause and what to do, not a crash of
// the process and not "internal error, please report".
func TestExecuteFaultOnMappedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	page := os.Getpagesize()
	require.NoError(t, os.WriteFile(path, make([]byte, 4*page), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ, syscall.MAP_SHARED)
	require.NoError(t, err)
	defer syscall.Munmap(m)

	var read byte
	root := &cobra.Command{Use: "q", SilenceErrors: true, SilenceUsage: true, RunE: func(*cobra.Command, []string) error {
		require.NoError(t, os.Truncate(path, int64(page)))
		read = m[2*page] // past the new end of the file
		return nil
	}}
	root.SetArgs(nil)
	err = cli.Execute(context.Background(), root)
	var ee *cli.ExitError
	require.True(t, errors.As(err, &ee), "want an exit error, got %v (read %d)", err, read)
	require.Equal(t, cli.ExitUsage, ee.Code, "%v", err)
	require.Contains(t, err.Error(), "a page of the store file could not be read")
	require.Contains(t, err.Error(), "verify-store")
	require.NotContains(t, err.Error(), "internal error")

	// Any other panic is still an internal error with its stack.
	root.RunE = func(*cobra.Command, []string) error { panic("boom") }
	err = cli.Execute(context.Background(), root)
	require.True(t, errors.As(err, &ee))
	require.Equal(t, cli.ExitInternal, ee.Code)
	require.Contains(t, err.Error(), "internal error, please report")
}
