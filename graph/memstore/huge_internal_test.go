//go:build linux

package memstore

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The advised range is whole huge pages inside the buffer, never past it.
func TestHugeRange(t *testing.T) {
	for _, c := range []struct {
		addr      uintptr
		n         int
		off, size int
	}{
		{0, 4 * hugePage, 0, 4 * hugePage},
		{0, 4*hugePage + 100, 0, 4 * hugePage},
		{100, 4 * hugePage, hugePage - 100, 3 * hugePage},
		{hugePage - 1, 2 * hugePage, 1, hugePage},
		{4096, hugePage, 0, 0},
		{0, hugePage - 1, 0, 0},
		{12345, 0, 0, 0},
	} {
		off, size := hugeRange(c.addr, c.n)
		require.Equal(t, []int{c.off, c.size}, []int{off, size}, "addr %d n %d", c.addr, c.n)
		if size > 0 {
			require.Zero(t, (c.addr+uintptr(off))%hugePage)
			require.LessOrEqual(t, off+size, c.n)
		}
	}
	b := make([]byte, 3*hugePage)
	hugePages(b) // advice only: the buffer stays as it was
	b[len(b)-1] = 1
	require.Equal(t, byte(1), b[len(b)-1])
}
