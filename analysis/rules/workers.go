package rules

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// workers runs work(i) for i in [0, n) on k goroutines. A panic in a worker
// is carried to the caller's goroutine (with the worker's stack) once every
// worker has stopped, so the process's panic handling sees it instead of the
// runtime killing the process from the worker. stop is polled before each
// item.
func workers(k, n int, stop func() bool, work func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var crash atomic.Value
	for range max(1, k) {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					crash.CompareAndSwap(nil, fmt.Sprintf("%v\n\nworker goroutine:\n%s", r, debug.Stack()))
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || stop() || crash.Load() != nil {
					return
				}
				work(i)
			}
		})
	}
	wg.Wait()
	if c := crash.Load(); c != nil {
		panic(c)
	}
}
