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
//
// The kernel reads ahead at most max(read_ahead_kb, the device's largest
// request) per call and drops the rest of the range silently, so the advice
// goes out in willNeedChunk pieces: one call for a whole array of a tier-L
// projection (gigabytes) read 8 MB of it here, and the rest came in one
// page per fault.
func WillNeed[T any](s []T) {
	if len(s) == 0 {
		return
	}
	at := unsafe.Pointer(unsafe.SliceData(s))
	back := int(uintptr(at) % uintptr(unix.Getpagesize()))
	start := unsafe.Add(at, -back) // the page s starts in, mapped with it
	n := back + len(s)*int(unsafe.Sizeof(s[0]))
	for off := 0; off < n; off += willNeedChunk {
		_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(start, off)), min(willNeedChunk, n-off)), unix.MADV_WILLNEED)
	}
}

// willNeedChunk is the size of one piece of advice: at most the smallest
// read-ahead limit seen in practice (128 KiB of read_ahead_kb by default,
// with devices that take 512 KiB and more in one request), so none of it
// is dropped, and large enough that a few GB take some thousands of calls.
const willNeedChunk = 512 << 10
