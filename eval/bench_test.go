package eval

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// news20Test is the size of the 20 Newsgroups test split, news20Train that
// of the training split.
const (
	news20Test  = 7532
	news20Train = 11314
)

// synthCodes returns n dim-dimensional codes around 20 random class
// centres (unit normal), with noise of standard deviation 1.5, and labels.
func synthCodes(n, dim int) ([]float32, []string) {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(dim)))
	const classes = 20
	centres := make([]float64, classes*dim)
	for i := range centres {
		centres[i] = rng.NormFloat64()
	}
	vecs := make([]float32, n*dim)
	labels := make([]string, n)
	for i := range n {
		c := rng.IntN(classes)
		labels[i] = fmt.Sprint("class", c)
		for j := range dim {
			vecs[i*dim+j] = float32(centres[c*dim+j] + 1.5*rng.NormFloat64())
		}
	}
	return vecs, labels
}

// reportEval runs Evaluate b.N times and reports queries/s, s/eval and
// cpu-s/eval, the CPU time of one evaluation summed over threads (on a
// shared machine wall time also counts waiting for a core).
func reportEval(b *testing.B, s Scorer, labels []string) {
	b.Helper()
	b.ReportAllocs()
	var nq int
	start, cpu := time.Now(), cpuSeconds()
	for b.Loop() {
		_, nq = Evaluate(s, labels)
	}
	per := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(float64(nq)/per, "queries/s")
	b.ReportMetric(per, "s/eval")
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/eval")
}

// BenchmarkEvaluate measures the whole evaluation (cosine scoring and
// metrics) of dense codes: 10-D like the autoencoder and LSA-10, 50-D like
// LSA-50.
func BenchmarkEvaluate(b *testing.B) {
	for _, tc := range []struct{ n, dim int }{
		{1000, 10}, {news20Test, 10}, {news20Test, 50},
	} {
		b.Run(fmt.Sprintf("n=%d/dim=%d", tc.n, tc.dim), func(b *testing.B) {
			vecs, labels := synthCodes(tc.n, tc.dim)
			reportEval(b, CosineScorer(vecs, tc.dim), labels)
		})
	}
}

// BenchmarkEvaluateMetrics measures the metrics alone: the scores are
// precomputed, so Score is a copy.
func BenchmarkEvaluateMetrics(b *testing.B) {
	const n = news20Test
	vecs, labels := synthCodes(n, 10)
	cs := CosineScorer(vecs, 10).(*cosineScorer)
	all := make([]float32, n*n)
	qs := make([]int, n)
	for i := range qs {
		qs[i] = i
	}
	cs.ScoreBlock(qs, all)
	reportEval(b, denseScorer{n: n, s: all}, labels)
}

// BenchmarkTFIDF measures building the TF-IDF scorer and evaluating it on a
// synthetic corpus shaped like the 20 Newsgroups test split (2000 words,
// median length 60).
func BenchmarkTFIDF(b *testing.B) {
	docs, labels := synthCorpus(1, news20Test, 2000, 20)
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			TFIDF(docs, docs)
		}
	})
	b.Run("eval", func(b *testing.B) { reportEval(b, TFIDF(docs, docs), labels) })
}

// BenchmarkBM25 is BenchmarkTFIDF for BM25.
func BenchmarkBM25(b *testing.B) {
	docs, labels := synthCorpus(1, news20Test, 2000, 20)
	reportEval(b, BM25(docs, BM25K1, BM25B), labels)
}

// BenchmarkFitLSA fits LSA to a synthetic corpus shaped like the 20
// Newsgroups training split.
func BenchmarkFitLSA(b *testing.B) {
	train, _ := synthCorpus(2, news20Train, 2000, 20)
	for _, k := range []int{10, 50} {
		b.Run(fmt.Sprint("k=", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FitLSA(train, k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
