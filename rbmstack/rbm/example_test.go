package rbm_test

import (
	"context"
	"fmt"

	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// An RBM of 2 hidden units learns the two patterns of its 6 binary
// visible units and reconstructs each from its hidden means.
func ExampleTrainer() {
	patterns := [][]float32{{1, 1, 1, 0, 0, 0}, {0, 0, 0, 1, 1, 1}}
	data := mat.NewDense(200, 6, nil)
	for i := 0; i < data.Rows; i++ {
		copy(data.Row(i), patterns[i%2])
	}
	r := rbm.New(rbm.Binary, rbm.Binary, 6, 2, 0.1, 1)
	r.InitVisBias(data)
	t, err := rbm.NewTrainer(r, data, rbm.Config{Schedule: rbmstack.Schedule{Epochs: 50, BatchSize: 20}, Seed: 1})
	if err != nil {
		panic(err)
	}
	if err := t.Train(context.Background(), nil); err != nil {
		panic(err)
	}
	x := mat.View(2, 6, append(append([]float32(nil), patterns[0]...), patterns[1]...))
	h, v := mat.New(2, 2), mat.New(2, 6)
	r.HidMeans(x, nil, h)
	r.VisMeans(h, v)
	for i := 0; i < v.Rows; i++ {
		fmt.Printf("%.0f\n", v.Row(i))
	}
	// Output:
	// [1 1 1 0 0 0]
	// [0 0 0 1 1 1]
}
