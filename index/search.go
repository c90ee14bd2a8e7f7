package index

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Hit is one search result: a position and its cosine similarity to the
// query.
type Hit struct {
	Pos   int
	Score float32
}

// CompareHits orders hits best first: higher score, then lower position
// (for slices.SortFunc).
func CompareHits(a, b Hit) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	return cmp.Compare(a.Pos, b.Pos)
}

// Search returns the k codes most similar to q by cosine, best first, ties
// broken by lower position, leaving out position exclude (-1 for none).
// The score of row i is sum_d float32(u_d*v_id) added in order of d, where u
// and v_i are q and code i scaled to unit length; a zero code scores 0.
// It panics if len(q) != Dim. It is safe for concurrent use; each call
// allocates only its result. See Searcher for a version that allocates
// nothing.
func (ix *Index) Search(q []float32, k int, exclude int) []Hit {
	s, _ := ix.pool.Get().(*Searcher)
	if s == nil {
		s = ix.NewSearcher()
	}
	hits := s.Search(q, k, exclude, nil)
	ix.pool.Put(s)
	return hits
}

// Searcher holds the buffers of one goroutine's searches over an Index, so
// that Search allocates nothing once warm. A Searcher is not safe for
// concurrent use; make one per goroutine.
type Searcher struct {
	ix    *Index
	q     []float32 // query scaled to unit length
	parts []part
	merge []Hit
	wg    sync.WaitGroup
	heap  []Hit     // the hits of a search over cells
	keys  []cellKey // the cells in order of their bounds
	// scores and masks of the blocks of one cell (see scoreBlocks)
	scores []float32
	masks  []uint16
	// scanned counts the rows scored by the last search over cells.
	scanned int

	// Tests set these to force the parallel path on small indexes.
	maxParts, minRows int
	// Tests set this to build cells on small indexes (0: minCellRows;
	// -1: never use cells).
	minCells int
}

// NewSearcher returns a Searcher over ix.
func (ix *Index) NewSearcher() *Searcher {
	return &Searcher{ix: ix, q: make([]float32, ix.meta.Dim)}
}

// minRowsPerPart is the fewest rows worth handing to another goroutine:
// scoring 16k rows of dim 10 takes tens of microseconds, far above the cost
// of a hand-off.
const minRowsPerPart = 16 << 10

// Search is Index.Search writing into dst[:0]; it allocates only if dst
// lacks capacity for the hits. If q holds NaN or Inf, Search returns
// dst[:0].
func (s *Searcher) Search(q []float32, k int, exclude int, dst []Hit) []Hit {
	ix := s.ix
	dim, n := ix.meta.Dim, len(ix.docs)
	if len(q) != dim {
		panic(fmt.Sprintf("index: Search: query has length %d, index dim is %d", len(q), dim))
	}
	dst = dst[:0]
	if exclude < 0 || exclude >= n {
		exclude = -1
	}
	avail := n
	if exclude >= 0 {
		avail--
	}
	k = min(k, avail)
	if k <= 0 || !normalizeTo(s.q, q) {
		return dst
	}
	if c := s.cells(); c != nil && !isZero(s.q) {
		s.heap = s.searchCells(c, k, exclude, s.heap[:0])
		slices.SortFunc(s.heap, CompareHits)
		return append(dst, s.heap...)
	}

	maxParts, minRows := runtime.GOMAXPROCS(0), minRowsPerPart
	if s.maxParts > 0 {
		maxParts, minRows = s.maxParts, s.minRows
	}
	np := max(min(maxParts, n/minRows), 1)
	if cap(s.parts) < np {
		s.parts = make([]part, np)
	}
	s.parts = s.parts[:np]
	step := (n + np - 1) / np
	for i := range s.parts {
		p := &s.parts[i]
		lo, hi := min(i*step, n), min((i+1)*step, n)
		*p = part{
			unit: ix.unit, q: s.q, dim: dim, k: k,
			lo: lo, hi: hi, exclude: exclude,
			hits: p.hits[:0], wg: &s.wg,
		}
		if cap(p.hits) < k {
			p.hits = make([]Hit, 0, k)
		}
	}
	if np > 1 {
		startWorkers()
		s.wg.Add(np - 1)
		for i := 1; i < np; i++ {
			work <- &s.parts[i]
		}
	}
	s.parts[0].run()
	s.wg.Wait()

	if np == 1 {
		slices.SortFunc(s.parts[0].hits, CompareHits)
		return append(dst, s.parts[0].hits...)
	}
	s.merge = s.merge[:0]
	for i := range s.parts {
		s.merge = append(s.merge, s.parts[i].hits...)
	}
	slices.SortFunc(s.merge, CompareHits)
	return append(dst, s.merge[:k]...)
}

