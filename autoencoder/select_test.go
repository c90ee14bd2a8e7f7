package autoencoder

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// TestSelectHeldOutError fine-tunes a classifier on overlapping classes,
// keeping the epoch with the fewest held-out errors: every epoch must
// count the held-out cases, the kept epoch must be the first with the
// fewest errors (the lower loss among equals), the net must end with that
// epoch's parameters (its held-out errors recounted from outside), and a
// run killed and resumed after a best epoch must keep choosing the same.
func TestSelectHeldOutError(t *testing.T) {
	t.Parallel()
	src := rng.New(8, 3)
	const N = 400
	x := mat.NewDense(N, 2, make([]float32, N*2))
	labels := make([]int, N)
	for i := range N {
		k := i % 3
		labels[i] = k
		ang := 2 * math.Pi * float64(k) / 3
		x.Data[2*i] = float32(math.Cos(ang) + 0.8*src.Norm())
		x.Data[2*i+1] = float32(math.Sin(ang) + 0.8*src.Norm())
	}
	cfg := Config{Schedule: sched(25, 20, 3e-2), Holdout: 0.3, Patience: 25, Select: HeldOutError, Seed: 5}
	newNet := func() *Net {
		n, _ := New([]int{2, 32, 3}, []Act{Sigmoid, Softmax}, SoftmaxCE, 0.5, 1)
		return n
	}
	type figures struct {
		loss  float64
		wrong int
		best  bool
	}
	var seen []figures
	n := newNet()
	tr, err := NewTrainer(n, Classification(x, labels, 3), cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Train(context.Background(), func(e rbmstack.Event) error {
		if e.Kind == rbmstack.EpochEnd {
			if e.HeldOutCases != len(tr.val) || e.HeldOutCases != 120 {
				t.Errorf("epoch %d: %d held-out cases counted, want 120", e.Epoch, e.HeldOutCases)
			}
			seen = append(seen, figures{e.HeldOut, e.HeldOutWrong, e.Best})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bestEpoch := 0
	for i, f := range seen {
		b := &seen[max(bestEpoch-1, 0)]
		improves := bestEpoch == 0 || f.wrong < b.wrong || f.wrong == b.wrong && f.loss < b.loss
		if improves {
			bestEpoch = i + 1
		}
		if f.best != improves {
			t.Errorf("epoch %d (%d wrong, loss %.4f): Best %v, want %v", i+1, f.wrong, f.loss, f.best, improves)
		}
	}
	if tr.BestEpoch() != bestEpoch {
		t.Errorf("BestEpoch %d, want %d", tr.BestEpoch(), bestEpoch)
	}
	lossBest := 0
	for i, f := range seen {
		if lossBest == 0 || f.loss < seen[lossBest-1].loss {
			lossBest = i + 1
		}
	}
	t.Logf("fewest held-out errors at epoch %d (%d), lowest held-out loss at epoch %d", bestEpoch, seen[bestEpoch-1].wrong, lossBest)
	out := n.Activations(x, 1)
	wrong := 0
	for _, r := range tr.val {
		if Argmax(out.Row(r)) != labels[r] {
			wrong++
		}
	}
	if wrong != seen[bestEpoch-1].wrong {
		t.Errorf("the kept net gets %d held-out cases wrong; epoch %d counted %d", wrong, bestEpoch, seen[bestEpoch-1].wrong)
	}

	// Killed after the first best epoch past the first, then resumed: the
	// saved record of the best errors must carry the choice on.
	cut := 2
	for cut < bestEpoch && !seen[cut-1].best {
		cut++
	}
	if cut >= bestEpoch {
		cut = 1
	}
	want, _ := n.MarshalBinary()
	var store memStore
	tr, _ = NewTrainer(newNet(), Classification(x, labels, 3), cfg)
	if err := rbmstack.Resume(context.Background(), tr, &store, killAt(cut)); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	again := newNet()
	tr, _ = NewTrainer(again, Classification(x, labels, 3), cfg)
	if err := tr.RestoreState(store.state); err != nil {
		t.Fatal(err)
	}
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := again.MarshalBinary(); tr.BestEpoch() != bestEpoch || !bytes.Equal(got, want) {
		t.Errorf("resumed after epoch %d: best epoch %d, want %d (same net: %v)", cut, tr.BestEpoch(), bestEpoch, bytes.Equal(got, want))
	}
}
