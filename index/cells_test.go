package index

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// mixtureCodes returns n codes of dim drawn from a mixture of m Gaussians
// with random centres and spreads, scaled like randCodes' (every 11th row
// zero, every 7th a copy of an earlier one): clustered codes, as a trained
// model's are.
func mixtureCodes(r *rand.Rand, n, dim, m int) []float32 {
	return mixtureCodesFrom(r, r, n, dim, m)
}

// mixtureCodesFrom is mixtureCodes drawing the mixture from rm and the
// codes from r.
func mixtureCodesFrom(rm, r *rand.Rand, n, dim, m int) []float32 {
	centre := make([]float64, m*dim)
	spread := make([]float64, m*dim)
	for i := range centre {
		centre[i] = 3 * rm.NormFloat64()
		spread[i] = 0.05 + rm.Float64()
	}
	return codesWith(n, dim, func(row []float32) {
		c := r.IntN(m)
		for d := range row {
			row[d] = float32(centre[c*dim+d] + spread[c*dim+d]*r.NormFloat64())
		}
	})
}

// TestCellsMatchScan checks that searching through cells gives the hits
// and scores of the plain scan, bit for bit, and of a full sort.
func TestCellsMatchScan(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, dim, ncell int
		codes         string // "gauss", "coarse" (many ties), "mixture"
		noCode        int    // every noCode-th document has no code (0: none)
		skew          bool   // some rows off unit length (scanned apart)
	}{
		{n: 3000, dim: 10, ncell: 55, codes: "gauss"},
		{n: 3000, dim: 10, ncell: 55, codes: "coarse"},
		{n: 3000, dim: 10, ncell: 55, codes: "mixture", noCode: 13},
		{n: 3000, dim: 10, ncell: 1, codes: "mixture"},
		{n: 1000, dim: 10, ncell: 1000, codes: "gauss"}, // a row a cell
		{n: 2000, dim: 3, ncell: 40, codes: "gauss", noCode: 5},
		{n: 2000, dim: 3, ncell: 40, codes: "coarse"},
		{n: 50, dim: 10, ncell: 7, codes: "gauss"},
		{n: 500, dim: 1, ncell: 4, codes: "gauss"},
		{n: 3000, dim: 10, ncell: 55, codes: "mixture", skew: true},
		{n: 20000, dim: 10, ncell: 141, codes: "mixture"},
	} {
		name := fmt.Sprintf("n%d/dim%d/cells%d/%s/nocode%d/skew%v", tc.n, tc.dim, tc.ncell, tc.codes, tc.noCode, tc.skew)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if testing.Short() && tc.n > 3000 {
				t.Skip("short: the large case")
			}
			r := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.ncell)))
			var raw []float32
			switch tc.codes {
			case "gauss":
				raw = randCodes(r, tc.n, tc.dim, false)
			case "coarse":
				raw = randCodes(r, tc.n, tc.dim, true)
			case "mixture":
				raw = mixtureCodes(r, tc.n, tc.dim, 12)
			}
			ix := &Index{meta: Meta{FormatVersion: FormatVersion, Dim: tc.dim, Count: tc.n}, docs: make([]Doc, tc.n), raw: raw}
			if tc.noCode > 0 {
				for i := 0; i < tc.n; i += tc.noCode {
					ix.docs[i].NoCode = true
				}
			}
			ix.normalize()
			if tc.skew { // normalize never does this; cells must not rely on it
				for i := 2; i < tc.n; i += 50 {
					for d := range tc.dim {
						ix.unit[i*tc.dim+d] *= 1 + float32(i%3)
					}
				}
			}
			ix.cells.Store(buildCells(ix.unit, tc.dim, tc.ncell, 7))
			if c := ix.cells.Load(); tc.skew != (len(c.other) > 0) {
				t.Fatalf("%d rows off unit length", len(c.other))
			}
			plain := ix.NewSearcher()
			plain.minCells = -1
			s := ix.NewSearcher()

			queries := [][]float32{make([]float32, tc.dim), ix.Code(1), ix.Code(6)}
			nan := randCodes(r, 1, tc.dim, false)
			nan[0] = float32(math.NaN())
			queries = append(queries, nan)
			for range 12 {
				if tc.codes == "mixture" {
					queries = append(queries, mixtureCodes(r, 1, tc.dim, 12))
				} else {
					queries = append(queries, randCodes(r, 1, tc.dim, tc.codes == "coarse"))
				}
			}
			var got, want []Hit
			for qi, q := range queries {
				all := finiteTop(ix, q)
				for _, ex := range []int{-1, 0, 1, tc.n / 2, tc.n - 1} {
					for _, k := range []int{1, 2, 10, 64, tc.n - 1, tc.n, tc.n + 5} {
						want = plain.Search(q, k, ex, want)
						got = s.Search(q, k, ex, got)
						if !slices.Equal(got, want) || !sameBits(got, want) {
							t.Fatalf("query %d k %d exclude %d:\n got %v\nwant %v", qi, k, ex, got, want)
						}
						if ex == -1 && k <= 64 {
							if w := all[:min(k, len(all))]; !slices.Equal(got, w) {
								t.Fatalf("query %d k %d: %v, full sort %v", qi, k, got, w)
							}
						}
					}
				}
			}
		})
	}
}