// cells returns the cells of the index, or nil while they are not built.
// On an index of at least minCellRows rows, the first call starts building
// them in the background; searches scan every row until they are ready.
func (s *Searcher) cells() *cells {
	ix := s.ix
	if c := ix.cells.Load(); c != nil {
		return c
	}
	lim := minCellRows
	if s.minCells != 0 {
		lim = s.minCells
	}
	if lim < 0 || len(ix.docs) < lim {
		return nil
	}
	if ix.cellsStarted.CompareAndSwap(false, true) {
		go ix.prepare(lim)
	}
	return nil
}

// Prepare builds now, and waits for, the structure that Search uses on an
// index of many codes, which Search otherwise starts building in the
// background on its first call (and scans every code until it is ready).
// At a million codes of dim 10 the build takes about 0.6 s of CPU and
// holds 45 bytes per document; Prepare does nothing on an index too small
// to gain from it (under 65,536 codes). On an index written before
// Meta.Tokens it also counts the full-text index's tokens, which the first
// keyword query would otherwise count (an error is left for that query to
// report). It is safe for concurrent use.
func (ix *Index) Prepare() {
	if ix.meta.Tokens == nil && ix.text != nil {
		_, _ = ix.tokens()
	}
	ix.prepare(minCellRows)
}

func (ix *Index) prepare(lim int) {
	ix.cellsOnce.Do(func() {
		n := len(ix.docs)
		if n < lim {
			return
		}
		ix.cellsStarted.Store(true)
		ix.cells.Store(buildCells(ix.unit, ix.meta.Dim, int(math.Sqrt(float64(n))), 1))
	})
}

// isZero reports whether every element of x is zero.
func isZero(x []float32) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}

// part is one goroutine's share of a search: the top k of rows [lo, hi).
type part struct {
	unit    []float32
	q       []float32
	dim, k  int
	lo, hi  int
	exclude int
	hits    []Hit // min-heap: hits[0] is the worst kept
	wg      *sync.WaitGroup
}

func (p *part) run() {
	lo, hi := p.lo, p.hi
	if p.exclude >= lo && p.exclude < hi {
		p.scan(lo, p.exclude)
		p.scan(p.exclude+1, hi)
		return
	}
	p.scan(lo, hi)
}

// scan scores rows [lo, hi) in increasing order. Rows come in increasing
// position, so a row that only ties the worst kept hit ranks below it and
// is skipped: only score > threshold can enter a full heap.
func (p *part) scan(lo, hi int) {
	if lo >= hi {
		return
	}
	if p.dim == 10 {
		p.hits = scan10(p.unit[lo*10:hi*10], p.q, lo, p.k, p.hits)
		return
	}
	p.hits = scanAny(p.unit[lo*p.dim:hi*p.dim], p.q, lo, p.k, p.hits)
}

// threshold is the score a row must beat to enter h.
func threshold(h []Hit, k int) float32 {
	if len(h) < k {
		return float32(math.Inf(-1))
	}
	return h[0].Score
}

// scan10 is scanAny unrolled for dim 10, the code size of the paper's
// document autoencoder; the products are rounded explicitly so that no
// fused multiply-add changes a score.
func scan10(rows, q []float32, base, k int, h []Hit) []Hit {
	q = q[:10]
	q0, q1, q2, q3, q4 := q[0], q[1], q[2], q[3], q[4]
	q5, q6, q7, q8, q9 := q[5], q[6], q[7], q[8], q[9]
	thr := threshold(h, k)
	for i := 0; i+10 <= len(rows); i += 10 {
		x := rows[i : i+10 : i+10]
		s := float32(q0*x[0]) + float32(q1*x[1]) + float32(q2*x[2]) + float32(q3*x[3]) +
			float32(q4*x[4]) + float32(q5*x[5]) + float32(q6*x[6]) + float32(q7*x[7]) +
			float32(q8*x[8]) + float32(q9*x[9])
		s = clamp1(s)
		if s > thr {
			h = push(h, k, Hit{Pos: base + i/10, Score: s})
			thr = threshold(h, k)
		}
	}
	return h
}

