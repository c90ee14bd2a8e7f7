package eval

import (
	"math"
	"testing"

	"github.com/docsearch/docsearch/vocab"
)

// TestTFIDF compares the inverted-index scores with a dense computation of
// the cosine between tf-idf rows (idf from a separate training matrix), for
// every weighting.
func TestTFIDF(t *testing.T) {
	t.Parallel()
	train := randomCounts(1, 40, 12, 0.3)
	docs := randomCounts(2, 25, 12, 0.25) // some rows are empty
	tfs := map[TF]func(float64) float64{
		TFLog:       math.Log1p,
		TFRaw:       func(x float64) float64 { return x },
		TFSublinear: func(x float64) float64 { return 1 + math.Log(x) },
	}
	tr := dense(train)
	df := make([]float64, 12)
	for j := range df {
		for _, row := range tr {
			if row[j] != 0 {
				df[j]++
			}
		}
	}
	idfs := map[IDF]func(df float64) float64{
		IDFLog:    func(df float64) float64 { return math.Log(40 / max(df, 1)) },
		IDFSmooth: func(df float64) float64 { return math.Log(41/(1+df)) + 1 },
	}
	for tfk, tf := range tfs {
		for idfk, idf := range idfs {
			w := Weighting{TF: tfk, IDF: idfk}
			s := TFIDFWith(train, docs, w)
			if s.Len() != 25 {
				t.Fatalf("%v: Len = %d", w, s.Len())
			}
			x := dense(docs)
			for _, row := range x {
				var ss float64
				for j := range row {
					if row[j] != 0 {
						row[j] = tf(row[j]) * idf(df[j])
					}
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
						t.Errorf("%v: score(%d, %d) = %v, want %v", w, q, d, got[d], want)
					}
				}
			}
		}
	}
}

// TestIDFWeights checks both idf formulas by hand on 4 documents over 4
// terms with document frequencies 4, 2, 1 and 0.
func TestIDFWeights(t *testing.T) {
	t.Parallel()
	m := vocab.NewMatrix(4)
	m.Append(vocab.Vector{Idx: []int32{0, 1, 2}, Val: []float32{1, 5, 2}})
	m.Append(vocab.Vector{Idx: []int32{0, 1}, Val: []float32{3, 1}})
	m.Append(vocab.Vector{Idx: []int32{0}, Val: []float32{1}})
	m.Append(vocab.Vector{Idx: []int32{0}, Val: []float32{2}})
	for _, tc := range []struct {
		idf  IDF
		want []float64
	}{
		// ln(4/df), df = 0 counted as 1.
		{IDFLog, []float64{0, math.Log(2), math.Log(4), math.Log(4)}},
		// ln(5/(1+df)) + 1.
		{IDFSmooth, []float64{1, math.Log(5./3) + 1, math.Log(5./2) + 1, math.Log(5) + 1}},
	} {
		got := tc.idf.Weights(m)
		for j, w := range tc.want {
			if math.Abs(got[j]-w) > 1e-15 {
				t.Errorf("%v: idf[%d] = %v, want %v", tc.idf, j, got[j], w)
			}
		}
	}
	// No training document: no information, every idf 0 (not -Inf).
	for _, w := range IDFLog.Weights(vocab.NewMatrix(3)) {
		if w != 0 {
			t.Errorf("IDFLog with N = 0: %v, want 0", w)
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
