package graph

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// WillNeed tells the kernel that s, typically part of a store's memory-mapped
// file lent by a DerivedViewer, will be read soon, so that its pages are read
// ahead in large requests. A store may map its file for random access (bbolt
// does), where every first touch of a page is otherwise one small read: a
// pass over a few hundred MB of a cold file then waits on tens of thousands
// of them. On memory that is not a file's it does nothing that matters. It is
// advice: errors are ignored.
func WillNeed[T any](s []T) {
	if len(s) == 0 {
		return
	}
	at := unsafe.Pointer(unsafe.SliceData(s))
	back := int(uintptr(at) % uintptr(unix.Getpagesize()))
	start := unsafe.Add(at, -back) // the page s starts in, mapped with it
	n := back + len(s)*int(unsafe.Sizeof(s[0]))
	_ = unix.Madvise(unsafe.Slice((*byte)(start), n), unix.MADV_WILLNEED)
}
