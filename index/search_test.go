package index

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
)

// memIndex builds an Index over codes without badger, for search tests.
func memIndex(dim int, raw []float32) *Index {
	n := len(raw) / dim
	ix := &Index{meta: Meta{FormatVersion: FormatVersion, Dim: dim, Count: n}, docs: make([]Doc, n), raw: raw}
	ix.normalize()
	return ix
}

// bruteForce ranks every row by the documented score with a full sort.
func bruteForce(ix *Index, q []float32, k, exclude int) []Hit {
	dim := ix.Dim()
	u := make([]float32, dim)
	if !normalizeTo(u, q) {
		return nil
	}
	var all []Hit
	for i := range ix.Len() {
		if i == exclude {
			continue
		}
		var s float32
		for d := range dim {
			s += float32(u[d] * ix.unit[i*dim+d])
		}
		all = append(all, Hit{Pos: i, Score: clamp1(s)})
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].Score != all[b].Score {
			return all[a].Score > all[b].Score
		}
		return all[a].Pos < all[b].Pos
	})
	if k < 0 {
		k = 0
	}
	return all[:min(k, len(all))]
}

// randCodes returns n codes of dim: Gaussian, or from {-1, 0, 1} when
// coarse (many exact ties), with every 11th row zero and every 7th a copy of
// an earlier row.
func randCodes(r *rand.Rand, n, dim int, coarse bool) []float32 {
	return codesWith(n, dim, func(row []float32) {
		for d := range row {
			if coarse {
				row[d] = float32(r.IntN(3) - 1)
			} else {
				row[d] = float32(r.NormFloat64())
			}
		}
	})
}

// codesWith returns n codes of dim, every 11th row zero, every 7th a copy
// of an earlier row, the others filled by fill.
func codesWith(n, dim int, fill func(row []float32)) []float32 {
	raw := make([]float32, n*dim)
	for i := range n {
		row := raw[i*dim : (i+1)*dim]
		switch {
		case i%11 == 4:
		case i%7 == 6:
			copy(row, raw[(i-3)*dim:(i-2)*dim])
		default:
			fill(row)
		}
	}
	return raw
}

func TestSearchMatchesBruteForce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, dim   int
		coarse   bool
		parts    int // 0: default split
		minRows  int
		excludes []int
	}{
		{n: 1, dim: 10, excludes: []int{-1, 0}},
		{n: 37, dim: 10, excludes: []int{-1, 0, 36, 5, 99}},
		{n: 500, dim: 10, coarse: true, excludes: []int{-1, 4, 250}},
		{n: 500, dim: 3, excludes: []int{-1, 0, 499}},
		{n: 300, dim: 2, coarse: true, excludes: []int{-1, 17}},
		{n: 257, dim: 1, excludes: []int{-1, 3}},
		{n: 1000, dim: 10, parts: 3, minRows: 1, excludes: []int{-1, 0, 333, 334, 999}},
		{n: 1000, dim: 10, coarse: true, parts: 7, minRows: 1, excludes: []int{-1, 142, 143}},
		{n: 999, dim: 5, parts: 4, minRows: 100, excludes: []int{-1, 500}},
		{n: 40000, dim: 10, excludes: []int{-1, 20000}}, // default split
	} {
		name := fmt.Sprintf("n%d/dim%d/coarse%v/parts%d", tc.n, tc.dim, tc.coarse, tc.parts)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.dim)))
			ix := memIndex(tc.dim, randCodes(r, tc.n, tc.dim, tc.coarse))
			s := ix.NewSearcher()
			s.maxParts, s.minRows = tc.parts, tc.minRows
			queries := [][]float32{make([]float32, tc.dim)} // zero query: all scores 0
			queries = append(queries, ix.Code(0))           // a stored code: ties with its copies
			for range 6 {
				queries = append(queries, randCodes(r, 1, tc.dim, tc.coarse))
			}
			var dst []Hit
			for qi, q := range queries {
				for _, ex := range tc.excludes {
					all := bruteForce(ix, q, tc.n, ex)
					for _, k := range []int{0, 1, 2, 3, 10, 64, tc.n - 1, tc.n, tc.n + 5} {
						want := all[:max(0, min(k, len(all)))]
						dst = s.Search(q, k, ex, dst)
						if !slices.Equal(dst, want) {
							t.Fatalf("query %d k %d exclude %d:\n got %v\nwant %v", qi, k, ex, dst, want)
						}
						if k == 10 && ex == -1 {
							if got := ix.Search(q, k, ex); !slices.Equal(got, want) {
								t.Fatalf("Index.Search differs: %v, want %v", got, want)
							}
						}
					}
				}
			}
		})
	}
}

