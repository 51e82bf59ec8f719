//go:build linux

package memstore

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// truncatedMap maps a file of pages pages and truncates it to one page, as
// another program might while reachgraph reads the store: reading past the
// first page then faults (SIGBUS).
func truncatedMap(t *testing.T, pages int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	size := pages * os.Getpagesize()
	require.NoError(t, os.WriteFile(path, make([]byte, size), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Munmap(b) })
	require.NoError(t, os.Truncate(path, int64(os.Getpagesize())))
	return b
}

// TestFirstBadFault: the checksum workers read the mapped file in goroutines
// of their own; a page that vanished is an error naming the fault, not a
// crash of the process.
func TestFirstBadFault(t *testing.T) {
	b := truncatedMap(t, 8)
	page := os.Getpagesize()
	bad, err := firstBad(8, func(i int) bool { return b[i*page] != 0 })
	var pe *panicError
	require.True(t, errors.As(err, &pe), "want a recovered fault, got %v", err)
	require.Contains(t, err.Error(), "unreadable page")
	require.Equal(t, -1, bad)

	// The intact case still finds the first bad index.
	bad, err = firstBad(8, func(i int) bool { return i >= 5 })
	require.NoError(t, err)
	require.Equal(t, 5, bad)
}
