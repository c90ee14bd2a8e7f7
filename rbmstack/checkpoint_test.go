package rbmstack

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/binenc"
)

// TestResumeMidLayer kills greedy training after the second epoch of the
// second layer (a hook error stands in for kill -9: the checkpoint on disk
// is all that survives), resumes from the checkpoint file, and expects the
// very stack an uninterrupted run makes.
func TestResumeMidLayer(t *testing.T) {
	t.Parallel()
	data := twoPatterns(400, 7)
	sc := StackConfig{Visible: Binary, Layers: []LayerSpec{
		{Hidden: 5, Config: Config{Epochs: 3, BatchSize: 20, Seed: 1}},
		{Hidden: 4, Config: Config{Epochs: 4, BatchSize: 20, SampleInput: true, Persistent: true, Anneal: true, Seed: 2}},
		{Hidden: 2, Kind: Linear, Config: Config{Epochs: 3, BatchSize: 20, LR: 0.01, SampleInput: true, Seed: 3}},
	}}
	full, err := TrainStack(data, sc, nil, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := full.MarshalBinary()

	path := filepath.Join(t.TempDir(), "ck")
	kill := errors.New("killed")
	hooks := CheckpointHooks(path)
	save := hooks.Epoch
	hooks.Epoch = func(l int, tr *Trainer, st EpochStats) error {
		if err := save(l, tr, st); err != nil {
			return err
		}
		if l == 1 && st.Epoch == 2 {
			return kill
		}
		return nil
	}
	if _, err := TrainStack(data, sc, nil, hooks); !errors.Is(err, kill) {
		t.Fatalf("err = %v", err)
	}
	ck, err := ReadCheckpoint(path)
	if err != nil || ck == nil {
		t.Fatalf("checkpoint: %v %v", ck, err)
	}
	if len(ck.Stack.Layers) != 1 || ck.Partial == nil {
		t.Fatalf("checkpoint holds %d layers, partial %v", len(ck.Stack.Layers), ck.Partial != nil)
	}
	got, err := TrainStack(data, sc, ck, CheckpointHooks(path))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := got.MarshalBinary()
	if !bytes.Equal(b, want) {
		t.Error("resumed stack differs from the uninterrupted one")
	}

	// A damaged checkpoint is an error naming the file, not a silent restart.
	raw, _ := os.ReadFile(path)
	raw[len(raw)/2] ^= 1
	os.WriteFile(path, raw, 0o644)
	if _, err := ReadCheckpoint(path); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("damaged checkpoint: %v", err)
	}
}

// TestResumeTwiceInOneLayer kills greedy training in the second layer,
// resumes, and kills it again in the same layer: the checkpoint must still
// hold the first layer, and a second resume must end with the stack of an
// uninterrupted run.
func TestResumeTwiceInOneLayer(t *testing.T) {
	t.Parallel()
	data := twoPatterns(200, 7)
	sc := StackConfig{Visible: Binary, Layers: []LayerSpec{
		{Hidden: 5, Config: Config{Epochs: 3, BatchSize: 20, Seed: 1}},
		{Hidden: 4, Config: Config{Epochs: 3, BatchSize: 20, Seed: 2}},
	}}
	full, err := TrainStack(data, sc, nil, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := full.MarshalBinary()
	path := filepath.Join(t.TempDir(), "ck")
	kill := errors.New("killed")
	var ck *Checkpoint
	for _, epoch := range []int{1, 2} {
		hooks := CheckpointHooksFrom(path, ck)
		save := hooks.Epoch
		hooks.Epoch = func(l int, tr *Trainer, st EpochStats) error {
			if err := save(l, tr, st); err != nil {
				return err
			}
			if l == 1 && st.Epoch == epoch {
				return kill
			}
			return nil
		}
		if _, err := TrainStack(data, sc, ck, hooks); !errors.Is(err, kill) {
			t.Fatalf("err = %v", err)
		}
		if ck, err = ReadCheckpoint(path); err != nil || ck == nil || len(ck.Stack.Layers) != 1 {
			t.Fatalf("after a kill at epoch %d of layer 2: checkpoint %+v, %v", epoch, ck, err)
		}
	}
	got, err := TrainStack(data, sc, ck, CheckpointHooksFrom(path, ck))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := got.MarshalBinary(); !bytes.Equal(b, want) {
		t.Error("twice-resumed stack differs from the uninterrupted one")
	}
}

// TestTrainerStateRefusesOtherConfig: a trainer state restored into a
// trainer of another configuration is refused naming both, and one in a
// retired format as written by an older docsearch.
func TestTrainerStateRefusesOtherConfig(t *testing.T) {
	data := randomBinary(50, 8, 3)
	tr, err := NewTrainer(New(Binary, Binary, 8, 4, 0.1, 1), Config{Epochs: 2, LR: 0.1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Train(data, "a", nil); err != nil {
		t.Fatal(err)
	}
	st, err := tr.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewTrainer(New(Binary, Binary, 8, 4, 0.1, 1), Config{Epochs: 2, LR: 0.05, Seed: 1})
	if err := other.RestoreState(st); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "LR:0.05") {
		t.Errorf("other LR: %v", err)
	}
	same, _ := NewTrainer(New(Binary, Binary, 8, 4, 0.1, 1), Config{Epochs: 2, LR: 0.1, Seed: 1})
	if err := same.RestoreState(st); err != nil {
		t.Errorf("same config: %v", err)
	}
	// A state of the format before binenc had versions is refused as
	// written by an older docsearch.
	rd, _ := trainerFormat.Open(st)
	old := binenc.Format{Name: "old", Magic: "DSRBMTR3", Version: 1}.NewWriter()
	old.String(rd.String())
	if err := other.RestoreState(old.Seal()); !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "older docsearch") {
		t.Errorf("old format: %v", err)
	}
}
