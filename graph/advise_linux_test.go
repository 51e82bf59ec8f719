//go:build linux

package graph_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/reachgraph/reachgraph/graph"
)

// resident counts the pages of m in memory.
func resident(t *testing.T, m []byte) int {
	t.Helper()
	vec := make([]byte, (len(m)+os.Getpagesize()-1)/os.Getpagesize())
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(unsafe.SliceData(m))), uintptr(len(m)), uintptr(unsafe.Pointer(unsafe.SliceData(vec))))
	require.Zero(t, errno, "mincore")
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// WillNeed on a large range of a file mapped for random access (as bbolt
// maps the store) has the whole range read ahead, not only the first
// read-ahead window of it (the kernel caps one call at about
// read_ahead_kb and drops the rest).
func TestWillNeedReadsTheWholeRange(t *testing.T) {
	const size = 96 << 20
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	for range size / len(buf) {
		_, err := f.Write(buf)
		require.NoError(t, err)
	}
	require.NoError(t, f.Sync())
	require.NoError(t, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
	m, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	require.NoError(t, err)
	defer unix.Munmap(m)
	require.NoError(t, unix.Madvise(m, unix.MADV_RANDOM))
	pages := size / os.Getpagesize()
	require.Less(t, resident(t, m), pages/4, "the file's pages left the page cache (needs a disk file system, not tmpfs, under %s)", t.TempDir())

	graph.WillNeed(m[4096:]) // from an offset, as an array inside the file is
	got := 0
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got = resident(t, m); got >= pages-1 {
			break
		}
	}
	require.GreaterOrEqual(t, got, pages-1, "pages read ahead (the first page may be left out)")
}
