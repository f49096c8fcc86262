package pool

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, workers int }{{0, 4}, {1, 4}, {5, 1}, {100, 2}, {100, 7}, {3, 64}} {
		t.Run(fmt.Sprintf("n=%d,workers=%d", tc.n, tc.workers), func(t *testing.T) {
			calls := make([]atomic.Int32, tc.n)
			var running, most atomic.Int32
			Run(tc.n, tc.workers, func(k int) {
				r := running.Add(1)
				for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
				}
				calls[k].Add(1)
				runtime.Gosched()
				running.Add(-1)
			})
			for k := range calls {
				if c := calls[k].Load(); c != 1 {
					t.Errorf("do(%d) called %d times", k, c)
				}
			}
			if m := int(most.Load()); m > max(tc.workers, 1) {
				t.Errorf("%d calls at once, workers = %d", m, tc.workers)
			}
		})
	}
}

// TestRunPanic checks that a panic in a worker reaches the caller,
// where a recover (the action has one) can see it, instead of killing the
// process from another goroutine.
func TestRunPanic(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 2, 8} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			var got any
			func() {
				defer func() { got = recover() }()
				Run(50, workers, func(k int) {
					if k == 17 {
						panic("boom 17")
					}
				})
			}()
			if got != "boom 17" {
				t.Errorf("recovered %v, want boom 17", got)
			}
		})
	}
}
