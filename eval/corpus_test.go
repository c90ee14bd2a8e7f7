package eval

import (
	"math"
	"math/rand/v2"

	"github.com/docsearch/docsearch/vocab"
)

// synthCorpus draws n documents over a vocabulary of cols words from
// `classes` topics: each word of a document comes with probability 0.7 from
// a Zipf distribution shared by all topics and otherwise from the document's
// topic, a Zipf distribution over a topic-specific permutation of the
// words. Lengths are log-normal with median 60 words, like 20 Newsgroups.
// It returns the counts and the topic labels.
func synthCorpus(seed uint64, n, cols, classes int) (*vocab.Matrix, []string) {
	rng := rand.New(rand.NewPCG(seed, 20))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(cols-1))
	perms := make([][]int32, classes)
	for c := range perms {
		perms[c] = make([]int32, cols)
		for i, j := range rng.Perm(cols) {
			perms[c][i] = int32(j)
		}
	}
	m := vocab.NewMatrix(cols)
	labels := make([]string, n)
	counts := make(map[int32]float32)
	for i := range n {
		c := rng.IntN(classes)
		labels[i] = "topic" + string(rune('A'+c%26)) + string(rune('a'+c/26))
		length := max(1, int(math.Exp(math.Log(60)+rng.NormFloat64())))
		clear(counts)
		for range length {
			w := int32(zipf.Uint64())
			if rng.Float64() >= 0.7 {
				w = perms[c][w]
			}
			counts[w]++
		}
		m.Append(vocab.VectorFromCounts(counts))
	}
	return m, labels
}

// randomCounts returns an n x cols matrix with each entry nonzero with
// probability p, counts 1..5; some rows may be empty.
func randomCounts(seed uint64, n, cols int, p float64) *vocab.Matrix {
	rng := rand.New(rand.NewPCG(seed, 5))
	m := vocab.NewMatrix(cols)
	for range n {
		var v vocab.Vector
		for j := range cols {
			if rng.Float64() < p {
				v.Idx = append(v.Idx, int32(j))
				v.Val = append(v.Val, float32(1+rng.IntN(5)))
			}
		}
		m.Append(v)
	}
	return m
}

// dense returns m as rows of float64.
func dense(m *vocab.Matrix) [][]float64 {
	out := make([][]float64, m.Rows())
	for i := range out {
		out[i] = make([]float64, m.Cols)
		idx, val := m.Row(i)
		for k, j := range idx {
			out[i][j] = float64(val[k])
		}
	}
	return out
}
