package eval

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/vocab"
)

// Okapi BM25 parameters, as in Lucene.
const (
	BM25K1 = 1.2
	BM25B  = 0.75
)

// postingScorer scores a query document by accumulating, over the query's
// terms t with weight w_q(t), w_q(t) * w_d(t) into every document d on t's
// posting list: score(q, d) = sum_t w_q(t) w_d(t).
type postingScorer struct {
	n int
	// Query side, by document (CSR): the terms and weights w_q.
	qIndptr []int
	qIdx    []int32
	qVal    []float32
	// Inverted index, by term (CSC): the documents and weights w_d.
	pIndptr []int
	pDoc    []int32
	pVal    []float32
}

func (p *postingScorer) Len() int { return p.n }

func (p *postingScorer) Score(q int, dst []float32) {
	if len(dst) != p.n {
		panic("eval: Score: dst has the wrong length")
	}
	clear(dst)
	for k := p.qIndptr[q]; k < p.qIndptr[q+1]; k++ {
		t, wq := p.qIdx[k], p.qVal[k]
		lo, hi := p.pIndptr[t], p.pIndptr[t+1]
		docs, vals := p.pDoc[lo:hi], p.pVal[lo:hi]
		for i, d := range docs {
			dst[d] += wq * vals[i]
		}
	}
}

// newPostingScorer builds the scorer from document weights wd (same sparsity
// as m, one weight per stored entry) and query weights wq.
func newPostingScorer(m *vocab.Matrix, wd, wq []float32) *postingScorer {
	n := m.Rows()
	p := &postingScorer{
		n:       n,
		qIndptr: m.Indptr,
		qIdx:    m.Idx[:nnz(m)],
		qVal:    wq,
		pIndptr: make([]int, m.Cols+1),
		pDoc:    make([]int32, nnz(m)),
		pVal:    make([]float32, nnz(m)),
	}
	for _, t := range p.qIdx {
		p.pIndptr[t+1]++
	}
	for t := range m.Cols {
		p.pIndptr[t+1] += p.pIndptr[t]
	}
	fill := make([]int, m.Cols)
	copy(fill, p.pIndptr[:m.Cols])
	for d := range n {
		for k := m.Indptr[d]; k < m.Indptr[d+1]; k++ {
			t := m.Idx[k]
			p.pDoc[fill[t]] = int32(d)
			p.pVal[fill[t]] = wd[k]
			fill[t]++
		}
	}
	return p
}

// nnz returns the number of stored entries of m.
func nnz(m *vocab.Matrix) int {
	if len(m.Indptr) == 0 {
		return 0
	}
	return m.Indptr[len(m.Indptr)-1]
}

// docFreq returns, for each column of m, the number of rows with a nonzero
// entry in it.
func docFreq(m *vocab.Matrix) []int {
	df := make([]int, m.Cols)
	for i := range m.Rows() {
		idx, val := m.Row(i)
		for k, j := range idx {
			if val[k] != 0 {
				df[j]++
			}
		}
	}
	return df
}

// TFIDF returns a Scorer that ranks the rows of docs by the cosine between
// their tf-idf vectors with the full-strength weighting ln(1+tf) * ln(N/df)
// (the zero Weighting), see TFIDFWith.
func TFIDF(train, docs *vocab.Matrix) Scorer {
	return TFIDFWith(train, docs, Weighting{})
}

// TFIDFWith returns a Scorer that ranks the rows of docs by the cosine
// between tf-idf vectors: x(d, t) = w.TF(tf(d, t)) * idf(t), idf =
// w.IDF.Weights(train), each row scaled to unit l2 norm; score(q, d) =
// x(q) . x(d). A nil train takes the idf from docs. Scoring goes through an
// inverted index of docs. It panics if the column counts differ.
func TFIDFWith(train, docs *vocab.Matrix, w Weighting) Scorer {
	if train == nil {
		train = docs
	}
	if train.Cols != docs.Cols {
		panic(fmt.Sprintf("eval: TFIDF: train has %d columns, docs %d", train.Cols, docs.Cols))
	}
	x := weigh(docs, w.TF, w.IDF.Weights(train), true)
	x32 := make([]float32, len(x))
	for k, v := range x {
		x32[k] = float32(v)
	}
	return newPostingScorer(docs, x32, x32)
}

// BM25 returns a Scorer that ranks the rows of docs by Okapi BM25 (Robertson
// et al., TREC-3, 1994), each query being the distinct terms of a row of docs:
//
//	score(q, d) = sum_{t in q} idf(t) * tf(d,t) * (k1+1) / (tf(d,t) + k1 * (1 - b + b * len(d)/avglen))
//	idf(t)      = ln(1 + (n - df(t) + 0.5) / (df(t) + 0.5))
//
// with document frequencies, lengths (row sums) and their mean avglen taken
// from docs itself, as Lucene does. It is eval's own baseline over the
// vocabulary counts (words outside the vocabulary do not exist for it), not
// the ranking of the product's keyword search, which is bleve's over the
// full text. This is standard Okapi BM25; bleve
// v2.6.3's "bm25" scoring model differs (sqrt(tf), idf squared by query
// normalisation, a coordination factor, and an average length of
// ceil(distinct terms / documents)), see TestBM25MatchesBleve, which pins
// both formulas. Use BM25K1 and BM25B for the usual k1 = 1.2, b = 0.75.
func BM25(docs *vocab.Matrix, k1, b float64) Scorer {
	n := docs.Rows()
	df := docFreq(docs)
	idf := make([]float64, docs.Cols)
	for j, f := range df {
		idf[j] = math.Log(1 + (float64(n)-float64(f)+0.5)/(float64(f)+0.5))
	}
	var total float64
	for i := range n {
		total += float64(docs.RowSum(i))
	}
	avg := total / float64(max(n, 1))
	wd := make([]float32, nnz(docs))
	wq := make([]float32, nnz(docs))
	for i := range n {
		norm := k1 * (1 - b)
		if avg > 0 {
			norm += k1 * b * float64(docs.RowSum(i)) / avg
		}
		for k := docs.Indptr[i]; k < docs.Indptr[i+1]; k++ {
			tf := float64(docs.Val[k])
			if tf == 0 {
				continue
			}
			wd[k] = float32(idf[docs.Idx[k]] * tf * (k1 + 1) / (tf + norm))
			wq[k] = 1
		}
	}
	return newPostingScorer(docs, wd, wq)
}
