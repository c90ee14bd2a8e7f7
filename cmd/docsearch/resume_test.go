package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/rbmstack"
)

// TestIndexResume: a run killed after its first checkpoint (through the
// pipeline, as kill -9 cannot be staged here) is refused by `index
// --resume` with another seed, naming both, and continued with the same
// settings; a failed run's error says how to resume.
func TestIndexResume(t *testing.T) {
	corpus := writeCorpus(t)
	dir := filepath.Join(t.TempDir(), "ix")
	args := []string{"index", "--quiet", "--corpus", corpus, "--index", dir, "--profile", "quick",
		"--vocab", "100", "--hidden", "20", "--code", "3", "--epochs", "2"}
	killed := errors.New("killed")
	o := pipeline.Options{Corpus: corpus, Dir: dir, Profile: "quick", VocabSize: 100, Hidden: []int{20}, Code: 3, Epochs: 2, Seed: 1,
		Observer: func(e rbmstack.Event) error {
			if e.Saved {
				return killed
			}
			return nil
		}}
	_, err := pipeline.Build(o)
	if err = resumeHint(err); !errors.Is(err, killed) || !strings.Contains(err.Error(), "run the same command with --resume") {
		t.Fatalf("killed run: %v", err)
	}
	out, err := run(t, append(args, "--resume", "--seed", "2")...)
	if err == nil || !strings.Contains(err.Error(), "seed 1") || !strings.Contains(err.Error(), "seed 2") {
		t.Fatalf("resume with another seed: %v\n%s", err, out)
	}
	out, err = run(t, append(args, "--resume")...)
	if err != nil || !strings.Contains(out, "indexed 120 documents") {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	help, _ := run(t, "index", "--help")
	if !strings.Contains(help, "pretraining and fine-tuning") {
		t.Errorf("--resume help: %s", help)
	}
}
