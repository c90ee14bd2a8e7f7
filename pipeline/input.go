package pipeline

import (
	"math"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/vocab"
)

// Input is how a recipe weighs the word counts of a document before the
// stack and the net see them.
type Input string

const (
	// InputCounts gives the raw counts (each document then rescaled to
	// DocLen words).
	InputCounts Input = "counts"
	// InputLogIDF gives ln(1 + count) x ln(N / df), df counted over the N
	// training documents, the weighting of full-strength LSA (then
	// rescaled to DocLen): common words stop drowning the rare ones that
	// tell the topics apart. The net carries the weights
	// (autoencoder.Net.InputWeights), so every encoding applies them.
	InputLogIDF Input = "log-idf"
)

// InputWeights returns the weights of r's input on the training counts
// data (nil for InputCounts): each word's ln(N / df), N the rows of data,
// df the rows holding the word (a word in none counts as in one).
func (r Recipe) InputWeights(data *vocab.Matrix) []float32 {
	if r.Input != InputLogIDF {
		return nil
	}
	df := make([]int, data.Cols)
	for _, j := range data.Idx {
		df[j]++
	}
	n := float64(data.Rows())
	w := make([]float32, data.Cols)
	for j, d := range df {
		w[j] = float32(math.Log(n / float64(max(d, 1))))
	}
	return w
}

// Weigh returns the rows of counts weighed as autoencoder.Net.InputWeights
// w does (counts itself when w is nil): autoencoder.Weigh of each count.
func Weigh(counts *vocab.Matrix, w []float32) *vocab.Matrix {
	if w == nil {
		return counts
	}
	out := *counts
	out.Val = make([]float32, len(counts.Val))
	for k, v := range counts.Val {
		out.Val[k] = autoencoder.Weigh(v, w[counts.Idx[k]])
	}
	return &out
}

// Reconstruction returns the fine-tuning cases of a net with input
// weights w on the training counts: the raw counts as inputs (the net
// weighs them) and the word proportions of the weighted counts as targets,
// what the stack was pretrained to model.
func Reconstruction(counts *vocab.Matrix, w []float32, loss autoencoder.Loss) autoencoder.Batcher {
	if w == nil {
		return autoencoder.Reconstruction(counts, loss)
	}
	return weighedTarget{in: counts, target: autoencoder.Reconstruction(Weigh(counts, w), loss)}
}

type weighedTarget struct {
	in     *vocab.Matrix
	target autoencoder.Batcher
}

func (b weighedTarget) Len() int { return b.target.Len() }

func (b weighedTarget) Fill(rows []int, x, t []float32) {
	b.target.Fill(rows, x, t)
	b.in.DenseRowsTo(x, rows)
}
