package autoencoder

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// TestCodeNoise: the code layer's noise is deterministic (two runs agree)
// and does what semantic hashing wants of it: a logistic code layer trained
// with it gives outputs nearer 0 or 1 than one trained without.
func TestCodeNoise(t *testing.T) {
	t.Parallel()
	// 400 cases, each one of 8 binary prototypes of 16 bits with 5% of
	// the bits flipped: 3 bits of code would carry the prototype.
	src := rng.New(4, 4)
	const N, D = 400, 16
	protos := make([]float32, 8*D)
	for i := range protos {
		protos[i] = float32(src.IntN(2))
	}
	x := mat.NewDense(N, D, make([]float32, N*D))
	for i := range N {
		p := src.IntN(8)
		for j := range D {
			v := protos[p*D+j]
			if src.Float64() < 0.05 {
				v = 1 - v
			}
			x.Data[i*D+j] = v
		}
	}
	train := func(noise float32, fresh ...bool) (*Net, []byte) {
		n, _ := New([]int{D, 6, D}, []Act{Sigmoid, Sigmoid}, LogisticCE, 0.1, 3)
		n.Code = 0
		tr, err := NewTrainer(n, Reconstruction(x, LogisticCE), Config{Schedule: sched(60, 20, 1e-2), CodeNoise: noise, Seed: 5,
			FreshNoise: len(fresh) > 0 && fresh[0]})
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		b, _ := n.MarshalBinary()
		return n, b
	}
	binary := func(n *Net) float64 {
		c := n.Encode(x)
		near := 0
		for _, v := range c.Data {
			if v < 0.1 || v > 0.9 {
				near++
			}
		}
		return float64(near) / float64(len(c.Data))
	}
	noisy, a := train(4)
	_, b := train(4)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same seed and noise differ")
	}
	clean, _ := train(0)
	bn, bc := binary(noisy), binary(clean)
	t.Logf("outputs within 0.1 of 0 or 1: %.2f with noise, %.2f without", bn, bc)
	if bn < bc+0.2 {
		t.Errorf("outputs within 0.1 of 0 or 1: %.2f with noise, %.2f without", bn, bc)
	}
	if err := (Config{CodeNoise: -1}).Validate(); err == nil {
		t.Error("a negative CodeNoise passed Validate")
	}
	// Noise drawn anew each epoch: reproducible, another draw than the
	// fixed one, and refused with conjugate gradients.
	fresh, c := train(4, true)
	if _, d := train(4, true); !bytes.Equal(c, d) {
		t.Fatal("two runs with the same seed and fresh noise differ")
	}
	if bytes.Equal(a, c) {
		t.Fatal("fresh noise trained the same net as the fixed draw")
	}
	t.Logf("outputs within 0.1 of 0 or 1 with fresh noise: %.2f", binary(fresh))
	if err := (Config{Method: CG, FreshNoise: true, CodeNoise: 1}).Validate(); err == nil {
		t.Error("FreshNoise with conjugate gradients passed Validate")
	}
}

// TestInputMask: a training batch has about InputMask of its input values
// set to zero, another mask each epoch, the same for the same seed and
// epoch; the target stays the clean input and the held-out loss sees
// clean inputs.
func TestInputMask(t *testing.T) {
	t.Parallel()
	const N, D = 50, 40
	x := mat.NewDense(N, D, make([]float32, N*D))
	for i := range x.Data {
		x.Data[i] = 0.5 + float32(i%7)/14
	}
	n, _ := New([]int{D, 8, D}, []Act{Sigmoid, Sigmoid}, LogisticCE, 0.1, 3)
	tr, err := NewTrainer(n, Reconstruction(x, LogisticCE), Config{Schedule: sched(2, 10, 1e-2), InputMask: 0.25, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]int, N)
	for i := range rows {
		rows[i] = i
	}
	masks := func(epoch int, heldOut bool) []bool {
		tr.epoch, tr.heldOut = epoch, heldOut
		tr.fill(rows)
		tr.heldOut = false
		in := tr.ws.acts[0]
		m := make([]bool, N*D)
		for i := range m {
			m[i] = in.Data[i] == 0
			if tg := tr.ws.target.Data[i]; tg != x.Data[i] {
				t.Fatalf("target %d is %g, the clean input %g", i, tg, x.Data[i])
			}
		}
		return m
	}
	count := func(m []bool) (k int) {
		for _, b := range m {
			if b {
				k++
			}
		}
		return k
	}
	e0, e0again, e1 := masks(0, false), masks(0, false), masks(1, false)
	if f := float64(count(e0)) / (N * D); f < 0.2 || f > 0.3 {
		t.Errorf("masked fraction %.3f, want about 0.25", f)
	}
	same := 0
	for i := range e0 {
		if e0[i] != e0again[i] {
			t.Fatalf("the same epoch masked value %d once and not again", i)
		}
		if e0[i] && e1[i] {
			same++
		}
	}
	if same == count(e0) {
		t.Error("epoch 1 masked exactly the values of epoch 0")
	}
	if k := count(masks(0, true)); k != 0 {
		t.Errorf("the held-out loss's inputs have %d masked values", k)
	}
	if _, err := NewTrainer(n, Reconstruction(x, LogisticCE), Config{Schedule: sched(2, 10, 1e-2), InputMask: 1}); err == nil || !strings.Contains(err.Error(), "InputMask") {
		t.Errorf("InputMask 1: %v", err)
	}
}
