package dbn

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/blas"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/internal/testcase"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

func sched(epochs, batch int, lr float32) rbmstack.Schedule {
	return rbmstack.Schedule{Epochs: epochs, BatchSize: batch, LR: lr}
}

// smallDBN returns a DBN 12-6-(5+3)-7 greedily trained on data with labels.
func smallDBN(t *testing.T, data *mat.Dense, labels []int) *DBN {
	t.Helper()
	st, err := stack.NewTrainer(data, stack.Config{Visible: rbm.Binary, Layers: []stack.Layer{
		{Hidden: 6, Config: rbm.Config{Schedule: sched(2, 20, 0), Seed: 1}},
		{Hidden: 5, Config: rbm.Config{Schedule: sched(2, 20, 0), SampleInput: true, Seed: 2}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	s := st.Stack()
	tt, err := NewTopTrainer(s.Transform(data, 2), labels, 3, 7, rbm.Config{Schedule: sched(2, 20, 0), CDk: 3, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := tt.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	d, err := New(s.Layers, tt.R)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func params(d *DBN) [][]float32 {
	var out [][]float32
	for _, r := range append(append([]*rbm.RBM{d.Top}, d.Rec...), d.Gen...) {
		out = append(out, r.W, r.VisBias, r.HidBias)
	}
	return out
}

func upDown(t *testing.T, d *DBN, data *mat.Dense, labels []int, cfg UpDownConfig, obs rbmstack.Observer) (*UpDownTrainer, error) {
	t.Helper()
	u, err := NewUpDownTrainer(d, data, labels, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u, u.Train(context.Background(), obs)
}

// TestUpDownResume runs up-down for 4 epochs in one go and again cut after
// 2 (by a kill, and by a 2-epoch run extended to 4), restoring a fresh
// trainer on a fresh copy of the DBN: every weight must be bit-identical.
func TestUpDownResume(t *testing.T) {
	t.Parallel()
	data, labels := testcase.Labelled(150, 12, 3, 6)
	init := smallDBN(t, data, labels)
	cfg := UpDownConfig{Schedule: sched(4, 20, 0.05), CDk: 2, Seed: 7}
	full := init.Clone()
	if _, err := upDown(t, full, data, labels, cfg, nil); err != nil {
		t.Fatal(err)
	}
	for _, extend := range []bool{false, true} {
		c := cfg
		var obs rbmstack.Observer = testcase.KillAfter(2)
		if extend {
			c.Epochs, obs = 2, nil
		}
		cut, err := upDown(t, init.Clone(), data, labels, c, obs)
		if extend && err != nil || !extend && !errors.Is(err, testcase.ErrKilled) {
			t.Fatalf("cut run: %v", err)
		}
		state, _ := cut.MarshalState()
		again := init.Clone()
		u, err := NewUpDownTrainer(again, data, labels, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := u.RestoreState(state); err != nil {
			t.Fatal(err)
		}
		if u.Epoch() != 2 {
			t.Errorf("restored trainer at epoch %d", u.Epoch())
		}
		if err := u.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if !testcase.SameBits(params(again), params(full)) {
			t.Errorf("extend %v: resumed up-down differs from the uninterrupted run", extend)
		}
	}

	// Errors leave the DBN as it was.
	u, _ := NewUpDownTrainer(init.Clone(), data, labels, cfg)
	state, _ := u.MarshalState()
	other := init.Clone()
	before := other.Clone()
	c := cfg
	c.LR = 0.1
	if u, _ := NewUpDownTrainer(other, data, labels, c); !errors.Is(u.RestoreState(state), rbmstack.ErrMismatch) {
		t.Error("a state of another LR was accepted")
	}
	small := &DBN{Rec: init.Rec[:1], Gen: init.Gen[:1], Top: init.Top}
	if u, _ := NewUpDownTrainer(small, data, labels, cfg); u != nil {
		if err := u.RestoreState(state); !errors.Is(err, rbmstack.ErrMismatch) || !strings.Contains(err.Error(), "12-6-5-(5+3)-7") {
			t.Errorf("other shape: %v", err)
		}
	}
	state[len(state)/3] ^= 8
	if u, _ := NewUpDownTrainer(other, data, labels, cfg); !errors.Is(u.RestoreState(state), rbmstack.ErrCorrupt) {
		t.Error("a damaged state was accepted")
	}
	if !testcase.SameBits(params(other), params(before)) {
		t.Error("a failed restore changed the DBN")
	}
}

// TestTopResume cuts the top memory's training after 2 of 4 epochs and
// continues it from the trainer's state.
func TestTopResume(t *testing.T) {
	t.Parallel()
	pen, labels := testcase.Labelled(100, 6, 4, 8)
	cfg := rbm.Config{Schedule: sched(4, 20, 0), CDk: 2, Seed: 9}
	full, _ := NewTopTrainer(pen, labels, 4, 5, cfg)
	if err := full.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var store testcase.Store
	cut, _ := NewTopTrainer(pen, labels, 4, 5, cfg)
	if err := rbmstack.Resume(context.Background(), cut, &store, testcase.KillAfter(2)); !errors.Is(err, testcase.ErrKilled) {
		t.Fatal(err)
	}
	got, _ := NewTopTrainer(pen, labels, 4, 5, cfg)
	if err := rbmstack.Resume(context.Background(), got, &store, nil); err != nil {
		t.Fatal(err)
	}
	g, f := got.R, full.R
	if g.Labels != 4 || !testcase.SameBits([][]float32{g.W, g.VisBias, g.HidBias}, [][]float32{f.W, f.VisBias, f.HidBias}) {
		t.Error("resumed top memory differs from the uninterrupted one")
	}
	if _, err := NewTopTrainer(pen, labels[:10], 4, 5, cfg); err == nil {
		t.Error("too few labels accepted")
	}
}

// TestUpDownSchedule checks CDkSchedule: the steps follow the parts of the
// run, a schedule changes the model against a constant CDk, a resumed
// scheduled run matches the uninterrupted one, and a state of another
// schedule is refused.
func TestUpDownSchedule(t *testing.T) {
	t.Parallel()
	cfg := UpDownConfig{Schedule: sched(6, 0, 0), CDkSchedule: []int{1, 2, 4}}
	for epoch, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4} {
		if got := cfg.cdk(epoch); got != want {
			t.Errorf("epoch %d: CD-%d, want CD-%d", epoch, got, want)
		}
	}
	data, labels := testcase.Labelled(120, 12, 3, 8)
	init := smallDBN(t, data, labels)
	cfg = UpDownConfig{Schedule: sched(3, 20, 0.05), CDk: 1, CDkSchedule: []int{1, 3, 5}, Seed: 9}
	full := init.Clone()
	if _, err := upDown(t, full, data, labels, cfg, nil); err != nil {
		t.Fatal(err)
	}
	constant := init.Clone()
	c := cfg
	c.CDkSchedule = nil
	if _, err := upDown(t, constant, data, labels, c, nil); err != nil {
		t.Fatal(err)
	}
	if testcase.SameBits(params(constant), params(full)) {
		t.Error("the schedule made no difference to the model")
	}
	store := resumeCut(t, init, data, labels, cfg, full)
	c = cfg
	c.CDkSchedule = []int{1, 3}
	if u, _ := NewUpDownTrainer(init.Clone(), data, labels, c); !strings.Contains(u.RestoreState(store.State).Error(), "CDkSchedule:[1 3]") {
		t.Error("a state of another schedule was accepted")
	}
	c.CDkSchedule = []int{0}
	c.Momentum = 1.5
	_, err := NewUpDownTrainer(init.Clone(), data, labels, c)
	for _, want := range []string{"CDkSchedule [0]", "momentum must be in [0, 1)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewUpDownTrainer = %v, want %q", err, want)
		}
	}
}

// TestClassifyAndSample: a DBN trained on two labelled patterns classifies
// them, and its samples with a label clamped look like that label's
// pattern.
func TestClassifyAndSample(t *testing.T) {
	t.Parallel()
	data := testcase.TwoPatterns(300, 3)
	labels := make([]int, data.Rows)
	for i := range labels {
		if data.Row(i)[0]+data.Row(i)[1]+data.Row(i)[2] < 1.5 {
			labels[i] = 1
		}
	}
	tt, _ := NewTopTrainer(data, labels, 2, 8, rbm.Config{Schedule: sched(30, 20, 0.1), InitStd: 0.1, Seed: 1})
	if err := tt.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	d, err := New(nil, tt.R)
	if err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for i, c := range d.Classify(data) {
		if c != labels[i] {
			wrong++
		}
	}
	// Labels follow the majority of the first three bits, each flipped
	// with probability 0.05: a few cases in 300 are ambiguous.
	if wrong > 15 {
		t.Errorf("%d of 300 cases misclassified", wrong)
	}
	s := d.Sample(0, 20, 1, 50, 1)
	var first, last float32
	for i := 0; i < s.Rows; i++ {
		r := s.Row(i)
		first += r[0] + r[1] + r[2]
		last += r[3] + r[4] + r[5]
	}
	if first <= last {
		t.Errorf("samples of label 0 have %g ones in the first half, %g in the second", first, last)
	}
}

func FuzzUpDownRestore(f *testing.F) {
	top := rbm.New(rbm.Binary, rbm.Binary, 5, 3, 0.1, 1)
	top.Labels = 2
	d, _ := New([]*rbm.RBM{rbm.New(rbm.Binary, rbm.Binary, 4, 3, 0.1, 2)}, top)
	data, labels := testcase.Labelled(10, 4, 2, 1)
	u, _ := NewUpDownTrainer(d, data, labels, UpDownConfig{Seed: 1})
	state, _ := u.MarshalState()
	f.Add(state)
	f.Add(state[:len(state)/2])
	f.Add(testcase.Reseal(state[:len(state)/2]))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, _ := NewUpDownTrainer(d.Clone(), data, labels, UpDownConfig{Seed: 1})
		_ = u.RestoreState(b)
		if len(b) >= 4 {
			_ = u.RestoreState(testcase.Reseal(b[:len(b)-4]))
		}
	})
}

// resumeCut runs up-down from a copy of init with cfg, killed after two
// epochs, then resumes it on another copy: the result must be bit for bit
// full, the uninterrupted run's. It returns the store of the cut run.
func resumeCut(t *testing.T, init *DBN, data *mat.Dense, labels []int, cfg UpDownConfig, full *DBN) *testcase.Store {
	t.Helper()
	var store testcase.Store
	cut, _ := NewUpDownTrainer(init.Clone(), data, labels, cfg)
	if err := rbmstack.Resume(context.Background(), cut, &store, testcase.KillAfter(2)); !errors.Is(err, testcase.ErrKilled) {
		t.Fatalf("cut run: %v", err)
	}
	again := init.Clone()
	u, _ := NewUpDownTrainer(again, data, labels, cfg)
	if err := rbmstack.Resume(context.Background(), u, &store, nil); err != nil {
		t.Fatal(err)
	}
	if !testcase.SameBits(params(again), params(full)) {
		t.Errorf("resumed up-down (%+v) differs from the uninterrupted run", cfg)
	}
	return &store
}

// TestUpDownDecay checks a falling up-down rate: the epochs report a
// linear fall to zero, the model differs from the constant rate's, a
// resumed run matches the uninterrupted one, a state of the constant rate
// is refused, and so are an inverse decay and an absurd weight decay.
func TestUpDownDecay(t *testing.T) {
	t.Parallel()
	data, labels := testcase.Labelled(120, 12, 3, 8)
	init := smallDBN(t, data, labels)
	cfg := UpDownConfig{Schedule: sched(4, 20, 0.05), CDk: 1, Seed: 9}
	cfg.Decay = rbmstack.Linear
	full := init.Clone()
	var rates []float32
	obs := func(e rbmstack.Event) error {
		if e.Kind == rbmstack.EpochEnd {
			rates = append(rates, e.LR)
		}
		return nil
	}
	if _, err := upDown(t, full, data, labels, cfg, obs); err != nil {
		t.Fatal(err)
	}
	// The last batch of epoch e starts after (e - 1/6) quarters: 6 batches of 20.
	for e, got := range rates {
		want := 0.05 * (1 - (float64(e+1)-1.0/6)/4)
		if math.Abs(float64(got)-want) > 1e-6 {
			t.Errorf("epoch %d: rate %g, want %g", e+1, got, want)
		}
	}
	if len(rates) != 4 {
		t.Fatalf("%d epochs reported, want 4", len(rates))
	}
	constant := init.Clone()
	c := cfg
	c.Decay = rbmstack.Constant
	if _, err := upDown(t, constant, data, labels, c, nil); err != nil {
		t.Fatal(err)
	}
	if testcase.SameBits(params(constant), params(full)) {
		t.Error("the decay made no difference to the model")
	}
	store := resumeCut(t, init, data, labels, cfg, full)
	if u, _ := NewUpDownTrainer(init.Clone(), data, labels, c); u.RestoreState(store.State) == nil {
		t.Error("a state of the linear decay was accepted by a constant-rate trainer")
	}
	c.Decay = rbmstack.Inverse
	c.WeightDecay = 2
	_, err := NewUpDownTrainer(init.Clone(), data, labels, c)
	for _, want := range []string{"constant, linear or cosine", "WeightDecay must be in [0, 1)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewUpDownTrainer = %v, want %q", err, want)
		}
	}
}

// TestUpDownMomentum checks up-down with momentum and weight decay: the
// explicit "none" (negative) trains exactly as the default, momentum and
// weight decay each change the model, weight decay shrinks the weights, a
// run with momentum killed after 2 epochs resumes to the uninterrupted
// run's model (the increments are in the state), and a state with
// momentum is refused by a trainer without it and the other way round.
func TestUpDownMomentum(t *testing.T) {
	t.Parallel()
	data, labels := testcase.Labelled(120, 12, 3, 8)
	init := smallDBN(t, data, labels)
	plainCfg := UpDownConfig{Schedule: sched(4, 20, 0.05), CDk: 1, Seed: 9}
	run := func(c UpDownConfig) *DBN {
		d := init.Clone()
		if _, err := upDown(t, d, data, labels, c, nil); err != nil {
			t.Fatal(err)
		}
		return d
	}
	plain := run(plainCfg)
	none := plainCfg
	none.Momentum, none.WeightDecay = -1, -1
	if !testcase.SameBits(params(run(none)), params(plain)) {
		t.Error("momentum and weight decay -1 (none) trained otherwise than the default")
	}
	mom := plainCfg
	mom.Momentum = 0.5
	withMom := run(mom)
	if testcase.SameBits(params(withMom), params(plain)) {
		t.Error("momentum 0.5 made no difference to the model")
	}
	wd := plainCfg
	wd.WeightDecay = 0.05
	withWD := run(wd)
	sq := func(d *DBN) (s float64) {
		for _, r := range append(append([]*rbm.RBM{d.Top}, d.Rec...), d.Gen...) {
			for _, w := range r.W {
				s += float64(w) * float64(w)
			}
		}
		return s
	}
	if a, b := sq(withWD), sq(plain); !(a < b) {
		t.Errorf("weight decay 0.05: sum of squared weights %g, without %g", a, b)
	}

	both := mom
	both.WeightDecay = 0.01
	full := run(both)
	store := resumeCut(t, init, data, labels, both, full)
	if u, _ := NewUpDownTrainer(init.Clone(), data, labels, plainCfg); !errors.Is(u.RestoreState(store.State), rbmstack.ErrMismatch) {
		t.Error("a state with momentum was accepted by a trainer without")
	}
	plainStore := resumeCut(t, init, data, labels, plainCfg, plain)
	if u, _ := NewUpDownTrainer(init.Clone(), data, labels, both); !errors.Is(u.RestoreState(plainStore.State), rbmstack.ErrMismatch) {
		t.Error("a state without momentum was accepted by a trainer with")
	}
}

// TestUpDownStateV1 restores testdata/updown-v1.state, written by the
// build before MeanLabels existed (a 2-epoch run of smallDBN, go-avx512
// kernels), into a trainer of today: the state must open and, on those
// kernels, hold the model this build trains with the same settings, bit
// for bit.
func TestUpDownStateV1(t *testing.T) {
	t.Parallel()
	data, labels := testcase.Labelled(120, 12, 3, 8)
	init := smallDBN(t, data, labels)
	cfg := UpDownConfig{Schedule: sched(2, 20, 0.05), CDkSchedule: []int{1, 2}, Seed: 9}
	full := init.Clone()
	if _, err := upDown(t, full, data, labels, cfg, nil); err != nil {
		t.Fatal(err)
	}
	state, err := os.ReadFile(filepath.Join("testdata", "updown-v1.state"))
	if err != nil {
		t.Fatal(err)
	}
	d := init.Clone()
	u, _ := NewUpDownTrainer(d, data, labels, cfg)
	if err := u.RestoreState(state); err != nil {
		t.Fatalf("a state of the build before MeanLabels: %v", err)
	}
	if u.Epoch() != 2 {
		t.Errorf("restored epoch %d, want 2", u.Epoch())
	}
	// The file was written with the go-avx512 kernels; other backends round
	// otherwise, so only there must the model be this build's bit for bit.
	if b := blas.Backend(); b != "go-avx512" {
		t.Logf("backend %s: the restored model is not compared with this build's run", b)
	} else if !testcase.SameBits(params(d), params(full)) {
		t.Error("the restored model differs from this build's run")
	}
	c := cfg
	c.MeanLabels = true
	if u, _ := NewUpDownTrainer(init.Clone(), data, labels, c); !errors.Is(u.RestoreState(state), rbmstack.ErrMismatch) {
		t.Error("a state drawing labels was accepted by a MeanLabels trainer")
	}
}

// TestUpDownMeanLabels: keeping the label probabilities in the top
// memory's Gibbs steps changes the model, a killed run resumes to the
// uninterrupted one, and its state is refused by a trainer drawing labels.
func TestUpDownMeanLabels(t *testing.T) {
	t.Parallel()
	data, labels := testcase.Labelled(120, 12, 3, 8)
	init := smallDBN(t, data, labels)
	cfg := UpDownConfig{Schedule: sched(4, 20, 0.05), CDk: 3, Seed: 9}
	draw := init.Clone()
	if _, err := upDown(t, draw, data, labels, cfg, nil); err != nil {
		t.Fatal(err)
	}
	cfg.MeanLabels = true
	mean := init.Clone()
	if _, err := upDown(t, mean, data, labels, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if testcase.SameBits(params(mean), params(draw)) {
		t.Error("MeanLabels made no difference to the model")
	}
	store := resumeCut(t, init, data, labels, cfg, mean)
	c := cfg
	c.MeanLabels = false
	if u, _ := NewUpDownTrainer(init.Clone(), data, labels, c); !errors.Is(u.RestoreState(store.State), rbmstack.ErrMismatch) {
		t.Error("a MeanLabels state was accepted by a trainer drawing labels")
	}
}
