package autoencoder_test

import (
	"context"
	"fmt"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

// A greedy stack 8-6-2 (binary units, a linear code layer) pretrained on
// four patterns is unrolled into the autoencoder 8-6-2-6-8 and fine-tuned
// by backpropagation, which lowers its reconstruction loss; each case then
// has a 2-number code.
func ExampleUnroll() {
	patterns := [][]float32{
		{1, 1, 0, 0, 0, 0, 1, 0}, {0, 0, 1, 1, 0, 0, 0, 1},
		{0, 0, 0, 0, 1, 1, 1, 0}, {1, 0, 1, 0, 1, 0, 0, 1},
	}
	data := mat.NewDense(200, 8, nil)
	for i := 0; i < data.Rows; i++ {
		copy(data.Row(i), patterns[i%4])
	}
	st, err := stack.NewTrainer(data, stack.Config{Visible: rbm.Binary, Layers: []stack.Layer{
		{Hidden: 6, Kind: rbm.Binary, Config: rbm.Config{Schedule: rbmstack.Schedule{Epochs: 20, BatchSize: 20}, InitStd: 0.1, Seed: 1}},
		{Hidden: 2, Kind: rbm.Linear, Config: rbm.Config{Schedule: rbmstack.Schedule{Epochs: 20, BatchSize: 20, LR: 0.01}, InitStd: 0.1, Seed: 2}},
	}})
	if err != nil {
		panic(err)
	}
	if err := st.Train(context.Background(), nil); err != nil {
		panic(err)
	}
	net, err := autoencoder.Unroll(st.Stack())
	if err != nil {
		panic(err)
	}
	fmt.Println("layers", net.Sizes(), "loss", net.Loss)

	t, err := autoencoder.NewTrainer(net, autoencoder.Reconstruction(data, net.Loss),
		autoencoder.Config{Method: autoencoder.Adam, Schedule: rbmstack.Schedule{Epochs: 50, BatchSize: 20, LR: 0.01}, Seed: 1})
	if err != nil {
		panic(err)
	}
	all := make([]int, data.Rows)
	for i := range all {
		all[i] = i
	}
	before := t.Loss(all)
	if err := t.Train(context.Background(), nil); err != nil {
		panic(err)
	}
	fmt.Println("fine-tuning lowered the loss:", t.Loss(all) < before)
	codes := net.Encode(data)
	fmt.Println("codes", codes.Rows, "x", codes.Cols)
	// Output:
	// layers [8 6 2 6 8] loss logistic-cross-entropy
	// fine-tuning lowered the loss: true
	// codes 200 x 2
}
