package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/checkpoint"
	"github.com/docsearch/docsearch/rbmstack"
)

var errKilled = errors.New("killed")

// killAtFirstSave stops a run at the first event after a checkpoint was
// saved, as kill -9 would: only the files survive.
func killAtFirstSave(e rbmstack.Event) error {
	if e.Saved {
		return errKilled
	}
	return nil
}

// resumeCorpus is 60 documents over three topics.
func resumeCorpus(t *testing.T) string {
	files := map[string]string{}
	topics := [][]string{{"apple", "banana", "cherry", "grape"}, {"iron", "copper", "silver", "zinc"}, {"horse", "tiger", "zebra", "eagle"}}
	for i := 0; i < 60; i++ {
		w := topics[i%3]
		files[fmt.Sprintf("t%d/doc%02d", i%3, i)] = strings.Repeat(w[i%4]+" "+w[(i+1)%4]+" ", 5+i%4)
	}
	return writeFiles(t, files)
}

// TestResumeRefusesOtherSettings is issue 13's first defect: a resume
// with another seed or vocabulary size must refuse the checkpoint, naming
// both settings, and keep it; with the same settings it continues, and
// the committed index removes the checkpoint.
func TestResumeRefusesOtherSettings(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ix")
	o := Options{Corpus: resumeCorpus(t), Dir: dir, Profile: "quick", Hidden: []int{8}, Code: 2, VocabSize: 12, Epochs: 3, Seed: 1}
	want, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	dir2 := filepath.Join(t.TempDir(), "ix")
	o.Dir, o.Observer = dir2, killAtFirstSave
	if _, err := Build(o); !errors.Is(err, errKilled) {
		t.Fatalf("killed run: %v", err)
	}
	ck := checkpointDir(dir2)
	for _, other := range []func(*Options){
		func(o *Options) { o.Seed = 2 },
		func(o *Options) { o.VocabSize = 11 },
	} {
		r := o
		r.Resume, r.Observer = true, nil
		other(&r)
		_, err := Build(r)
		var mm *checkpoint.MismatchError
		if !errors.As(err, &mm) || !strings.Contains(err.Error(), ck) {
			t.Fatalf("resume with other settings: %v", err)
		}
		if !strings.Contains(err.Error(), "seed 1") && !strings.Contains(err.Error(), "vocabulary size 12") {
			t.Errorf("the error does not name the checkpoint's setting: %v", err)
		}
		if _, err := os.Stat(filepath.Join(ck, "index.stack")); err != nil {
			t.Errorf("a refused resume lost the checkpoint: %v", err)
		}
	}
	o.Resume, o.Observer = true, nil
	got, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	if got.VocabLen != want.VocabLen || fmt.Sprint(got.Sizes) != fmt.Sprint(want.Sizes) {
		t.Errorf("resumed build %+v, uninterrupted %+v", got, want)
	}
	if _, err := os.Stat(ck); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the committed index left its checkpoint: %v", err)
	}
}

// TestFailedRunCheckpoint is issue 13's sixth defect: a failed run must not
// leave its checkpoint folder silently. A killed run keeps it and says
// where and how to resume; a run that cannot be resumed (its checkpoint
// damaged) removes it.
func TestFailedRunCheckpoint(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ix")
	o := Options{Corpus: resumeCorpus(t), Dir: dir, Profile: "quick", Hidden: []int{8}, Code: 2, VocabSize: 12, Epochs: 3, Seed: 1,
		Observer: killAtFirstSave}
	_, err := Build(o)
	ck := checkpointDir(dir)
	var kept *checkpoint.KeptError
	if !errors.As(err, &kept) || kept.Dir != ck || !strings.Contains(err.Error(), ck) || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("killed run: %v", err)
	}
	stage := filepath.Join(ck, "index.stack")
	b, err := os.ReadFile(stage)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	os.WriteFile(stage, b, 0o644)
	o.Resume, o.Observer = true, nil
	if _, err := Build(o); !errors.Is(err, rbmstack.ErrCorrupt) || !strings.Contains(err.Error(), stage) {
		t.Errorf("resume from a damaged checkpoint: %v", err)
	}
	if _, err := os.Stat(ck); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a run that cannot be resumed left its checkpoint folder")
	}
}