// TestSearchScores checks scores against float64 cosine; the tolerance
// 1e-5 is a few float32 ulps of 1 times the ten terms of the sum.
func TestSearchScores(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const n, dim = 200, 10
	raw := randCodes(r, n, dim, false)
	raw[0] = 3e38 // finite but overflows a float32 sum of squares
	ix := memIndex(dim, raw)
	q := randCodes(r, 1, dim, false)
	for _, h := range ix.Search(q, n, -1) {
		x := raw[h.Pos*dim : (h.Pos+1)*dim]
		var dot, nq, nx float64
		for d := range dim {
			dot += float64(q[d]) * float64(x[d])
			nq += float64(q[d]) * float64(q[d])
			nx += float64(x[d]) * float64(x[d])
		}
		want := 0.0
		if nx > 0 {
			want = dot / math.Sqrt(nq*nx)
		}
		if math.Abs(float64(h.Score)-want) > 1e-5 {
			t.Errorf("pos %d: score %v, cosine %v", h.Pos, h.Score, want)
		}
	}
	if got := ix.Search([]float32{1, float32(math.NaN()), 0, 0, 0, 0, 0, 0, 0, 0}, 5, -1); len(got) != 0 {
		t.Errorf("NaN query gave %v, want no hits", got)
	}
}

func TestSearchPanicsOnWrongDim(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	memIndex(3, make([]float32, 9)).Search([]float32{1, 2}, 1, -1)
}

func TestSearcherNoAlloc(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ix := memIndex(10, randCodes(r, 40000, 10, false)) // parallel when GOMAXPROCS > 1
	q := randCodes(r, 1, 10, false)
	for _, parts := range []int{0, 1, 4} {
		s := ix.NewSearcher()
		s.maxParts, s.minRows = parts, 1
		dst := make([]Hit, 0, 10)
		if a := testing.AllocsPerRun(20, func() { dst = s.Search(q, 10, 7, dst) }); a != 0 {
			t.Errorf("parts %d: %v allocations per search, want 0", parts, a)
		}
	}
}

// TestConcurrentSearch runs Searchers and Index.Search from many goroutines
// at once; run it with -race.
func TestConcurrentSearch(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	ix := memIndex(10, randCodes(r, 40000, 10, true))
	qs := make([][]float32, 8)
	want := make([][]Hit, len(qs))
	for i := range qs {
		qs[i] = randCodes(r, 1, 10, true)
		want[i] = bruteForce(ix, qs[i], 10, i)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			s := ix.NewSearcher()
			var dst []Hit
			for j := range 20 {
				i := (g + j) % len(qs)
				if g%2 == 0 {
					dst = s.Search(qs[i], 10, i, dst)
				} else {
					dst = ix.Search(qs[i], 10, i)
				}
				if !slices.Equal(dst, want[i]) {
					t.Errorf("goroutine %d query %d: %v, want %v", g, i, dst, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestSearchOpened checks Search over an index that went through badger.
func TestSearchOpened(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTest(t, dir, 300, 10, 8, nil)
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		q := ix.Code(i)
		got := ix.Search(q, 5, i)
		if want := bruteForce(ix, q, 5, i); !slices.Equal(got, want) {
			t.Fatalf("doc %d: %v, want %v", i, got, want)
		}
	}
}

// TestTopK checks TopK against a full sort on random scores with many ties
// and left-out (-Inf) positions.
func TestTopK(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 12))
	for _, n := range []int{1, 7, 100, 1000} {
		scores := make([]float32, n)
		var all []Hit
		for i := range scores {
			switch rng.IntN(4) {
			case 0:
				scores[i] = float32(math.Inf(-1))
				continue
			case 1:
				scores[i] = 0.5 // ties, ranked by position
			default:
				scores[i] = float32(rng.IntN(20)) / 10
			}
			all = append(all, Hit{Pos: i, Score: scores[i]})
		}
		slices.SortFunc(all, CompareHits)
		for _, k := range []int{1, 3, n, n + 5} {
			got, total := TopK(scores, k)
			want := all[:min(k, len(all))]
			if total != len(all) || !slices.Equal(got, want) {
				t.Fatalf("n=%d k=%d: %v (of %d), want %v (of %d)", n, k, got, total, want, len(all))
			}
		}
	}
}
