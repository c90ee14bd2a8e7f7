package autoencoder

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

func randData(n, d int, seed uint64, counts bool) *mat.Dense {
	src := rng.New(seed, 3)
	x := mat.NewDense(n, d, make([]float32, n*d))
	for i := range x.Data {
		if counts {
			x.Data[i] = float32(src.IntN(4))
		} else {
			x.Data[i] = src.Float32()
		}
	}
	return x
}

// TestGradientsMatchFiniteDifferences checks LossGrad against central
// differences for each loss and activation. Float32 forward passes limit
// the accuracy of a difference with step h=1e-2 to about 1e-3 relative,
// hence the tolerance.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		sizes    []int
		acts     []Act
		loss     Loss
		inputLen float32
		counts   bool
	}{
		{"logistic", []int{6, 5, 3, 5, 6}, []Act{Sigmoid, Linear, Sigmoid, Sigmoid}, LogisticCE, 0, false},
		{"softmax-docs", []int{7, 5, 2, 5, 7}, []Act{Sigmoid, Linear, Sigmoid, Softmax}, SoftmaxCE, 10, true},
		{"squared", []int{4, 6, 4}, []Act{Sigmoid, Linear}, Squared, 0, false},
		{"classifier", []int{5, 8, 3}, []Act{Sigmoid, Softmax}, SoftmaxCE, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := New(tc.sizes, tc.acts, tc.loss, 0.5, 1)
			if err != nil {
				t.Fatal(err)
			}
			n.InputLen = tc.inputLen
			src := rng.New(5, 5)
			for i := range n.Params {
				n.Params[i] += 0.1 * float32(src.Norm())
			}
			data := randData(8, tc.sizes[0], 2, tc.counts)
			var b Batcher
			if tc.name == "classifier" {
				labels := []int{0, 1, 2, 0, 1, 2, 0, 1}
				b = Classification(data, labels, 3)
			} else {
				b = Reconstruction(data, tc.loss)
			}
			rows := []int{0, 1, 2, 3, 4, 5, 6, 7}
			var ws Workspace
			fill := func() {
				in := n.Input(&ws, len(rows))
				b.Fill(rows, in.Data, ws.target.Data)
				n.prepare(in)
			}
			grad := make([]float32, len(n.Params))
			fill()
			n.LossGrad(&ws, grad)
			const h = 1e-2
			worst := 0.0
			for i := range n.Params {
				old := n.Params[i]
				n.Params[i] = old + h
				fill()
				fp := n.LossGrad(&ws, nil)
				n.Params[i] = old - h
				fill()
				fm := n.LossGrad(&ws, nil)
				n.Params[i] = old
				num := (fp - fm) / (2 * h)
				diff := math.Abs(num-float64(grad[i])) / math.Max(1e-2, math.Abs(num)+math.Abs(float64(grad[i])))
				worst = math.Max(worst, diff)
				if diff > 2e-2 {
					t.Errorf("param %d: analytic %.6g numeric %.6g", i, grad[i], num)
				}
			}
			t.Logf("%d parameters, worst relative difference %.2g", len(n.Params), worst)
		})
	}
}

