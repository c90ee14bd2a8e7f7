package autoencoder

import (
	"context"
	"slices"
	"testing"

	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// TestTopFirstEpochs trains a classifier with TopFirstEpochs 2 by each
// method: after two epochs only the last layer has moved; after the third
// every layer has.
func TestTopFirstEpochs(t *testing.T) {
	t.Parallel()
	const n, in, classes = 60, 8, 3
	data := mat.New(n, in)
	labels := make([]int, n)
	for i := range n {
		labels[i] = i % classes
		for j := range in {
			data.Data[i*in+j] = float32((i*7+j*3+labels[i]*5)%11) / 10
		}
	}
	for _, m := range []Method{SGD, Adam, CG} {
		net, err := New([]int{in, 6, 5, classes}, []Act{Sigmoid, Sigmoid, Softmax}, SoftmaxCE, 0.1, 4)
		if err != nil {
			t.Fatal(err)
		}
		start := slices.Clone(net.Params)
		top := len(net.Params) - len(net.Layers[2].W) - len(net.Layers[2].B)
		cfg := Config{Method: m, Schedule: rbmstack.Schedule{Epochs: 3, BatchSize: 20}, TopFirstEpochs: 2, Seed: 5}
		tr, err := NewTrainer(net, Classification(data, labels, classes), cfg)
		if err != nil {
			t.Fatal(err)
		}
		epochs := 0
		err = tr.Train(context.Background(), func(e rbmstack.Event) error {
			if e.Kind != rbmstack.EpochEnd {
				return nil
			}
			epochs++
			lower, upper := !slices.Equal(net.Params[:top], start[:top]), !slices.Equal(net.Params[top:], start[top:])
			if want := epochs > 2; lower != want || !upper {
				t.Errorf("%v, epoch %d: lower layers moved %v (want %v), top layer moved %v", m, epochs, lower, want, upper)
			}
			return nil
		})
		if err != nil || epochs != 3 {
			t.Fatalf("%v: %v after %d epochs", m, err, epochs)
		}
	}
	for _, bad := range []Config{{TopFirstEpochs: -1}, {TopFirstEpochs: 30}, {TopFirstEpochs: 1, Tied: true}} {
		bad.EnsureDefaults()
		if bad.Validate() == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}
