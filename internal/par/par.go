// Package par runs loops over both cores (all of GOMAXPROCS) in contiguous
// chunks. The split depends only on n, grain and GOMAXPROCS, never on timing,
// so work whose result depends on the chunk (per-chunk random streams) stays
// reproducible on a given machine setting.
package par

import (
	"runtime"
	"sync"
)

// For calls fn(lo, hi) on disjoint ranges covering [0, n). Ranges hold at
// least grain items (except the last), so small loops run inline on the
// calling goroutine without any synchronisation cost.
func For(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	workers := runtime.GOMAXPROCS(0)
	if w := n / grain; w < workers {
		workers = w
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	fn(0, min(chunk, n))
	wg.Wait()
}

// Blocks calls fn(b, lo, hi) for fixed blocks [b*size, min((b+1)*size, n)),
// spread over the cores. The block boundaries are independent of the number
// of cores, which makes per-block random streams reproducible everywhere.
func Blocks(n, size int, fn func(b, lo, hi int)) {
	if n <= 0 {
		return
	}
	nb := (n + size - 1) / size
	For(nb, 1, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			fn(b, b*size, min((b+1)*size, n))
		}
	})
}