func TestUnrollMatchesStack(t *testing.T) {
	t.Parallel()
	for _, vis := range []rbm.Kind{rbm.Softmax, rbm.Binary} {
		l1 := rbm.New(vis, rbm.Binary, 9, 6, 0.3, 1)
		l2 := rbm.New(rbm.Binary, rbm.Linear, 6, 3, 0.3, 2)
		for i := range l1.HidBias {
			l1.HidBias[i] = 0.01 * float32(i)
			l1.VisBias[i] = -0.1 * float32(i)
		}
		l1.DocLen = 50
		s := &stack.Stack{Layers: []*rbm.RBM{l1, l2}}
		n, err := Unroll(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Sizes(); len(got) != 5 || got[2] != 3 || got[4] != 9 {
			t.Fatalf("sizes %v", got)
		}
		data := randData(20, 9, 4, vis == rbm.Softmax)
		want := s.Transform(data, 2)
		got := n.Encode(data)
		for i := range want.Data {
			if math.Abs(float64(want.Data[i]-got.Data[i])) > 1e-4 {
				t.Fatalf("%s: code %d: unrolled %g, stack %g", vis, i, got.Data[i], want.Data[i])
			}
		}
		if vis == rbm.Softmax && (n.Loss != SoftmaxCE || n.InputLen != 50) {
			t.Errorf("softmax stack unrolled to loss %s InputLen %g", n.Loss, n.InputLen)
		}
		if vis == rbm.Binary && n.Loss != LogisticCE {
			t.Errorf("binary stack unrolled to loss %s", n.Loss)
		}
		// decoder's first layer is the top RBM transposed.
		dec := n.Layers[2]
		if dec.W[1*6+4] != l2.W[4*3+1] {
			t.Errorf("decoder weights are not the transpose")
		}
	}
}

func TestTrainingLowersLoss(t *testing.T) {
	t.Parallel()
	// Data on a 2-D manifold embedded in 12 sigmoid outputs.
	src := rng.New(8, 8)
	const N, D = 600, 12
	x := mat.NewDense(N, D, make([]float32, N*D))
	for i := 0; i < N; i++ {
		a, b := src.Float64()*2-1, src.Float64()*2-1
		for j := 0; j < D; j++ {
			v := math.Sin(float64(j)*a) + math.Cos(float64(j)*0.5*b)
			x.Data[i*D+j] = float32(1 / (1 + math.Exp(-2*v)))
		}
	}
	for _, method := range []Method{Adam, CG, SGD} {
		t.Run(method.String(), func(t *testing.T) {
			n, err := New([]int{D, 16, 2, 16, D}, []Act{Sigmoid, Linear, Sigmoid, Sigmoid}, LogisticCE, 0.1, 1)
			if err != nil {
				t.Fatal(err)
			}
			n.Code = 1
			cfg := Config{Method: method, Schedule: sched(30, 0, 1e-2), Holdout: 0.1, Seed: 1, Patience: 30}
			switch method {
			case CG:
				cfg.BatchSize = 100
			case SGD:
				cfg.LR = 0.5
				cfg.BatchSize = 20
			}
			tr, err := NewTrainer(n, Reconstruction(x, LogisticCE), cfg)
			if err != nil {
				t.Fatal(err)
			}
			first, last := math.NaN(), math.NaN()
			err = tr.Train(context.Background(), func(e rbmstack.Event) error {
				if e.Kind != rbmstack.EpochEnd {
					return nil
				}
				if e.Epoch == 1 {
					first = e.HeldOut
				}
				last = math.Min(last, e.HeldOut)
				if math.IsNaN(last) {
					last = e.HeldOut
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The entropy floor of these targets is far below; we ask for a
			// clear drop of the held-out cross-entropy.
			t.Logf("%s held-out loss epoch 1 %.4f -> best %.4f (epoch %d)", method, first, last, tr.BestEpoch())
			if !(last < first-0.05) {
				t.Errorf("held-out loss %.4f -> %.4f, want a drop of at least 0.05", first, last)
			}
		})
	}
}

func TestClassifierLearns(t *testing.T) {
	t.Parallel()
	src := rng.New(3, 3)
	const N = 900
	x := mat.NewDense(N, 2, make([]float32, N*2))
	labels := make([]int, N)
	for i := 0; i < N; i++ {
		k := i % 3
		labels[i] = k
		ang := 2 * math.Pi * float64(k) / 3
		x.Data[2*i] = float32(math.Cos(ang) + 0.3*src.Norm())
		x.Data[2*i+1] = float32(math.Sin(ang) + 0.3*src.Norm())
	}
	n, err := New([]int{2, 16, 3}, []Act{Sigmoid, Softmax}, SoftmaxCE, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(n, Classification(x, labels, 3), Config{Schedule: sched(40, 30, 1e-2), Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	out := n.Activations(x, 1)
	wrong := 0
	for i := 0; i < N; i++ {
		r := out.Row(i)
		best := 0
		for j := range r {
			if r[j] > r[best] {
				best = j
			}
		}
		if best != labels[i] {
			wrong++
		}
	}
	// Three Gaussian blobs at distance 1.73 with sd 0.3: Bayes error < 1%.
	if e := float64(wrong) / N; e > 0.03 {
		t.Errorf("training error %.3f, want < 0.03", e)
	}
}

func TestDivergenceIsCaught(t *testing.T) {
	t.Parallel()
	x := randData(100, 5, 1, false)
	n, _ := New([]int{5, 4, 5}, []Act{Linear, Linear}, Squared, 1, 1)
	tr, err := NewTrainer(n, Reconstruction(x, Squared), Config{Method: Adam, Schedule: sched(5, 0, 1), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n.Params {
		n.Params[i] = 1e30
	}
	if err := tr.Train(context.Background(), nil); !errors.Is(err, rbmstack.ErrDiverged) {
		t.Fatalf("err = %v, want ErrDiverged", err)
	}
}

func TestReproducible(t *testing.T) {
	t.Parallel()
	x := randData(200, 6, 1, false)
	run := func() []byte {
		n, _ := New([]int{6, 4, 6}, []Act{Sigmoid, Sigmoid}, LogisticCE, 0.1, 7)
		tr, _ := NewTrainer(n, Reconstruction(x, LogisticCE), Config{Schedule: sched(3, 0, 0), Holdout: 0.2, Seed: 9})
		if err := tr.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		b, _ := n.MarshalBinary()
		return b
	}
	if !bytes.Equal(run(), run()) {
		t.Error("two runs with the same seed differ")
	}
}

func TestMarshalRoundTripAndCorruption(t *testing.T) {
	t.Parallel()
	n, _ := New([]int{5, 3, 2, 3, 5}, []Act{Sigmoid, Linear, Sigmoid, Softmax}, SoftmaxCE, 0.1, 1)
	n.InputLen, n.Code = 100, 1
	// a net of format version 1 (before input weights) still reads
	v1 := netFormat
	v1.Version = 1
	w := v1.NewWriter()
	w.U8(byte(n.Loss))
	w.F32(n.InputLen)
	w.U32(uint32(n.Code))
	w.U32(uint32(len(n.Layers)))
	w.U32(uint32(n.Layers[0].In))
	for _, l := range n.Layers {
		w.U32(uint32(l.Out))
		w.U8(byte(l.Act))
	}
	w.RawF32s(n.Params)
	v1b := w.Seal()
	var old Net
	if err := old.UnmarshalBinary(v1b); err != nil || old.InputWeights != nil || !slices.Equal(old.Params, n.Params) {
		t.Fatalf("version 1: %v, weights %v", err, old.InputWeights)
	}
	// and a net without weights is written as it was (an index names its
	// model by these bytes)
	if b, _ := n.MarshalBinary(); !bytes.Equal(b, v1b) {
		t.Fatal("a net without input weights is no longer written as version 1")
	}
	n.InputWeights = []float32{1, 2, 3, 4, 5}
	b, _ := n.MarshalBinary()
	var m Net
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	b2, _ := m.MarshalBinary()
	if !bytes.Equal(b, b2) || m.Code != 1 || m.InputLen != 100 || !slices.Equal(m.InputWeights, n.InputWeights) {
		t.Fatal("round trip changed the net")
	}
	for k := 0; k < len(b); k++ {
		if err := new(Net).UnmarshalBinary(b[:k]); !errors.Is(err, rbmstack.ErrCorrupt) {
			t.Fatalf("truncated to %d: %v", k, err)
		}
		c := append([]byte(nil), b...)
		c[k] ^= 1
		if err := new(Net).UnmarshalBinary(c); err == nil {
			t.Fatalf("flip at %d not detected", k)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	err := Config{Method: 7, Schedule: rbmstack.Schedule{Epochs: -1, BatchSize: 1, LR: 500, Momentum: 0.5}, LineSearches: 1, Patience: 1, Holdout: 1}.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"Method", "Epochs", "LR", "Holdout", "momentum applies to sgd"} {
		if !bytes.Contains([]byte(err.Error()), []byte(w)) {
			t.Errorf("error %q lacks %s", err, w)
		}
	}
}

func sched(epochs, batch int, lr float32) rbmstack.Schedule {
	return rbmstack.Schedule{Epochs: epochs, BatchSize: batch, LR: lr}
}

// memStore is an in-memory rbmstack.Store.
type memStore struct{ state []byte }

func (s *memStore) Load() ([]byte, error) { return s.state, nil }
func (s *memStore) Save(b []byte) error   { s.state = append([]byte(nil), b...); return nil }

var errKilled = errors.New("killed")

// killAt returns an observer that stops training at the end of epoch n,
// after rbmstack.Resume saved it, as a kill would.
func killAt(n int) rbmstack.Observer {
	return func(e rbmstack.Event) error {
		if e.Kind == rbmstack.EpochEnd && e.Epoch == n {
			return errKilled
		}
		return nil
	}
}

func FuzzUnmarshal(f *testing.F) {
	n, _ := New([]int{3, 2, 3}, []Act{Sigmoid, Sigmoid}, LogisticCE, 0.1, 1)
	b, _ := n.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = new(Net).UnmarshalBinary(data)
	})
}

// TestResumeFineTuning stops fine-tuning after 2 of 5 epochs, restores a
// fresh trainer from the saved state and expects the uninterrupted result.
func TestResumeFineTuning(t *testing.T) {
	t.Parallel()
	x := randData(300, 6, 4, false)
	for _, method := range []Method{Adam, SGD, CG} {
		// No holdout: the final parameters are the last ones, not the best
		// ones, so every epoch after the cut counts.
		cfg := Config{Method: method, Schedule: sched(5, 50, 0), Seed: 3}
		newNet := func() *Net {
			n, _ := New([]int{6, 4, 6}, []Act{Sigmoid, Sigmoid}, LogisticCE, 0.1, 7)
			return n
		}
		full := newNet()
		tr, _ := NewTrainer(full, Reconstruction(x, LogisticCE), cfg)
		if err := tr.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		want, _ := full.MarshalBinary()

		cut := newNet()
		tr, _ = NewTrainer(cut, Reconstruction(x, LogisticCE), cfg)
		var store memStore
		err := rbmstack.Resume(context.Background(), tr, &store, killAt(2))
		if !errors.Is(err, errKilled) {
			t.Fatal(err)
		}
		state := store.state
		again := newNet()
		tr, _ = NewTrainer(again, Reconstruction(x, LogisticCE), cfg)
		if err := tr.RestoreState(state); err != nil {
			t.Fatal(err)
		}
		if err := tr.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		got, _ := again.MarshalBinary()
		if !bytes.Equal(got, want) {
			t.Errorf("%s: resumed fine-tuning differs from the uninterrupted run", method)
		}
		other := cfg
		other.Epochs = 6
		tr2, _ := NewTrainer(newNet(), Reconstruction(x, LogisticCE), other)
		if err := tr2.RestoreState(state); !errors.Is(err, rbmstack.ErrMismatch) || !strings.Contains(err.Error(), "Epochs:6") {
			t.Errorf("%s: state restored into another configuration: %v", method, err)
		}
		state[len(state)/2] ^= 1
		if err := tr.RestoreState(state); !errors.Is(err, rbmstack.ErrCorrupt) {
			t.Errorf("damaged state: %v", err)
		}
	}
}

// TestTiedGradientAndShape checks Tied: the folded gradient of each shared
// weight matches a finite difference that moves the weight in the encoder
// and its transpose in the decoder together, and after training the decoder
// is still the encoder's transpose while the loss went down.
func TestTiedGradientAndShape(t *testing.T) {
	t.Parallel()
	n, err := New([]int{6, 4, 6}, []Act{Sigmoid, Sigmoid}, LogisticCE, 0.5, 3)
	if err != nil {
		t.Fatal(err)
	}
	data := randData(20, 6, 4, false)
	tr, err := NewTrainer(n, Reconstruction(data, LogisticCE), Config{Method: SGD, Schedule: sched(30, 5, 0.2), Tied: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	enc, dec := n.Layers[0], n.Layers[1]
	transposed := func() bool {
		for r := 0; r < enc.In; r++ {
			for c := 0; c < enc.Out; c++ {
				if enc.W[r*enc.Out+c] != dec.W[c*dec.Out+r] {
					return false
				}
			}
		}
		return true
	}
	if !transposed() {
		t.Fatal("NewTrainer with Tied did not tie the decoder")
	}
	rows := make([]int, 20)
	for i := range rows {
		rows[i] = i
	}
	tr.fill(rows)
	tr.Net.LossGrad(&tr.ws, tr.grad)
	tr.tieGrad()
	loss := func() float64 { tr.fill(rows); return tr.Net.LossGrad(&tr.ws, nil) }
	const h = 1e-2
	for r := 0; r < enc.In; r++ {
		for c := 0; c < enc.Out; c++ {
			i, j := r*enc.Out+c, c*dec.Out+r
			old := enc.W[i]
			enc.W[i], dec.W[j] = old+h, old+h
			fp := loss()
			enc.W[i], dec.W[j] = old-h, old-h
			fm := loss()
			enc.W[i], dec.W[j] = old, old
			num := (fp - fm) / (2 * h)
			got := float64(tr.grad[i])
			if d := math.Abs(num-got) / math.Max(1e-2, math.Abs(num)+math.Abs(got)); d > 2e-2 {
				t.Errorf("W[%d][%d]: folded gradient %.6g, finite difference %.6g", r, c, got, num)
			}
		}
	}
	off := len(enc.W) + len(enc.B)
	for k, g := range tr.grad[off : off+len(dec.W)] {
		if g != 0 {
			t.Fatalf("decoder weight gradient %d is %g after folding, want 0", k, g)
		}
	}
	before := tr.Loss(rows)
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if after := tr.Loss(rows); !(after < before) {
		t.Errorf("tied training did not lower the loss: %.4f -> %.4f", before, after)
	}
	if !transposed() {
		t.Error("after training the decoder is no longer the encoder's transpose")
	}
	if _, err := NewTrainer(n, Reconstruction(data, LogisticCE), Config{Method: CG, Tied: true}); err == nil {
		t.Error("Tied with cg was accepted")
	}
	odd, _ := New([]int{6, 4, 3}, []Act{Sigmoid, Softmax}, SoftmaxCE, 0.5, 3)
	if _, err := NewTrainer(odd, Classification(data, make([]int, 20), 3), Config{Tied: true}); err == nil {
		t.Error("Tied on a net that is not mirror-shaped was accepted")
	}
}

// TestResumeAfterEarlyStop restores the state saved in the epoch where
// early stopping fired: the resumed trainer must not train further and must
// end with the uninterrupted run's (best) parameters.
func TestResumeAfterEarlyStop(t *testing.T) {
	t.Parallel()
	x := randData(60, 6, 11, false)
	cfg := Config{Method: Adam, Schedule: sched(200, 10, 0.05), Holdout: 0.5, Patience: 2, Seed: 4}
	newNet := func() *Net {
		n, _ := New([]int{6, 30, 6}, []Act{Sigmoid, Sigmoid}, LogisticCE, 0.1, 7)
		return n
	}
	full := newNet()
	tr, _ := NewTrainer(full, Reconstruction(x, LogisticCE), cfg)
	var store memStore
	if err := rbmstack.Resume(context.Background(), tr, &store, nil); err != nil {
		t.Fatal(err)
	}
	last := store.state
	if tr.Epoch() >= cfg.Epochs {
		t.Fatalf("the run never stopped early (%d epochs); the test needs it to", tr.Epoch())
	}
	want, _ := full.MarshalBinary()
	again := newNet()
	tr2, _ := NewTrainer(again, Reconstruction(x, LogisticCE), cfg)
	if err := tr2.RestoreState(last); err != nil {
		t.Fatal(err)
	}
	if err := tr2.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if tr2.Epoch() != tr.Epoch() {
		t.Errorf("resumed trainer went on to epoch %d; the run had stopped at %d", tr2.Epoch(), tr.Epoch())
	}
	if got, _ := again.MarshalBinary(); !bytes.Equal(got, want) {
		t.Error("resumed net differs from the early-stopped run's best parameters")
	}
}
