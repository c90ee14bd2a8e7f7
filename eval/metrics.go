package eval

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// RecallLevels are the recall levels at which precision is reported.
var RecallLevels = []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.0}

// KLevels are the numbers of retrieved documents at which accuracy
// (precision at k) is reported: the ladder 2^i - 1 (1, 3, 7, 15, ...) plus
// 10, the first page of a search engine.
var KLevels = []int{1, 3, 7, 10, 15, 31, 63, 127, 255, 511, 1023}

// Curve holds one method's averaged metrics, keyed as RecallKey and KKey
// format them.
type Curve struct {
	// PrecisionAtRecall maps RecallKey(r) to the mean precision at recall r.
	PrecisionAtRecall map[string]float64 `json:"precision_at_recall"`
	// AccuracyAtK maps KKey(k) to the mean fraction of the first k
	// retrieved documents that share the query's label: precision at k.
	AccuracyAtK map[string]float64 `json:"accuracy_at_k"`
	// MAP is the mean average precision over the full ranking; absent
	// (zero) when no query was averaged, positive otherwise.
	MAP float64 `json:"map,omitempty"`
}

// Report gathers the curves of several methods evaluated on the same
// queries.
type Report struct {
	// Queries is the number of queries averaged (those with R >= 1).
	Queries int `json:"queries"`
	// Methods maps a method's name ("LSA-10", "TF-IDF", ...) to its curve.
	Methods map[string]Curve `json:"methods"`
}

// RecallKey returns the map key of recall level r:
// strconv.FormatFloat(r, 'f', -1, 64), with ".0" added when r is a whole
// number, so 0.1 gives "0.1" and 1 gives "1.0".
func RecallKey(r float64) string {
	s := strconv.FormatFloat(r, 'f', -1, 64)
	if r == math.Trunc(r) && !math.IsInf(r, 0) {
		s += ".0"
	}
	return s
}

// KKey returns the map key of cut-off k, in decimal.
func KKey(k int) string { return strconv.Itoa(k) }

// Scorer scores one query document against all documents.
// Implementations must allow concurrent calls to Score.
type Scorer interface {
	// Len returns the number of documents.
	Len() int
	// Score writes the score of every document for query document q into
	// dst, which has Len() entries; dst[q] is ignored.
	Score(q int, dst []float32)
}

// BlockScorer is a Scorer that can score several queries at once, for
// example with one matrix product. Evaluate uses ScoreBlock when present.
type BlockScorer interface {
	Scorer
	// ScoreBlock writes the scores for query qs[i] into
	// dst[i*Len() : (i+1)*Len()]; dst has len(qs)*Len() entries.
	ScoreBlock(qs []int, dst []float32)
}

// evalBlock is the number of queries a worker claims at a time.
const evalBlock = 32

// Evaluate runs every labeled document of s as a query against all the other
// documents and returns the averaged curve and the number of queries averaged
// (those with at least one relevant document). labels[i] is document i's
// label; "" marks an unlabeled document. See the package documentation for
// the protocol. It panics if len(labels) != s.Len().
func Evaluate(s Scorer, labels []string) (Curve, int) {
	return EvaluateQueries(s, labels, nil)
}

// EvaluateQueries is Evaluate with only the documents of from as queries
// (nil: every document), each still ranking all the others: for example
// held-out documents searched against a collection. A document of from
// that is unlabeled or alone with its label is skipped, as in Evaluate. It
// panics if len(labels) != s.Len() or a position of from is out of range.
func EvaluateQueries(s Scorer, labels []string, from []int) (Curve, int) {
	n := s.Len()
	if len(labels) != n {
		panic(fmt.Sprintf("eval: %d labels for %d documents", len(labels), n))
	}
	lab, members := labelIDs(labels)
	var queries []int
	if from == nil {
		for i := range lab {
			if lab[i] >= 0 && len(members[lab[i]]) >= 2 {
				queries = append(queries, i)
			}
		}
	}
	for _, i := range from {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("eval: query %d of %d documents", i, n))
		}
		if lab[i] >= 0 && len(members[lab[i]]) >= 2 {
			queries = append(queries, i)
		}
	}
	nq := len(queries)
	nr, nk := len(RecallLevels), len(KLevels)
	prec := make([]float64, nq*nr)
	acc := make([]float64, nq*nk)
	ap := make([]float64, nq)

	workers := min(runtime.GOMAXPROCS(0), (nq+evalBlock-1)/evalBlock)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rk := newRanker(n)
			scores := make([]float32, evalBlock*n)
			bs, isBlock := s.(BlockScorer)
			for {
				lo := int(next.Add(evalBlock)) - evalBlock
				if lo >= nq {
					return
				}
				hi := min(lo+evalBlock, nq)
				qs := queries[lo:hi]
				if isBlock {
					bs.ScoreBlock(qs, scores[:len(qs)*n])
				} else {
					for i, q := range qs {
						s.Score(q, scores[i*n:(i+1)*n])
					}
				}
				for i, q := range qs {
					ap[lo+i] = rk.query(q, scores[i*n:(i+1)*n], members[lab[q]], prec[(lo+i)*nr:(lo+i+1)*nr], acc[(lo+i)*nk:(lo+i+1)*nk])
				}
			}
		}()
	}
	wg.Wait()

	c := Curve{
		PrecisionAtRecall: make(map[string]float64, nr),
		AccuracyAtK:       make(map[string]float64, nk),
	}
	if nq == 0 {
		return c, 0
	}
	for l, r := range RecallLevels {
		var sum float64
		for i := range nq {
			sum += prec[i*nr+l]
		}
		c.PrecisionAtRecall[RecallKey(r)] = sum / float64(nq)
	}
	for l, k := range KLevels {
		var sum float64
		for i := range nq {
			sum += acc[i*nk+l]
		}
		c.AccuracyAtK[KKey(k)] = sum / float64(nq)
	}
	var sum float64
	for _, a := range ap {
		sum += a
	}
	c.MAP = sum / float64(nq)
	return c, nq
}

