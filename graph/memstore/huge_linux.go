package memstore

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePages asks the kernel to back b, a new allocation not yet touched,
// with transparent huge pages where it can (the 2 MiB-aligned part of b):
// copying hundreds of MB into fresh memory otherwise takes a page fault per
// 4 KiB, which costs more than the copy (docs/performance.md).
func hugePages(b []byte) {
	const huge = 2 << 20
	off := int((huge - uintptr(unsafe.Pointer(unsafe.SliceData(b)))%huge) % huge)
	if len(b)-off < huge {
		return
	}
	n := (len(b) - off) &^ (huge - 1)
	_ = unix.Madvise(b[off:off+n], unix.MADV_HUGEPAGE) // advice: ignored where not supported
}
