package query

import (
	"math"
	"sync"

	"github.com/docsearch/docsearch/index"
)

// Constants of the hybrid ranking, chosen on held-out 20 Newsgroups
// training posts (a fifth of the training split indexed, the rest training
// the model; never the test split) among reciprocal rank fusion (k = 10,
// 60), weighted sums of min-max normalised scores, the semantic hashing
// short list of Salakhutdinov & Hinton (2009) and weighted sums of
// z-scores; RECIPES.md, "Keyword and hybrid ranking", has the figures and
// the commands (bench/recipes/hybrid).
const (
	// HybridWeight is the weight of the code ranking's z-score against the
	// keyword ranking's: fused = z(keyword) + HybridWeight * z(cosine), each
	// z-score taken over the documents the query may return. A z-score puts
	// the two scales on one footing without tuning: a document that matches
	// a rare query word stands several keyword deviations out, and the codes
	// order everything the words leave tied or unmatched. Weights from 1 to 4
	// were tried on two held-out fifths of the training posts: a random one,
	// where 2 to 4 ranked within 0.005 of each other everywhere, and the
	// latest posts of each group, which like the test split come after the
	// posts the model learned from; there the codes of the recipe before
	// issue 14 were weaker, 1 and 2 led at the top of the list and 2 to 3
	// further down, and 2 was chosen. With the better codes of the --input
	// auto recipe (the same split by date), 3 is at least 2 on document
	// queries everywhere but recall 0.05 (0.001 below) and, unlike 2, stays
	// above the codes alone at recall 0.4 (0.428 and 0.418 against 0.422);
	// on title queries it is 0.001 below 2 at 10 results and above it in
	// mean average precision (0.302 against 0.298).
	HybridWeight = 3
	// FusionWindow is the number of best keyword hits the hybrid ranking
	// reads; documents beyond it count as unmatched, so below the first
	// FusionWindow the codes alone decide. It bounds the cost of a query
	// that matches most of the collection: reading and naming bleve's hits
	// is half of a hybrid query's time. On the held-out split by date, 300
	// ranked as 1,000 did to 0.001 at every cut-off and recall level up to
	// 0.2 and within 0.0022 at 0.4 and 0.8, and served 16% more queries a
	// second; 100 lost 0.01 at recall 0.4.
	FusionWindow = 300
)

// sides holds what the two rankings said about one query.
type sides struct {
	kw      []index.Hit // keyword hits, best first, at most FusionWindow (nil: no keyword side)
	kwTotal uint64      // documents the keyword query matches
	cos     []float32   // cosine of every document (nil: no semantic side); NaN for those without a code
	allowed func(pos int) bool
	// members is the number of documents allowed (with a label filter:
	// the label's), the excluded one included; 0 means all.
	members int
	exclude int // a position never ranked (the query document), or -1
}

// ok reports whether position i may be ranked at all.
func (s *sides) ok(i int) bool {
	return i != s.exclude && (s.allowed == nil || s.allowed(i))
}

// notRanked is the score of a document a ranking leaves out: -Inf, which
// index.TopK does not rank.
var notRanked = float32(math.Inf(-1))

// fuse writes the score of every document under mode to dst: notRanked for
// those the mode does not return.
func (s *sides) fuse(mode Mode, dst []float32) {
	switch mode {
	case Keyword:
		s.keywordScores(dst)
	case Semantic:
		s.semanticScores(dst)
	default:
		s.hybridScores(dst)
	}
}

func (s *sides) keywordScores(dst []float32) {
	for i := range dst {
		dst[i] = notRanked
	}
	for _, h := range s.kw {
		if s.ok(h.Pos) {
			dst[h.Pos] = h.Score
		}
	}
}

func (s *sides) semanticScores(dst []float32) {
	for i := range dst {
		if x := s.cos[i]; s.ok(i) && !math.IsNaN(float64(x)) {
			dst[i] = x
		} else {
			dst[i] = notRanked
		}
	}
}

// cosMoments returns the mean and the standard deviation of the cosines
// of the allowed documents with a code.
func (s *sides) cosMoments() (mean, sd float64) {
	var sum, sq float64
	m := 0
	for i, x := range s.cos {
		if math.IsNaN(float64(x)) || i == s.exclude || (s.allowed != nil && !s.allowed(i)) {
			continue
		}
		sum += float64(x)
		sq += float64(x) * float64(x)
		m++
	}
	return meanSD(sum, sq, m)
}

// kwMoments returns the mean and the standard deviation of the keyword
// scores of the allowed documents, 0 for those outside the hits: sums over
// the hits, divided by the number of allowed documents.
func (s *sides) kwMoments(n int) (mean, sd float64) {
	var sum, sq float64
	for _, h := range s.kw {
		if h.Pos != s.exclude {
			x := float64(h.Score)
			sum += x
			sq += x * x
		}
	}
	m := n
	if s.members > 0 {
		m = s.members
	}
	if s.exclude >= 0 && (s.allowed == nil || s.allowed(s.exclude)) {
		m--
	}
	return meanSD(sum, sq, m)
}

func meanSD(sum, sq float64, m int) (mean, sd float64) {
	if m <= 0 {
		return 0, 0
	}
	mean = sum / float64(m)
	return mean, math.Sqrt(max(sq/float64(m)-mean*mean, 0))
}

// hybridScores writes z(keyword) + HybridWeight*z(cosine). A document is
// ranked if it has a code or matches the keywords; one side missing for a
// document (no code, no match within the window) adds that side's value of
// an unmatched document or nothing.
func (s *sides) hybridScores(dst []float32) {
	n := len(dst)
	// kw is zero but at the hits; it goes back to the pool zeroed.
	kw := getFloats(n)
	defer putFloats(kw, s.kw)
	for _, h := range s.kw {
		kw[h.Pos] = h.Score
	}
	km, ksd := 0.0, 0.0
	if s.kw != nil {
		km, ksd = s.kwMoments(n)
	}
	cm, csd := 0.0, 0.0
	if s.cos != nil {
		cm, csd = s.cosMoments()
	}
	for i := range dst {
		hasCode := s.cos != nil && !math.IsNaN(float64(s.cos[i]))
		if !s.ok(i) || (!hasCode && kw[i] == 0) {
			dst[i] = notRanked
			continue
		}
		var z float64
		if ksd > 0 {
			z = (float64(kw[i]) - km) / ksd
		}
		if hasCode && csd > 0 {
			z += HybridWeight * (float64(s.cos[i]) - cm) / csd
		}
		dst[i] = float32(z)
	}
}

// floatPool recycles zeroed per-document buffers of hybrid queries, which
// are as long as the index and would otherwise be a query's largest
// allocation.
var floatPool sync.Pool

func getFloats(n int) []float32 {
	if b, ok := floatPool.Get().(*[]float32); ok && len(*b) == n {
		return *b
	}
	return make([]float32, n)
}

// putFloats zeroes the entries of b at hits and returns b to the pool.
func putFloats(b []float32, hits []index.Hit) {
	for _, h := range hits {
		b[h.Pos] = 0
	}
	floatPool.Put(&b)
}
