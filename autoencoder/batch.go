package autoencoder

import "github.com/docsearch/docsearch/rbmstack/mat"

// Batcher supplies training cases: the raw inputs and the targets of a
// list of cases.
type Batcher interface {
	Len() int
	// Fill writes the inputs (len(rows) x in) and targets (len(rows) x out)
	// of the listed cases, row after row.
	Fill(rows []int, x, t []float32)
}

// Reconstruction returns the Batcher of an autoencoder on data: the target
// is the input itself, or its word proportions for SoftmaxCE.
func Reconstruction(data mat.Matrix, loss Loss) Batcher {
	return reconBatcher{data, loss}
}

type reconBatcher struct {
	data mat.Matrix
	loss Loss
}

func (r reconBatcher) Len() int { n, _ := r.data.Dims(); return n }

func (r reconBatcher) Fill(rows []int, x, t []float32) {
	r.data.DenseRowsTo(x, rows)
	copy(t, x)
	if r.loss != SoftmaxCE {
		return
	}
	_, d := r.data.Dims()
	for i := range rows {
		row := t[i*d : (i+1)*d]
		var s float32
		for _, v := range row {
			s += v
		}
		if s > 0 {
			mat.Scale(row, 1/s)
		}
	}
}

// Classification returns the Batcher of a classifier on data with integer
// labels in [0, classes): targets are one-hot rows.
func Classification(data mat.Matrix, labels []int, classes int) Batcher {
	return classBatcher{data, labels, classes}
}

type classBatcher struct {
	data    mat.Matrix
	labels  []int
	classes int
}

func (c classBatcher) Len() int { return len(c.labels) }

func (c classBatcher) Fill(rows []int, x, t []float32) {
	c.data.DenseRowsTo(x, rows)
	clear(t[:len(rows)*c.classes])
	for i, r := range rows {
		t[i*c.classes+c.labels[r]] = 1
	}
}
