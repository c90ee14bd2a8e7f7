package eval

import (
	"math"
	"testing"

	"github.com/docsearch/docsearch/vocab"
)

// TestTFIDF compares the inverted-index scores with a dense computation of
// the cosine between tf-idf rows (idf from a separate training matrix).
func TestTFIDF(t *testing.T) {
	t.Parallel()
	train := randomCounts(1, 40, 12, 0.3)
	docs := randomCounts(2, 25, 12, 0.25) // some rows are empty
	s := TFIDF(train, docs)
	if s.Len() != 25 {
		t.Fatalf("Len = %d", s.Len())
	}

	// Dense reference: idf(t) = ln((1+n)/(1+df)) + 1 over train.
	tr := dense(train)
	idf := make([]float64, 12)
	for j := range idf {
		df := 0
		for _, row := range tr {
			if row[j] != 0 {
				df++
			}
		}
		idf[j] = math.Log(41/float64(1+df)) + 1
	}
	x := dense(docs)
	for _, row := range x {
		var ss float64
		for j := range row {
			row[j] *= idf[j]
			ss += row[j] * row[j]
		}
		for j := range row {
			if ss > 0 {
				row[j] /= math.Sqrt(ss)
			}
		}
	}
	got := make([]float32, 25)
	for q := range 25 {
		s.Score(q, got)
		for d := range 25 {
			var want float64
			for j := range 12 {
				want += x[q][j] * x[d][j]
			}
			if math.Abs(float64(got[d])-want) > 1e-6 {
				t.Errorf("score(%d, %d) = %v, want %v", q, d, got[d], want)
			}
		}
	}
}

// TestBM25 checks BM25 on three documents by hand:
//
//	d0 = {t0: 2, t1: 1} (length 3), d1 = {t1: 1} (1), d2 = {t0: 1, t2: 3} (4)
//
// n = 3, avglen = 8/3, df = (2, 2, 1), so idf(t0) = idf(t1) = ln(1 + 1.5/2.5)
// = ln 1.6 and idf(t2) = ln(1 + 2.5/1.5) = ln(8/3). With k1 = 1.2, b = 0.75
// the length norms k1*(1 - b + b*len/avglen) are 1.2*(0.25 + 0.75*[9/8, 3/8,
// 12/8]) = 1.3125, 0.6375, 1.65.
func TestBM25(t *testing.T) {
	t.Parallel()
	m := vocab.NewMatrix(3)
	m.Append(vocab.Vector{Idx: []int32{0, 1}, Val: []float32{2, 1}})
	m.Append(vocab.Vector{Idx: []int32{1}, Val: []float32{1}})
	m.Append(vocab.Vector{Idx: []int32{0, 2}, Val: []float32{1, 3}})
	s := BM25(m, BM25K1, BM25B)
	l16, l83 := math.Log(1.6), math.Log(8.0/3)
	w := func(idf, tf, norm float64) float64 { return idf * tf * 2.2 / (tf + norm) }
	want := [][]float64{
		// query d0 = {t0, t1}
		{w(l16, 2, 1.3125) + w(l16, 1, 1.3125), w(l16, 1, 0.6375), w(l16, 1, 1.65)},
		// query d1 = {t1}
		{w(l16, 1, 1.3125), w(l16, 1, 0.6375), 0},
		// query d2 = {t0, t2}: the count 3 of t2 in the query does not matter
		{w(l16, 2, 1.3125), 0, w(l16, 1, 1.65) + w(l83, 3, 1.65)},
	}
	got := make([]float32, 3)
	for q := range 3 {
		s.Score(q, got)
		for d := range 3 {
			if math.Abs(float64(got[d])-want[q][d]) > 1e-6 {
				t.Errorf("score(%d, %d) = %v, want %v", q, d, got[d], want[q][d])
			}
		}
	}
}

// TestSparseEmpty: a matrix with no rows gives scorers of length 0.
func TestSparseEmpty(t *testing.T) {
	t.Parallel()
	for _, m := range []*vocab.Matrix{vocab.NewMatrix(4), {Cols: 4}} {
		if n := TFIDF(nil, m).Len(); n != 0 {
			t.Errorf("TFIDF Len = %d", n)
		}
		if n := BM25(m, BM25K1, BM25B).Len(); n != 0 {
			t.Errorf("BM25 Len = %d", n)
		}
	}
}
