package dbn

import (
	"fmt"

	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// NewTopTrainer prepares the top associative memory of a DBN: an RBM of
// hidden binary units over the penultimate representation pen joined with
// one-hot labels of classes classes (the last visible units, Labels), its
// visible biases set from the joined data. Its trainer's R is the top
// memory; train it with Train or rbmstack.Resume.
func NewTopTrainer(pen *mat.Dense, labels []int, classes, hidden int, cfg rbm.Config) (*rbm.Trainer, error) {
	if len(labels) != pen.Rows {
		return nil, fmt.Errorf("dbn: %d labels for %d cases", len(labels), pen.Rows)
	}
	for i, l := range labels {
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("dbn: label %d of case %d is not in [0, %d)", l, i, classes)
		}
	}
	x := joinLabels(pen, labels, classes)
	cfg.EnsureDefaults()
	r := rbm.New(rbm.Binary, rbm.Binary, x.Cols, hidden, cfg.InitStd, cfg.Seed)
	r.Labels = classes
	r.InitVisBias(x)
	t, err := rbm.NewTrainer(r, x, cfg)
	if err != nil {
		return nil, err
	}
	t.Stage = fmt.Sprintf("top rbm (%d+%d-%d)", pen.Cols, classes, hidden)
	return t, nil
}

func joinLabels(pen *mat.Dense, labels []int, classes int) *mat.Dense {
	w := pen.Cols + classes
	x := mat.NewDense(pen.Rows, w, nil)
	for i := 0; i < pen.Rows; i++ {
		copy(x.Data[i*w:], pen.Row(i))
		x.Data[i*w+pen.Cols+labels[i]] = 1
	}
	return x
}