// finiteTop ranks the rows with a finite documented score by a full sort.
func finiteTop(ix *Index, q []float32) []Hit {
	dim := ix.Dim()
	u := make([]float32, dim)
	if !normalizeTo(u, q) {
		return nil
	}
	var all []Hit
	for i := range ix.Len() {
		var s float32
		for d := range dim {
			s += float32(u[d] * ix.unit[i*dim+d])
		}
		if s == s {
			all = append(all, Hit{Pos: i, Score: clamp1(s)})
		}
	}
	slices.SortFunc(all, CompareHits)
	return all
}

// sameBits reports whether a and b hold the same scores bit for bit (== lets
// -0 equal 0).
func sameBits(a, b []Hit) bool {
	for i := range a {
		if math.Float32bits(a[i].Score) != math.Float32bits(b[i].Score) {
			return false
		}
	}
	return true
}

// TestCellsBuiltOnDemand checks that Search builds the cells in the
// background once an index is large enough, answering exactly meanwhile,
// and that Prepare leaves a small index alone.
func TestCellsBuiltOnDemand(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 9))
	const n = 5000
	ix := memIndex(10, mixtureCodes(r, n, 10, 9))
	s := ix.NewSearcher()
	s.minCells = n
	q := mixtureCodes(r, 1, 10, 9)
	want := bruteForce(ix, q, 10, 3)
	if got := s.Search(q, 10, 3, nil); !slices.Equal(got, want) {
		t.Fatalf("first search: %v, want %v", got, want)
	}
	ix.prepare(n) // waits for the build the search started
	if ix.cells.Load() == nil {
		t.Fatal("no cells after a search of a large enough index")
	}
	if got := s.Search(q, 10, 3, nil); !slices.Equal(got, want) {
		t.Fatalf("search over cells: %v, want %v", got, want)
	}

	small := memIndex(10, mixtureCodes(r, 100, 10, 3))
	small.Prepare()
	small.Search(q, 10, -1)
	if small.cells.Load() != nil {
		t.Error("cells built for 100 codes")
	}
}

// TestCellsPrune checks that the bounds let a search of clustered codes
// skip most rows: a bound made loose by mistake would still give exact
// results, only slowly.
func TestCellsPrune(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(10, 11))
	const n = 20000
	ix := memIndex(10, mixtureCodes(r, n, 10, 20))
	c := buildCells(ix.unit, 10, 141, 1)
	s := ix.NewSearcher()
	var scanned int
	for range 20 {
		q := mixtureCodes(r, 1, 10, 20)
		if !normalizeTo(s.q, q) {
			t.Fatal("query not finite")
		}
		s.heap = s.searchCells(c, 10, -1, s.heap[:0])
		scanned += s.scanned
	}
	// 0.057 when written; a bound loose by a cell's radius scans most rows.
	if frac := float64(scanned) / (20 * n); frac > 0.2 {
		t.Errorf("searches scanned %.2f of the rows, want under 0.2", frac)
	}
}

