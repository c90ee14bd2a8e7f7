package stack

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/internal/testcase"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// topicDocs makes n documents over 100 words from 4 topics, each topic
// putting 90% of its mass on its own 25 words; lengths 5 to 300 words.
func topicDocs(n int, seed uint64) (*mat.Dense, []int) {
	src := rng.New(seed, 5)
	d := mat.NewDense(n, 100, nil)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		k := src.IntN(4)
		labels[i] = k
		length := 5 + src.IntN(296)
		row := d.Row(i)
		for w := 0; w < length; w++ {
			var j int
			if src.Float64() < 0.9 {
				j = k*25 + src.IntN(25)
			} else {
				j = src.IntN(100)
			}
			row[j]++
		}
	}
	return d, labels
}

// nnAccuracy returns the fraction of rows whose cosine nearest neighbour
// has the same label, after centring (as codes are compared).
func nnAccuracy(x *mat.Dense, labels []int) float64 {
	norm := func(v []float32) float64 {
		s := 0.0
		for _, a := range v {
			s += float64(a) * float64(a)
		}
		return math.Sqrt(s) + 1e-12
	}
	mean := make([]float64, x.Cols)
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			mean[j] += float64(v) / float64(x.Rows)
		}
	}
	c := mat.NewDense(x.Rows, x.Cols, nil)
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			c.Data[i*x.Cols+j] = v - float32(mean[j])
		}
	}
	ok := 0
	for i := 0; i < c.Rows; i++ {
		best, bj := math.Inf(-1), -1
		ni := norm(c.Row(i))
		for j := 0; j < c.Rows; j++ {
			if j == i {
				continue
			}
			s := 0.0
			for k, a := range c.Row(i) {
				s += float64(a) * float64(c.Row(j)[k])
			}
			s /= ni * norm(c.Row(j))
			if s > best {
				best, bj = s, j
			}
		}
		if labels[bj] == labels[i] {
			ok++
		}
	}
	return float64(ok) / float64(c.Rows)
}

func sched(epochs, batch int, lr float32) rbmstack.Schedule {
	return rbmstack.Schedule{Epochs: epochs, BatchSize: batch, LR: lr}
}

// softmaxLayer is the replicated-softmax recipe of RECIPES.md.
func softmaxLayer(hidden, epochs int, seed uint64) Layer {
	return Layer{Hidden: hidden, Kind: rbm.Binary, Config: rbm.Config{Schedule: sched(epochs, 0, 1), LRHidBias: 0.01, CDk: 3, SampleVisible: true, InitStd: 0.05, Seed: seed}}
}

