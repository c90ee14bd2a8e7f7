package rbmstack_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// memory is a Store in memory; a checkpoint file does the same on disk.
type memory struct{ state []byte }

func (m *memory) Load() ([]byte, error) { return m.state, nil }
func (m *memory) Save(b []byte) error   { m.state = b; return nil }

// Resume saves a trainer's state at every epoch: a run stopped after its
// second epoch (here by its observer; in life by a kill) continues in a
// new process from the saved state, to the model an uninterrupted run
// makes.
func ExampleResume() {
	data := mat.NewDense(100, 4, nil)
	for i := range data.Data {
		data.Data[i] = float32(i % 2)
	}
	newTrainer := func() *rbm.Trainer {
		r := rbm.New(rbm.Binary, rbm.Binary, 4, 3, 0.1, 1)
		t, err := rbm.NewTrainer(r, data, rbm.Config{Schedule: rbmstack.Schedule{Epochs: 4, BatchSize: 10}, Seed: 1})
		if err != nil {
			panic(err)
		}
		return t
	}
	epochs := func(e rbmstack.Event) error {
		if e.Kind == rbmstack.EpochEnd {
			fmt.Printf("epoch %d of %d saved: %v\n", e.Epoch, e.Epochs, e.Saved)
		}
		return nil
	}
	stop := errors.New("stopped")
	var store memory
	err := rbmstack.Resume(context.Background(), newTrainer(), &store, func(e rbmstack.Event) error {
		epochs(e)
		if e.Kind == rbmstack.EpochEnd && e.Epoch == 2 {
			return stop
		}
		return nil
	})
	fmt.Println(err)
	t := newTrainer()
	if err := rbmstack.Resume(context.Background(), t, &store, epochs); err != nil {
		panic(err)
	}
	fmt.Println("finished at epoch", t.Epoch())
	// Output:
	// epoch 1 of 4 saved: true
	// epoch 2 of 4 saved: true
	// stopped
	// epoch 3 of 4 saved: true
	// epoch 4 of 4 saved: true
	// finished at epoch 4
}
