// Package pool runs independent calls on a bounded number of goroutines
// (docs/performance.md#parallel-load): the experiments root's subfolders
// in the walk, and the experiments a check loads, analyzes and decides.
package pool

import (
	"sync"
	"sync/atomic"
)

// Run calls do(k) for every k in [0, n) from at most workers
// goroutines, each taking the next k when it is done with one. It returns
// when every call has; a panic in one is re-raised here, in the caller's
// goroutine, as it would have been without workers.
func Run(n, workers int, do func(k int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for k := range n {
			do(k)
		}
		return
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		panicked atomic.Pointer[any]
	)
	for range workers {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					panicked.CompareAndSwap(nil, &p)
					next.Store(int64(n)) // the others stop after their current call
				}
			}()
			for {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				do(k)
			}
		})
	}
	wg.Wait()
	if p := panicked.Load(); p != nil {
		panic(*p)
	}
}