// labelIDs numbers the distinct non-empty labels in order of appearance and
// lists the documents of each, in order; "" gets -1.
func labelIDs(labels []string) (lab []int32, members [][]int) {
	ids := make(map[string]int32)
	lab = make([]int32, len(labels))
	for i, l := range labels {
		if l == "" {
			lab[i] = -1
			continue
		}
		id, ok := ids[l]
		if !ok {
			id = int32(len(members))
			ids[l] = id
			members = append(members, nil)
		}
		lab[i] = id
		members[id] = append(members[id], i)
	}
	return lab, members
}

// rankKey packs a document's score and position into a key whose unsigned
// order is the ranking order: higher key, better rank. The upper 32 bits
// order the score (NaN lowest, -0 as +0), the lower 32 bits are the
// complement of the position, so lower positions win ties.
func rankKey(score float32, pos int) uint64 {
	b := math.Float32bits(score)
	o := b ^ (uint32(int32(b)>>31) | 1<<31) // negative: all bits flipped; positive: sign bit set
	if score == 0 {
		o = 1 << 31 // fold -0 into +0
	}
	if score != score {
		o = 0 // NaN
	}
	return uint64(o)<<32 | uint64(^uint32(pos))
}

// ranker holds one worker's buffers for computing per-query metrics.
type ranker struct {
	raw   []uint64 // complemented keys of the relevant documents, as found
	bk    []int32  // bk[i]: score bucket of raw[i]
	rel   []uint64 // raw sorted ascending, i.e. in rank order, then a sentinel
	ge    []int32  // bucket b's relevant documents are rel[ge[b+1]:ge[b]]
	above []int32  // above[m]: other documents ranked after exactly m relevant ones
	ranks []int    // ranks[i]: 1-based rank of the (i+1)-th relevant document
}

// bucketsPerRelevant is the number of score buckets per relevant document.
const bucketsPerRelevant = 16

func newRanker(n int) *ranker {
	return &ranker{
		raw:   make([]uint64, 0, n),
		bk:    make([]int32, n),
		rel:   make([]uint64, n+1),
		ge:    make([]int32, bucketsPerRelevant*n+1),
		above: make([]int32, n+1),
		ranks: make([]int, n),
	}
}

// query computes the metrics of query q from its scores, writing precision
// at each of RecallLevels into prec and accuracy at each of KLevels into acc,
// and returns the query's average precision.
// same lists the documents with q's label, q included; there must be at
// least one besides q.
//
// The R relevant documents are spread over B = 16R score buckets spanning
// their scores, and sorted by a counting sort on the bucket followed by a
// sort of each (mostly tiny) bucket. Every document d is then placed among
// them in constant expected time: relevant documents in higher buckets rank
// above it, those in lower buckets below, and only those in its own bucket
// need a comparison of keys. Any monotone bucketing is exact; the spacing
// only affects speed. The pass over all documents neither reads labels nor
// branches on them: a relevant document i lands after exactly i relevant
// ones, and q after its own count, so their contributions are taken back
// afterwards.
func (rk *ranker) query(q int, scores []float32, same []int, prec, acc []float64) float64 {
	raw, lo, hi := rk.gather(q, scores, same)
	bu := newBuckets(len(raw), lo, hi)
	rk.sortRelevant(bu, raw, scores)
	ranks := rk.rank(bu, q, scores, len(raw))
	rk.raw = raw
	return metricsTo(prec, acc, ranks, len(scores))
}