// scanAny scores rows of any dim.
func scanAny(rows, q []float32, base, k int, h []Hit) []Hit {
	dim := len(q)
	thr := threshold(h, k)
	for i, r := 0, base; i+dim <= len(rows); i, r = i+dim, r+1 {
		x := rows[i : i+dim : i+dim]
		var s float32
		for d, v := range x {
			s += float32(q[d] * v)
		}
		s = clamp1(s)
		if s > thr {
			h = push(h, k, Hit{Pos: r, Score: s})
			thr = threshold(h, k)
		}
	}
	return h
}

// clamp1 limits a cosine to at most 1, which rounding can exceed by an
// ulp (1.0000001 for parallel codes). Scores are clamped before they are
// ranked, so clamped scores tie and rank by position. (A cosine below -1
// cannot matter to a top-k search; CosinesTo clamps both ends.) A NaN stays
// NaN and enters no result.
func clamp1(s float32) float32 { return min(s, 1) }

// CosinesTo writes the cosine between q and every code to dst, which must
// have Len() entries: the same float32 sums as Search, clamped to [-1, 1];
// NaN for the documents without a code (Doc.NoCode). It returns false and
// leaves dst alone if q is not finite or len(q) != Dim.
func (ix *Index) CosinesTo(dst, q []float32) bool {
	dim, n := ix.meta.Dim, len(ix.docs)
	if len(dst) != n {
		panic(fmt.Sprintf("index: CosinesTo: dst has length %d, want %d", len(dst), n))
	}
	u := make([]float32, dim)
	if len(q) != dim || !normalizeTo(u, q) {
		return false
	}
	for i := range dst {
		x := ix.unit[i*dim : (i+1)*dim : (i+1)*dim]
		var s float32
		for d, v := range x {
			s += float32(u[d] * v)
		}
		dst[i] = max(min(s, 1), -1)
	}
	return true
}

// TopK returns the k best positions of scores, best first: higher score,
// then lower position. Positions scored -Inf are left out; TopK also
// returns how many are not. It serves callers that score every document
// themselves, such as a fusion of rankings.
func TopK(scores []float32, k int) ([]Hit, int) {
	h := make([]Hit, 0, k+1)
	total := 0
	left := float32(math.Inf(-1))
	for i, s := range scores {
		if s == left {
			continue
		}
		total++
		x := Hit{Pos: i, Score: s}
		if len(h) == k && !worse(h[0], x) {
			continue
		}
		h = push(h, k, x)
	}
	slices.SortFunc(h, CompareHits)
	return h, total
}

// worse reports whether a ranks below b.
func worse(a, b Hit) bool {
	return a.Score < b.Score || (a.Score == b.Score && a.Pos > b.Pos)
}

// push adds x to the min-heap h of at most k hits, replacing the worst one
// when full. The caller has checked that x beats it.
func push(h []Hit, k int, x Hit) []Hit {
	if len(h) < k {
		h = append(h, x)
		for i := len(h) - 1; i > 0; {
			parent := (i - 1) / 2
			if !worse(h[i], h[parent]) {
				break
			}
			h[i], h[parent] = h[parent], h[i]
			i = parent
		}
		return h
	}
	h[0] = x
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && worse(h[c+1], h[c]) {
			c++
		}
		if !worse(h[c], h[i]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	return h
}

// work feeds parts of large searches to helper goroutines shared by all
// Searchers. They start on the first large search, one per CPU, and park
// on the channel when idle.
var (
	work        = make(chan *part, 64)
	workersOnce sync.Once
)

func startWorkers() {
	workersOnce.Do(func() {
		for range max(runtime.NumCPU(), runtime.GOMAXPROCS(0)) {
			go func() {
				for p := range work {
					p.run()
					p.wg.Done()
				}
			}()
		}
	})
}

// CosinesAt writes the cosine between q and the code of each position of
// pos to dst (len(pos) entries), as CosinesTo computes them. It returns
// false and leaves dst alone if q is not finite or len(q) != Dim.
func (ix *Index) CosinesAt(dst, q []float32, pos []int) bool {
	dim := ix.meta.Dim
	if len(dst) != len(pos) {
		panic(fmt.Sprintf("index: CosinesAt: dst has length %d, want %d", len(dst), len(pos)))
	}
	u := make([]float32, dim)
	if len(q) != dim || !normalizeTo(u, q) {
		return false
	}
	for k, i := range pos {
		x := ix.unit[i*dim : (i+1)*dim : (i+1)*dim]
		var s float32
		for d, v := range x {
			s += float32(u[d] * v)
		}
		dst[k] = max(min(s, 1), -1)
	}
	return true
}
