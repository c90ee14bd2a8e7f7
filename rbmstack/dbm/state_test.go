package dbm

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/internal/testcase"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

func params(d *DBM) [][]float32 { return append(append([][]float32(nil), d.W...), d.B...) }

// TestResume trains a DBM for 4 epochs in one go and again cut after 2 (by
// a kill; with Tau > 0 also by a 2-epoch run extended to 4), restores a
// fresh trainer on a fresh copy of the initial DBM and trains the rest:
// the weights, biases and chains must be bit-identical.
func TestResume(t *testing.T) {
	t.Parallel()
	data := testcase.RandomBinary(200, 30, 1)
	init := New([]int{30, 8, 6}, 0.1, 2)
	for _, tau := range []float64{0, 20} {
		s := sched(4, 25, 0.02)
		s.InitialEpochs, s.Tau = 1, tau
		cfg := Config{Schedule: s, Particles: 20, Gibbs: 2, MeanField: 3, Seed: 3}
		full := init.Clone()
		tr := jointTrain(t, full, data, cfg)
		wantFantasy := tr.Fantasy().Data

		c := cfg
		var obs rbmstack.Observer = testcase.KillAfter(2)
		if tau > 0 {
			// With Tau > 0 the schedule does not depend on Epochs: a
			// 2-epoch run may be extended to 4.
			c.Epochs, obs = 2, nil
		}
		cut, _ := NewTrainer(init.Clone(), data, c)
		err := cut.Train(context.Background(), obs)
		if tau == 0 && !errors.Is(err, testcase.ErrKilled) || tau > 0 && err != nil {
			t.Fatalf("tau %g: cut run: %v", tau, err)
		}
		state, _ := cut.MarshalState()
		again := init.Clone()
		tr, _ = NewTrainer(again, data, cfg)
		if err := tr.RestoreState(state); err != nil {
			t.Fatal(err)
		}
		if tr.Epoch() != 2 {
			t.Errorf("restored trainer at epoch %d", tr.Epoch())
		}
		if err := tr.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if !testcase.SameBits(params(again), params(full)) {
			t.Errorf("tau %g: resumed DBM differs from the uninterrupted one", tau)
		}
		if !testcase.SameBits([][]float32{tr.Fantasy().Data}, [][]float32{wantFantasy}) {
			t.Errorf("tau %g: resumed chains differ from the uninterrupted ones", tau)
		}
	}
}

// TestRestoreRejects checks the errors of RestoreState: damaged data,
// another configuration and another shape, each leaving the trainer as it
// was.
func TestRestoreRejects(t *testing.T) {
	t.Parallel()
	data := testcase.RandomBinary(50, 10, 1)
	cfg := Config{Schedule: sched(2, 10, 0), Particles: 5, Gibbs: 1, MeanField: 2, Seed: 3}
	tr := jointTrain(t, New([]int{10, 4, 3}, 0.1, 1), data, cfg)
	state, err := tr.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, tr *Trainer, b []byte, want error, words ...string) {
		t.Helper()
		before, _ := tr.MarshalState()
		err := tr.RestoreState(b)
		if !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", name, err, want)
			return
		}
		for _, w := range words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not name %q", name, err, w)
			}
		}
		if after, _ := tr.MarshalState(); !bytes.Equal(before, after) {
			t.Errorf("%s: a failed restore changed the trainer", name)
		}
	}
	fresh := func(sizes []int, c Config) *Trainer {
		tr, err := NewTrainer(New(sizes, 0.1, 9), data, c)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	flipped := append([]byte(nil), state...)
	flipped[len(flipped)/2] ^= 1
	check("flipped", fresh([]int{10, 4, 3}, cfg), flipped, rbmstack.ErrCorrupt)
	check("truncated", fresh([]int{10, 4, 3}, cfg), state[:len(state)-9], rbmstack.ErrCorrupt)
	check("resealed truncation", fresh([]int{10, 4, 3}, cfg), testcase.Reseal(state[:len(state)-40]), rbmstack.ErrCorrupt)
	check("empty", fresh([]int{10, 4, 3}, cfg), nil, rbmstack.ErrCorrupt)
	c := cfg
	c.LR, c.Gibbs = 0.01, 3
	check("config", fresh([]int{10, 4, 3}, c), state, rbmstack.ErrMismatch, "LR:0.005", "LR:0.01", "Gibbs:3")
	c = cfg
	c.Epochs = 5
	check("epochs", fresh([]int{10, 4, 3}, c), state, rbmstack.ErrMismatch, "Epochs:2")
	check("shape", fresh([]int{10, 4, 2}, cfg), state, rbmstack.ErrMismatch, "10-4-3", "10-4-2")
	check("depth", fresh([]int{10, 4}, cfg), state, rbmstack.ErrMismatch, "10-4-3", "training 10-4")
}

// TestPretrainResume kills DBM pretraining at every epoch and layer
// boundary in turn and resumes from the saved state each time: the
// composed DBM must be bit-identical to an uninterrupted run's.
func TestPretrainResume(t *testing.T) {
	t.Parallel()
	data := testcase.RandomBinary(120, 12, 4)
	sizes := []int{12, 6, 5, 4}
	s := sched(3, 20, 0)
	s.Decay = rbmstack.Linear
	cfg := rbm.Config{Schedule: s, InitStd: 0.1, Seed: 5}
	full := pretrain(t, data, sizes, cfg)
	var store testcase.Store
	kills := 0
	for ; kills < 30; kills++ {
		p, err := NewPretrainer(data, sizes, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err = rbmstack.Resume(context.Background(), p, &store, testcase.KillAfter(1)); err == nil {
			got, err := p.DBM()
			if err != nil || !testcase.SameBits(params(got), params(full)) {
				t.Errorf("resumed pretraining differs from the uninterrupted one (%v)", err)
			}
			break
		}
		if !errors.Is(err, testcase.ErrKilled) {
			t.Fatal(err)
		}
	}
	if kills != 3*(3+1) {
		t.Errorf("%d kills, want one per boundary (12)", kills)
	}
	// A state of other sizes is refused.
	p, _ := NewPretrainer(data, []int{12, 7, 5, 4}, cfg)
	if err := p.RestoreState(store.State); !errors.Is(err, rbmstack.ErrMismatch) {
		t.Errorf("wrong-size resume: %v", err)
	}
}

func FuzzRestore(f *testing.F) {
	cfg := Config{Schedule: sched(1, 10, 0), Particles: 4, Gibbs: 1, MeanField: 2, Seed: 1}
	data := testcase.RandomBinary(20, 5, 1)
	tr, _ := NewTrainer(New([]int{5, 3, 2}, 0.1, 1), data, cfg)
	empty, _ := tr.MarshalState()
	tr.Train(context.Background(), nil)
	trained, _ := tr.MarshalState()
	f.Add(empty)
	f.Add(trained)
	f.Add(trained[:len(trained)/2])
	f.Add(testcase.Reseal(trained[:len(trained)/2]))
	f.Add([]byte(stateFormat.Magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, _ := NewTrainer(New([]int{5, 3, 2}, 0.1, 1), data, cfg)
		_ = tr.RestoreState(b)
		// Reseal the data, so that mutations reach the field decoder past
		// the checksum.
		if len(b) >= 4 {
			_ = tr.RestoreState(testcase.Reseal(b[:len(b)-4]))
		}
	})
}
