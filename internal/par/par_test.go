package par

import (
	"sync/atomic"
	"testing"
)

func TestForCoversRangeOnce(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 7, 1000, 12345} {
		for _, g := range []int{1, 10, 5000} {
			hits := make([]int32, n)
			For(n, g, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("n=%d grain=%d: item %d visited %d times", n, g, i, h)
				}
			}
		}
	}
}

func TestBlocksAreFixed(t *testing.T) {
	t.Parallel()
	var got [4][2]int
	Blocks(10, 3, func(b, lo, hi int) { got[b] = [2]int{lo, hi} })
	want := [4][2]int{{0, 3}, {3, 6}, {6, 9}, {9, 10}}
	if got != want {
		t.Errorf("blocks %v, want %v", got, want)
	}
}