// TestScoreBlocks checks the block kernels (assembly where the CPU has
// AVX-512, and the Go version) against scan10 and scanAny, bit for bit,
// on rows with zeros, negative zeros, NaN and parallel copies (whose sums
// exceed 1 before the clamp).
func TestScoreBlocks(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(12, 13))
	for _, dim := range []int{1, 3, 10, 17} {
		const nb = 5
		unit := make([]float32, nb*16*dim)
		raw := randCodes(r, nb*16, dim, false)
		for i := range nb * 16 {
			normalizeTo(unit[i*dim:(i+1)*dim], raw[i*dim:(i+1)*dim])
		}
		q := unit[3*dim : 4*dim] // a stored row: sums near 1
		unit[7*dim] = float32(math.NaN())
		unit[9*dim] = float32(math.Copysign(0, -1))
		blocked := make([]float32, len(unit))
		for i := range nb * 16 {
			for d := range dim {
				blocked[(i/16)*16*dim+d*16+i%16] = unit[i*dim+d]
			}
		}
		thr := float32(0.1)
		for _, kernel := range []string{"go", "dispatch"} {
			scores := make([]float32, nb*16)
			masks := make([]uint16, nb)
			if kernel == "go" {
				scoreBlocksGo(blocked, dim, q, dim != 10, thr, scores, masks)
			} else {
				scoreBlocks(blocked, dim, q, dim != 10, thr, scores, masks)
			}
			for i := range nb * 16 {
				var h []Hit
				if dim == 10 {
					h = scan10(unit[i*10:(i+1)*10], q, i, 1, nil)
				} else {
					h = scanAny(unit[i*dim:(i+1)*dim], q, i, 1, nil)
				}
				got := scores[i]
				if len(h) == 0 { // NaN
					if got == got || masks[i/16]&(1<<(i%16)) != 0 {
						t.Errorf("dim %d %s row %d: score %v, want NaN, unmarked", dim, kernel, i, got)
					}
					continue
				}
				if math.Float32bits(got) != math.Float32bits(h[0].Score) {
					t.Errorf("dim %d %s row %d: score %v, want %v", dim, kernel, i, got, h[0].Score)
				}
				if marked := masks[i/16]&(1<<(i%16)) != 0; marked != (got >= thr) {
					t.Errorf("dim %d %s row %d: score %v marked %v", dim, kernel, i, got, marked)
				}
			}
		}
	}
}

// TestCellsAfterUpdate checks searches through cells on indexes that went
// through badger, before and after documents are removed and added (with
// and without codes): each generation builds its own cells.
func TestCellsAfterUpdate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n, dim = 800, 10
	writeTest(t, dir, n, dim, 3, nil)
	check := func(ix *Index) {
		t.Helper()
		ix.prepare(1)
		if ix.cells.Load() == nil {
			t.Fatal("no cells")
		}
		plain := ix.NewSearcher()
		plain.minCells = -1
		step := 7
		if testing.Short() {
			step = 41
		}
		for i := 0; i < ix.Len(); i += step {
			q := ix.Code(i)
			for _, k := range []int{1, 10, ix.Len()} {
				got, want := ix.Search(q, k, i), plain.Search(q, k, i, nil)
				if !slices.Equal(got, want) || !sameBits(got, want) {
					t.Fatalf("doc %d k %d: %v, want %v", i, k, got, want)
				}
			}
		}
	}
	check(mustOpen(t, dir))

	w, err := Update(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for i := 0; i < n; i += 9 {
		if err := w.Remove(testDoc(3, i).ID); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 150 {
		e := testEntry(4, i, dim)
		e.Doc.NoCode = i%10 == 0
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	ix := mustOpen(t, dir)
	if ix.Len() != n-(n+8)/9+150 {
		t.Fatalf("%d documents after the update", ix.Len())
	}
	check(ix)
}

// TestCellsConcurrent searches from many goroutines while the cells are
// built in the background; run it with -race.
func TestCellsConcurrent(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(14, 15))
	const n = 6000
	ix := memIndex(10, mixtureCodes(r, n, 10, 8))
	qs := make([][]float32, 8)
	want := make([][]Hit, len(qs))
	for i := range qs {
		qs[i] = mixtureCodes(r, 1, 10, 8)
		want[i] = bruteForce(ix, qs[i], 10, i)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			s := ix.NewSearcher()
			s.minCells = n
			var dst []Hit
			for j := range 40 {
				i := (g + j) % len(qs)
				if dst = s.Search(qs[i], 10, i, dst); !slices.Equal(dst, want[i]) {
					t.Errorf("goroutine %d query %d: %v, want %v", g, i, dst, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestCellsNoAlloc checks that a warm Searcher searches through cells
// without allocating.
func TestCellsNoAlloc(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 17))
	ix := memIndex(10, mixtureCodes(r, 20000, 10, 10))
	ix.prepare(1)
	s := ix.NewSearcher()
	dst := make([]Hit, 0, 10)
	qs := make([][]float32, 16)
	for i := range qs {
		qs[i] = mixtureCodes(r, 1, 10, 10)
		dst = s.Search(qs[i], 10, 7, dst) // warm: buffers for the largest cell
	}
	i := 0
	if a := testing.AllocsPerRun(20, func() { dst = s.Search(qs[i%len(qs)], 10, 7, dst); i++ }); a != 0 {
		t.Errorf("%v allocations per search, want 0", a)
	}
}
