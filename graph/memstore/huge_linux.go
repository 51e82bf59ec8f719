package memstore

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on x86-64 and arm64.
const hugePage = 2 << 20

// hugePages asks the kernel to back b, a new allocation not yet touched,
// with transparent huge pages where it can (the 2 MiB-aligned part of b):
// copying hundreds of MB into fresh memory otherwise takes a page fault per
// 4 KiB, which costs more than the copy (docs/performance.md).
func hugePages(b []byte) {
	off, n := hugeRange(uintptr(unsafe.Pointer(unsafe.SliceData(b))), len(b))
	if n > 0 {
		_ = unix.Madvise(b[off:off+n], unix.MADV_HUGEPAGE) // advice: ignored where not supported
	}
}

// hugeRange returns the whole huge pages of the n bytes at addr, as an offset
// from addr and a length (0 when there is none).
func hugeRange(addr uintptr, n int) (off, length int) {
	off = int((hugePage - addr%hugePage) % hugePage)
	if n-off < hugePage {
		return 0, 0
	}
	return off, (n - off) &^ (hugePage - 1)
}