// gather collects the keys of the relevant documents, q left out, and the
// range of their finite scores.
func (rk *ranker) gather(q int, scores []float32, same []int) (raw []uint64, lo, hi float64) {
	raw = rk.raw[:0]
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, d := range same {
		if d == q {
			continue
		}
		s := scores[d]
		// Complemented keys sort ascending in rank order; their low 32
		// bits are the position.
		raw = append(raw, ^rankKey(s, d))
		if x := float64(s); x-x == 0 { // finite
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	return raw, lo, hi
}

// buckets maps a score to one of B buckets spanning [lo, hi]:
// bucket(s) = clamp(floor((s-lo)*scale), 0, B-1) is monotone in s and puts
// NaN in bucket 0, so it never contradicts the key order.
type buckets struct {
	n               int // B
	lo, scale, maxB float64
}

// newBuckets returns the bucketsPerRelevant*R buckets of R relevant
// documents whose finite scores lie in [lo, hi].
func newBuckets(R int, lo, hi float64) buckets {
	B := bucketsPerRelevant * R
	scale := 0.0
	if hi > lo {
		scale = float64(B) / (hi - lo)
	} else {
		lo = 0
	}
	return buckets{n: B, lo: lo, scale: scale, maxB: float64(B - 1)}
}

// of returns the bucket of score s.
func (bu buckets) of(s float32) int {
	t := (float64(s) - bu.lo) * bu.scale
	if !(t >= 0) {
		t = 0
	}
	return int(min(t, bu.maxB))
}

// sortRelevant sorts the relevant documents' keys raw into rank order in
// rk.rel, by a counting sort on the bucket, highest bucket first, then a
// sort of each bucket, and sets rk.ge so that bucket b's documents are
// rel[ge[b+1]:ge[b]].
func (rk *ranker) sortRelevant(bu buckets, raw []uint64, scores []float32) {
	B, R := bu.n, len(raw)
	ge := rk.ge[:B+1]
	clear(ge)
	bk := rk.bk[:R]
	for i, c := range raw {
		b := bu.of(scores[uint32(c)])
		bk[i] = int32(b)
		ge[b+1]++
	}
	for b := B - 1; b >= 0; b-- {
		ge[b] += ge[b+1] // ge[b+1] = relevant documents in bucket >= b
	}
	rel := rk.rel[:R+1]
	for i, c := range raw {
		b := bk[i] + 1
		ge[b]--
		rel[ge[b]] = c
	}
	for b := range B {
		if blk := rel[ge[b+1]:ge[b]]; len(blk) > 1 {
			sortSmall(blk)
		}
	}
	// The sentinel ranks below every document, so that a scan from the
	// start of a bucket stops at the bucket's end without checking it.
	rel[R] = math.MaxUint64
}

// rank places every document among the R relevant ones sorted by
// sortRelevant and returns ranks[i], the 1-based rank of the (i+1)-th
// relevant document.
func (rk *ranker) rank(bu buckets, q int, scores []float32, R int) []int {
	ge, rel := rk.ge[:bu.n+1], rk.rel[:R+1]
	// place returns the number of relevant documents ranked above d.
	place := func(s float32, d int) int {
		b := bu.of(s)
		m := int(ge[b+1])
		x := ^rankKey(s, d)
		if int(ge[b])-m > 8 {
			return m + lowerBound(rel[m:ge[b]], x)
		}
		for rel[m] < x {
			m++
		}
		return m
	}
	above := rk.above[:R+1]
	clear(above)
	for d, s := range scores {
		above[place(s, d)]++
	}
	above[place(scores[q], q)]--
	ranks := rk.ranks[:R]
	var cum int
	for i := range ranks {
		cum += int(above[i]) - 1 // less relevant document i itself
		ranks[i] = i + 1 + cum
	}
	return ranks
}

// metricsTo writes the precision at each of RecallLevels into prec and the
// accuracy at each of KLevels into acc, given the ranks of the relevant
// documents among n, and returns the average precision.
func metricsTo(prec, acc []float64, ranks []int, n int) float64 {
	R := len(ranks)
	for l, r := range RecallLevels {
		j := recallCount(r, R)
		prec[l] = float64(j) / float64(ranks[j-1])
	}
	var got int // relevant documents with rank <= k
	for l, k := range KLevels {
		k = min(k, n-1)
		for got < R && ranks[got] <= k {
			got++
		}
		acc[l] = float64(got) / float64(k)
	}
	var ap float64
	for i, rank := range ranks {
		ap += float64(i+1) / float64(rank)
	}
	return ap / float64(R)
}

// sortSmall sorts a ascending: insertion sort for a few elements,
// pdqsort beyond.
func sortSmall(a []uint64) {
	if len(a) > 12 {
		slices.Sort(a)
		return
	}
	for i := 1; i < len(a); i++ {
		x := a[i]
		j := i
		for ; j > 0 && a[j-1] > x; j-- {
			a[j] = a[j-1]
		}
		a[j] = x
	}
}

// recallCount returns j = max(1, ceil(r*R)), at most R, with a tolerance
// against rounding: 0.1*30 is 3.0000000000000004 in float64 and gives 3.
func recallCount(r float64, R int) int {
	j := int(math.Ceil(r*float64(R) - 1e-9))
	return min(max(j, 1), R)
}

// lowerBound returns the number of elements of the ascending slice a that
// are less than x: by a linear scan for a few elements, otherwise by a
// branch-free binary search.
func lowerBound(a []uint64, x uint64) int {
	n := len(a)
	if n <= 4 {
		i := 0
		for i < n && a[i] < x {
			i++
		}
		return i
	}
	base := 0
	for n > 1 {
		half := n >> 1
		if a[base+half] < x {
			base += half
		}
		n -= half
	}
	if a[base] < x {
		base++
	}
	return base
}
