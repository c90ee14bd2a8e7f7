package pipeline

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/index"
)

// HashShortList is the least number of documents the short list of
// method "hash-32-tfidf" holds: the address lookup's radius grows from 0
// until it finds as many (index.Hashes.Near). On held-out training posts
// (bench/recipes/hashing, noise 16) a list of 300 reranked by TF-IDF beat
// TF-IDF at every recall level (0.705 against 0.694 at recall 0.01, 0.474
// against 0.412 at 0.1); lists of 100 led further down (0.495 at 0.1) but
// fell 0.001 short at 0.01, and 20 fell short at the top.
const HashShortList = 300

// HammingScorer ranks the documents by the Hamming distance between their
// binary codes (semantic hashing's Hamming ranking over every document):
// score = Bits - distance. Documents without a code score -Inf.
func HammingScorer(hs *index.Hashes) eval.Scorer { return hammingScorer{hs} }

type hammingScorer struct{ hs *index.Hashes }

func (s hammingScorer) Len() int { return s.hs.Len() }

func (s hammingScorer) Score(q int, dst []float32) {
	if s.hs.Skipped(q) {
		fill(dst, float32(math.Inf(-1)))
		return
	}
	code := s.hs.Code(q)
	for i := range dst {
		if s.hs.Skipped(i) {
			dst[i] = float32(math.Inf(-1))
			continue
		}
		dst[i] = float32(s.hs.Bits() - s.hs.Distance(code, i))
	}
}

// ShortListScorer is semantic hashing followed by rerank (Salakhutdinov &
// Hinton 2009, section 6): address lookup picks a short list of at least
// size documents around the query's address (the radius grown from 0;
// index.Hashes.Near), rerank orders it, and the other documents follow in
// rerank's order, so that the curve past the short list is rerank's own.
func ShortListScorer(hs *index.Hashes, rerank eval.Scorer, size int) eval.Scorer {
	if hs.Len() != rerank.Len() {
		panic(fmt.Sprintf("pipeline: ShortListScorer: %d codes, %d documents", hs.Len(), rerank.Len()))
	}
	return shortListScorer{hs, rerank, size}
}

type shortListScorer struct {
	hs     *index.Hashes
	rerank eval.Scorer
	size   int
}

func (s shortListScorer) Len() int { return s.hs.Len() }

func (s shortListScorer) Score(q int, dst []float32) {
	s.rerank.Score(q, dst)
	if s.hs.Skipped(q) {
		return
	}
	hits, _, _ := s.hs.Near(s.hs.Code(q), -1, s.size, func(pos int) bool { return pos != q })
	// Above every score of the rest: rerank's scores are finite or -Inf.
	var top float32
	for i, x := range dst {
		if i != q && !math.IsInf(float64(x), 0) && !math.IsNaN(float64(x)) {
			top = max(top, x)
		}
	}
	lift := 2*top + 1
	for _, h := range hits {
		if x := dst[h.Pos]; !math.IsInf(float64(x), -1) && !math.IsNaN(float64(x)) {
			dst[h.Pos] = x + lift
		} else {
			dst[h.Pos] = lift - 1
		}
	}
}
