package rbmstack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// randomBinary returns n cases of c fair random bits.
func randomBinary(n, c int, seed uint64) *mat.Dense {
	x := make([]float32, n*c)
	src := rng.New(seed, 5)
	for i := range x {
		x[i] = b2f(src.Float64() < 0.5)
	}
	return mat.NewDense(n, c, x)
}

// sameBits reports whether a and b hold bit-identical floats.
func sameBits(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// reseal returns a copy of b with a checksum appended: a frame whose body
// may be cut or damaged but which passes binenc.Open.
func reseal(b []byte) []byte {
	n := len(b)
	return binary.LittleEndian.AppendUint32(append([]byte(nil), b...), crc32.Checksum(b[:n], crc32.MakeTable(crc32.Castagnoli)))
}

func dbmParams(d *DBM) [][]float32 { return append(append([][]float32(nil), d.W...), d.B...) }

// TestDBMResume trains a DBM for 4 epochs in one go and again for 2,
// saves, restores a fresh trainer on a fresh copy of the initial DBM and
// trains the last 2: the weights, biases and chains must be bit-identical.
func TestDBMResume(t *testing.T) {
	t.Parallel()
	data := randomBinary(200, 30, 1)
	init := NewDBM([]int{30, 8, 6}, 0.1, 2)
	for _, tau := range []float64{0, 20} {
		cfg := DBMConfig{Epochs: 4, BatchSize: 25, Particles: 20, Gibbs: 2, MeanField: 3, LR: 0.02, MomentumEpochs: 1, Tau: tau, Seed: 3}
		full := init.Clone()
		tr, err := NewDBMTrainer(full, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Train(data, nil); err != nil {
			t.Fatal(err)
		}
		wantFantasy := tr.Fantasy().Data

		var state []byte
		stop := errors.New("killed")
		cut, _ := NewDBMTrainer(init.Clone(), cfg)
		if tau > 0 {
			// With Tau > 0 the schedule does not depend on Epochs: a
			// 2-epoch run may be extended to 4.
			c := cfg
			c.Epochs = 2
			cut, _ = NewDBMTrainer(init.Clone(), c)
		}
		err = cut.Train(data, func(st DBMEpochStats) error {
			var err error
			if state, err = cut.MarshalState(); err != nil {
				return err
			}
			if st.Epoch == 2 && tau == 0 {
				return stop
			}
			return nil
		})
		if tau == 0 && !errors.Is(err, stop) || tau > 0 && err != nil {
			t.Fatalf("tau %g: cut run: %v", tau, err)
		}

		again := init.Clone()
		tr, _ = NewDBMTrainer(again, cfg)
		if err := tr.RestoreState(state); err != nil {
			t.Fatal(err)
		}
		if tr.Epoch() != 2 {
			t.Errorf("restored trainer at epoch %d", tr.Epoch())
		}
		if err := tr.Train(data, nil); err != nil {
			t.Fatal(err)
		}
		if !sameBits(dbmParams(again), dbmParams(full)) {
			t.Errorf("tau %g: resumed DBM differs from the uninterrupted one", tau)
		}
		if !sameBits([][]float32{tr.Fantasy().Data}, [][]float32{wantFantasy}) {
			t.Errorf("tau %g: resumed chains differ from the uninterrupted ones", tau)
		}
	}
}

// TestDBMRestoreRejects checks the errors of RestoreState: damaged data,
// another configuration and another shape, each leaving the trainer as it
// was.
func TestDBMRestoreRejects(t *testing.T) {
	t.Parallel()
	data := randomBinary(50, 10, 1)
	cfg := DBMConfig{Epochs: 2, BatchSize: 10, Particles: 5, Gibbs: 1, MeanField: 2, Seed: 3}
	tr, _ := NewDBMTrainer(NewDBM([]int{10, 4, 3}, 0.1, 1), cfg)
	if err := tr.Train(data, nil); err != nil {
		t.Fatal(err)
	}
	state, err := tr.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, tr *DBMTrainer, b []byte, want error, words ...string) {
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
	fresh := func(sizes []int, c DBMConfig) *DBMTrainer {
		tr, err := NewDBMTrainer(NewDBM(sizes, 0.1, 9), c)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	flipped := append([]byte(nil), state...)
	flipped[len(flipped)/2] ^= 1
	check("flipped", fresh([]int{10, 4, 3}, cfg), flipped, ErrCorrupt)
	check("truncated", fresh([]int{10, 4, 3}, cfg), state[:len(state)-9], ErrCorrupt)
	check("resealed truncation", fresh([]int{10, 4, 3}, cfg), reseal(state[:len(state)-40]), ErrCorrupt)
	check("empty", fresh([]int{10, 4, 3}, cfg), nil, ErrCorrupt)
	c := cfg
	c.LR, c.Gibbs = 0.01, 3
	check("config", fresh([]int{10, 4, 3}, c), state, ErrMismatch, "LR:0.005", "LR:0.01", "Gibbs:3")
	c = cfg
	c.Epochs = 5
	check("epochs", fresh([]int{10, 4, 3}, c), state, ErrMismatch, "Epochs:2")
	check("shape", fresh([]int{10, 4, 2}, cfg), state, ErrMismatch, "10-4-3", "10-4-2")
	check("depth", fresh([]int{10, 4}, cfg), state, ErrMismatch, "10-4-3", "10-4 ")
}

// TestPretrainDBMResume kills DBM pretraining in the middle of the second
// RBM and after the first, and resumes from the checkpoint file each time.
func TestPretrainDBMResume(t *testing.T) {
	t.Parallel()
	data := randomBinary(120, 12, 4)
	sizes := []int{12, 6, 5, 4}
	cfg := Config{Epochs: 3, BatchSize: 20, InitStd: 0.1, Anneal: true, Seed: 5}
	full, err := PretrainDBM(data, sizes, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	kill := errors.New("killed")
	for _, at := range []struct{ layer, epoch int }{{1, 2}, {0, 3}, {2, 1}} {
		path := filepath.Join(t.TempDir(), "ck")
		hooks := CheckpointHooks(path)
		save := hooks.Epoch
		hooks.Epoch = func(l int, tr *Trainer, st EpochStats) error {
			if err := save(l, tr, st); err != nil {
				return err
			}
			if l == at.layer && st.Epoch == at.epoch {
				return kill
			}
			return nil
		}
		if _, err := PretrainDBMFrom(data, sizes, cfg, nil, hooks); !errors.Is(err, kill) {
			t.Fatalf("%v: err = %v", at, err)
		}
		ck, err := ReadCheckpoint(path)
		if err != nil || ck == nil {
			t.Fatalf("%v: checkpoint %v %v", at, ck, err)
		}
		if len(ck.Stack.Layers) != at.layer || ck.Partial == nil {
			t.Fatalf("%v: checkpoint holds %d layers, partial %v", at, len(ck.Stack.Layers), ck.Partial != nil)
		}
		got, err := PretrainDBMFrom(data, sizes, cfg, ck, CheckpointHooksFrom(path, ck))
		if err != nil {
			t.Fatal(err)
		}
		if !sameBits(dbmParams(got), dbmParams(full)) {
			t.Errorf("%v: resumed pretraining differs from the uninterrupted one", at)
		}
	}
	// A checkpoint of other sizes is refused.
	ck := &Checkpoint{Stack: &Stack{Layers: []*RBM{New(Binary, Binary, 12, 7, 0.1, 1)}}}
	if _, err := PretrainDBMFrom(data, sizes, cfg, ck, Hooks{}); err == nil || !strings.Contains(err.Error(), "12-7") {
		t.Errorf("wrong-size resume: %v", err)
	}
}

// smallDBN returns a DBN 12-6-(5+3)-7 greedily trained on data with labels.
func smallDBN(t *testing.T, data *mat.Dense, labels []int) *DBN {
	t.Helper()
	s, err := TrainStack(data, StackConfig{Visible: Binary, Layers: []LayerSpec{
		{Hidden: 6, Config: Config{Epochs: 2, BatchSize: 20, Seed: 1}},
		{Hidden: 5, Config: Config{Epochs: 2, BatchSize: 20, SampleInput: true, Seed: 2}},
	}}, nil, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	top, err := TrainTop(s.Transform(data, 2), labels, 3, 7, Config{Epochs: 2, BatchSize: 20, CDk: 3, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDBN(s.Layers, top)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func dbnParams(d *DBN) [][]float32 {
	var out [][]float32
	for _, r := range append(append([]*RBM{d.Top}, d.Rec...), d.Gen...) {
		out = append(out, r.W, r.VisBias, r.HidBias)
	}
	return out
}

// cloneDBN returns a deep copy of d.
func cloneDBN(d *DBN) *DBN {
	c := &DBN{Top: d.Top.Clone()}
	for i := range d.Rec {
		c.Rec = append(c.Rec, d.Rec[i].Clone())
		c.Gen = append(c.Gen, d.Gen[i].Clone())
	}
	return c
}

// TestUpDownResume runs up-down for 4 epochs in one go and again cut after
// 2 (by an error, and by a 2-epoch run extended to 4), restoring a fresh
// trainer on a fresh copy of the DBN: every weight must be bit-identical.
func TestUpDownResume(t *testing.T) {
	t.Parallel()
	data, labels := labelled(150, 12, 3, 6)
	init := smallDBN(t, data, labels)
	cfg := UpDownConfig{Epochs: 4, BatchSize: 20, LR: 0.05, CDk: 2, Seed: 7}
	full := cloneDBN(init)
	if err := full.UpDown(data, labels, cfg, nil); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("killed")
	for _, extend := range []bool{false, true} {
		c := cfg
		if extend {
			c.Epochs = 2
		}
		cut := NewUpDownTrainer(cloneDBN(init), c)
		var state []byte
		err := cut.Train(data, labels, func(epoch int) error {
			var err error
			if state, err = cut.MarshalState(); err != nil {
				return err
			}
			if epoch == 2 && !extend {
				return stop
			}
			return nil
		})
		if extend && err != nil || !extend && !errors.Is(err, stop) {
			t.Fatalf("cut run: %v", err)
		}
		again := cloneDBN(init)
		u := NewUpDownTrainer(again, cfg)
		if err := u.RestoreState(state); err != nil {
			t.Fatal(err)
		}
		if u.Epoch() != 2 {
			t.Errorf("restored trainer at epoch %d", u.Epoch())
		}
		if err := u.Train(data, labels, nil); err != nil {
			t.Fatal(err)
		}
		if !sameBits(dbnParams(again), dbnParams(full)) {
			t.Errorf("extend %v: resumed up-down differs from the uninterrupted run", extend)
		}
	}

	// Errors leave the DBN as it was.
	state, _ := NewUpDownTrainer(cloneDBN(init), cfg).MarshalState()
	other := cloneDBN(init)
	before := cloneDBN(other)
	c := cfg
	c.LR = 0.1
	if err := NewUpDownTrainer(other, c).RestoreState(state); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "LR") {
		t.Errorf("other LR: %v", err)
	}
	small := &DBN{Rec: init.Rec[:1], Gen: init.Gen[:1], Top: init.Top}
	if err := NewUpDownTrainer(small, cfg).RestoreState(state); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "12-6-5-(5+3)-7") {
		t.Errorf("other shape: %v", err)
	}
	state[len(state)/3] ^= 8
	if err := NewUpDownTrainer(other, cfg).RestoreState(state); !errors.Is(err, ErrCorrupt) {
		t.Errorf("damaged state: %v", err)
	}
	if !sameBits(dbnParams(other), dbnParams(before)) {
		t.Error("a failed restore changed the DBN")
	}
}

// TestTrainTopResume cuts the top memory's training after 2 of 4 epochs
// and continues it from the trainer's state.
func TestTrainTopResume(t *testing.T) {
	t.Parallel()
	pen, labels := labelled(100, 6, 4, 8)
	cfg := Config{Epochs: 4, BatchSize: 20, CDk: 2, Seed: 9}
	full, err := TrainTop(pen, labels, 4, 5, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var state []byte
	stop := errors.New("killed")
	_, err = TrainTopFrom(pen, labels, 4, 5, cfg, nil, func(tr *Trainer, st EpochStats) error {
		state, _ = tr.MarshalState()
		if st.Epoch == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatal(err)
	}
	got, err := TrainTopFrom(pen, labels, 4, 5, cfg, state, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Labels != 4 || !sameBits([][]float32{got.W, got.VisBias, got.HidBias}, [][]float32{full.W, full.VisBias, full.HidBias}) {
		t.Error("resumed top memory differs from the uninterrupted one")
	}
}

func FuzzDBMRestore(f *testing.F) {
	cfg := DBMConfig{Epochs: 1, BatchSize: 10, Particles: 4, Gibbs: 1, MeanField: 2, Seed: 1}
	tr, _ := NewDBMTrainer(NewDBM([]int{5, 3, 2}, 0.1, 1), cfg)
	empty, _ := tr.MarshalState()
	tr.Train(randomBinary(20, 5, 1), nil)
	trained, _ := tr.MarshalState()
	f.Add(empty)
	f.Add(trained)
	f.Add(trained[:len(trained)/2])
	f.Add(reseal(trained[:len(trained)/2]))
	f.Add([]byte(dbmTrainerFormat.Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, _ := NewDBMTrainer(NewDBM([]int{5, 3, 2}, 0.1, 1), cfg)
		_ = tr.RestoreState(data)
		// Reseal the data, so that mutations reach the field decoder past
		// the checksum.
		if len(data) >= 4 {
			_ = tr.RestoreState(reseal(data[:len(data)-4]))
		}
	})
}

func FuzzUpDownRestore(f *testing.F) {
	top := New(Binary, Binary, 5, 3, 0.1, 1)
	top.Labels = 2
	d, _ := NewDBN([]*RBM{New(Binary, Binary, 4, 3, 0.1, 2)}, top)
	state, _ := NewUpDownTrainer(d, UpDownConfig{Seed: 1}).MarshalState()
	f.Add(state)
	f.Add(state[:len(state)/2])
	f.Add(reseal(state[:len(state)/2]))
	f.Fuzz(func(t *testing.T, data []byte) {
		u := NewUpDownTrainer(cloneDBN(d), UpDownConfig{Seed: 1})
		_ = u.RestoreState(data)
		if len(data) >= 4 {
			_ = u.RestoreState(reseal(data[:len(data)-4]))
		}
	})
}

// TestUpDownSchedule checks CDkSchedule: the steps follow the parts of the
// run, a schedule changes the model against a constant CDk, a resumed
// scheduled run matches the uninterrupted one, and a state of another
// schedule is refused.
func TestUpDownSchedule(t *testing.T) {
	t.Parallel()
	cfg := UpDownConfig{Epochs: 6, CDkSchedule: []int{1, 2, 4}}
	for epoch, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4} {
		if got := cfg.cdk(epoch); got != want {
			t.Errorf("epoch %d: CD-%d, want CD-%d", epoch, got, want)
		}
	}
	data, labels := labelled(120, 12, 3, 8)
	init := smallDBN(t, data, labels)
	cfg = UpDownConfig{Epochs: 3, BatchSize: 20, LR: 0.05, CDk: 1, CDkSchedule: []int{1, 3, 5}, Seed: 9}
	full := cloneDBN(init)
	if err := full.UpDown(data, labels, cfg, nil); err != nil {
		t.Fatal(err)
	}
	constant := cloneDBN(init)
	c := cfg
	c.CDkSchedule = nil
	if err := constant.UpDown(data, labels, c, nil); err != nil {
		t.Fatal(err)
	}
	if sameBits(dbnParams(constant), dbnParams(full)) {
		t.Error("the schedule made no difference to the model")
	}
	stop := errors.New("killed")
	cut := NewUpDownTrainer(cloneDBN(init), cfg)
	var state []byte
	err := cut.Train(data, labels, func(epoch int) error {
		var err error
		if state, err = cut.MarshalState(); err == nil && epoch == 2 {
			err = stop
		}
		return err
	})
	if !errors.Is(err, stop) {
		t.Fatalf("cut run: %v", err)
	}
	again := cloneDBN(init)
	u := NewUpDownTrainer(again, cfg)
	if err := u.RestoreState(state); err != nil {
		t.Fatal(err)
	}
	if err := u.Train(data, labels, nil); err != nil {
		t.Fatal(err)
	}
	if !sameBits(dbnParams(again), dbnParams(full)) {
		t.Error("resumed scheduled up-down differs from the uninterrupted run")
	}
	c = cfg
	c.CDkSchedule = []int{1, 3}
	if err := NewUpDownTrainer(cloneDBN(init), c).RestoreState(state); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "CDkSchedule") {
		t.Errorf("other schedule: %v", err)
	}
	c = cfg
	c.CDkSchedule = []int{0}
	if err := NewUpDownTrainer(cloneDBN(init), c).Train(data, labels, nil); err == nil {
		t.Error("a schedule with a zero entry was accepted")
	}
}

// labelled returns n random binary cases of c columns and the labels
// i mod classes.
func labelled(n, c, classes int, seed uint64) (*mat.Dense, []int) {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % classes
	}
	return randomBinary(n, c, seed), labels
}