func trainStack(t *testing.T, data mat.Matrix, cfg Config, obs rbmstack.Observer) *Stack {
	t.Helper()
	tr, err := NewTrainer(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Train(context.Background(), obs); err != nil {
		t.Fatal(err)
	}
	return tr.Stack()
}

func TestReplicatedSoftmaxLearnsTopics(t *testing.T) {
	t.Parallel()
	docs, labels := topicDocs(800, 1)
	s := trainStack(t, docs, Config{Visible: rbm.Softmax, DocLen: 100, Layers: []Layer{softmaxLayer(20, 15, 1)}}, nil)
	acc := nnAccuracy(s.Transform(docs, 1), labels)
	t.Logf("nearest-neighbour topic accuracy of the hidden means: %.3f (chance 0.25)", acc)
	if acc < 0.9 {
		t.Errorf("accuracy %.3f, want >= 0.9", acc)
	}
	for j, a := range s.Layers[0].HidBias {
		if math.Abs(float64(a)) > 1 {
			t.Errorf("hidden bias %d ran away to %g", j, a)
		}
	}
}

func TestStackWithLinearTop(t *testing.T) {
	t.Parallel()
	docs, labels := topicDocs(600, 2)
	cfg := Config{Visible: rbm.Softmax, DocLen: 100, Layers: []Layer{
		softmaxLayer(30, 10, 2),
		{Hidden: 20, Kind: rbm.Binary, Config: rbm.Config{Schedule: sched(10, 0, 0.1), InitStd: 0.1, SampleInput: true, Seed: 2}},
		{Hidden: 4, Kind: rbm.Linear, Config: rbm.Config{Schedule: sched(20, 0, 0.005), InitStd: 0.1, SampleInput: true, Seed: 2}},
	}}
	layersDone := 0
	s := trainStack(t, docs, cfg, func(e rbmstack.Event) error {
		if e.Kind == rbmstack.StageEnd {
			layersDone++
		}
		return nil
	})
	if got := s.Sizes(); len(got) != 4 || got[3] != 4 {
		t.Fatalf("sizes %v", got)
	}
	if layersDone != 3 {
		t.Errorf("%d StageEnd events, want one per layer", layersDone)
	}
	acc := nnAccuracy(s.Transform(docs, 3), labels)
	t.Logf("4-D linear code nearest-neighbour accuracy %.3f (chance 0.25)", acc)
	if acc < 0.8 {
		t.Errorf("accuracy %.3f, want >= 0.8", acc)
	}
}

// resumeCase is a three-layer binary stack whose middle layer trains by
// PCD with a decaying rate.
func resumeCase() (*mat.Dense, Config) {
	pcd := sched(4, 20, 0.1)
	pcd.Decay = rbmstack.Linear
	return testcase.TwoPatterns(400, 7), Config{Visible: rbm.Binary, Layers: []Layer{
		{Hidden: 5, Config: rbm.Config{Schedule: sched(3, 20, 0), Seed: 1}},
		{Hidden: 4, Config: rbm.Config{Schedule: pcd, SampleInput: true, Persistent: true, Seed: 2}},
		{Hidden: 2, Kind: rbm.Linear, Config: rbm.Config{Schedule: sched(3, 20, 0.01), SampleInput: true, Seed: 3}},
	}}
}

// TestResumeAtEveryBoundary kills greedy training at every epoch and
// layer boundary in turn (the state saved by rbmstack.Resume is all that
// survives: 10 epochs and 3 layers), resuming each time until a run
// finishes: the stack must be bit-identical to an uninterrupted run's.
func TestResumeAtEveryBoundary(t *testing.T) {
	t.Parallel()
	data, cfg := resumeCase()
	want, _ := trainStack(t, data, cfg, nil).MarshalBinary()
	var store testcase.Store
	kills := 0
	for ; kills < 50; kills++ {
		tr, err := NewTrainer(data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = rbmstack.Resume(context.Background(), tr, &store, testcase.KillAfter(1))
		if err == nil {
			got, _ := tr.Stack().MarshalBinary()
			if !bytes.Equal(got, want) {
				t.Error("resumed stack differs from the uninterrupted one")
			}
			break
		}
		if !errors.Is(err, testcase.ErrKilled) {
			t.Fatal(err)
		}
	}
	if kills != 3+4+3+3 {
		t.Errorf("%d kills, want one per boundary (13)", kills)
	}
}

// TestRestoreRefusesOtherStack: a state of another configuration or data
// width is refused, naming what differs.
func TestRestoreRefusesOtherStack(t *testing.T) {
	t.Parallel()
	data, cfg := resumeCase()
	tr, err := NewTrainer(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Train(context.Background(), testcase.KillAfter(4)); !errors.Is(err, testcase.ErrKilled) {
		t.Fatal(err)
	}
	st, _ := tr.MarshalState()
	other := cfg
	other.Layers = append([]Layer(nil), cfg.Layers...)
	other.Layers[1].Hidden = 6
	o, _ := NewTrainer(data, other)
	if err := o.RestoreState(st); !errors.Is(err, rbmstack.ErrMismatch) || !strings.Contains(err.Error(), "Hidden:6") {
		t.Errorf("other configuration: %v", err)
	}
	wide, _ := NewTrainer(testcase.RandomBinary(50, 7, 1), cfg)
	if err := wide.RestoreState(st); !errors.Is(err, rbmstack.ErrMismatch) || !strings.Contains(err.Error(), "7-5") {
		t.Errorf("other data width: %v", err)
	}
}

func TestReproducibleWithSeed(t *testing.T) {
	t.Parallel()
	data := testcase.TwoPatterns(300, 4)
	run := func(seed uint64) []byte {
		s := trainStack(t, data, Config{Visible: rbm.Binary, Layers: []Layer{
			{Hidden: 5, Config: rbm.Config{Schedule: sched(3, 10, 0), Seed: seed}},
			{Hidden: 3, Kind: rbm.Linear, Config: rbm.Config{Schedule: sched(3, 10, 0.01), SampleInput: true, Seed: seed}},
		}}, nil)
		b, _ := s.MarshalBinary()
		return b
	}
	a, b, c := run(1), run(1), run(2)
	if !bytes.Equal(a, b) {
		t.Error("two runs with seed 1 differ")
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 1 and 2 give identical stacks")
	}
}

func TestConfigValidateListsAll(t *testing.T) {
	t.Parallel()
	c := Config{Visible: rbm.Binary, Layers: []Layer{{Hidden: 0, Kind: rbm.Linear}, {Hidden: 3, Config: rbm.Config{CDk: -1}}}}
	err := c.Validate()
	for _, want := range []string{"layer 1: hidden size", "layer 1: linear hidden units only on the top", "layer 2: rbm: CDk"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want %q", err, want)
		}
	}
}
