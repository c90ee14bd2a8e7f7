package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/binenc"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

var settings = []Setting{{"seed", "1"}, {"profile", "quick"}}

// TestResumeAndRefuse: a run saves its settings with its first stage; a
// resume with the same settings loads the stages, one with others is
// refused naming both and changes nothing; a fresh run removes the old
// run's files but not another run's.
func TestResumeAndRefuse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ck")
	r, err := Open(dir, "dbn", settings, false)
	if err != nil || r.Resumed() {
		t.Fatal(err)
	}
	if names(t, dir) != nil {
		t.Fatal("Open created files before any save")
	}
	if err := r.Stage("rbm").Save([]byte("state")); err != nil {
		t.Fatal(err)
	}
	other, _ := Open(dir, "dnn-rbm", settings, false)
	other.Stage("finetune").Save([]byte("x"))
	if got := names(t, dir); !slices.Equal(got, []string{"dbn.rbm", "dbn.settings", "dnn-rbm.finetune", "dnn-rbm.settings"}) {
		t.Fatalf("files %v", got)
	}

	r, err = Open(dir, "dbn", settings, true)
	if err != nil || !r.Resumed() {
		t.Fatalf("resume: %v", err)
	}
	if b, err := r.Stage("rbm").Load(); err != nil || string(b) != "state" {
		t.Errorf("Load: %q, %v", b, err)
	}
	if b, err := r.Stage("top").Load(); err != nil || b != nil {
		t.Errorf("Load of an unsaved stage: %q, %v", b, err)
	}

	_, err = Open(dir, "dbn", []Setting{{"seed", "2"}, {"profile", "quick"}, {"top", "500"}}, true)
	var mm *MismatchError
	if !errors.As(err, &mm) || !errors.Is(err, binenc.ErrMismatch) ||
		!strings.Contains(err.Error(), "made with seed 1, top (none); this run has seed 2, top 500") {
		t.Errorf("other settings: %v", err)
	}
	if err := r.Require(Setting{"vocabulary", "abc"}); err != nil {
		t.Fatal(err)
	}
	r, _ = Open(dir, "dbn", settings, true)
	if err := r.Require(Setting{"vocabulary", "abd"}); !errors.As(err, &mm) || !strings.Contains(err.Error(), "vocabulary abc") {
		t.Errorf("another vocabulary: %v", err)
	}

	if _, err := Open(dir, "dbn", settings, false); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"dnn-rbm.finetune", "dnn-rbm.settings"}) {
		t.Errorf("after a fresh run: %v", got)
	}
}

// TestFailed: a failure that a resume can continue keeps the files and
// says where; one it would repeat, or a failure before any save, removes
// them and the folder.
func TestFailed(t *testing.T) {
	diverged := errors.New("training diverged")
	dir := filepath.Join(t.TempDir(), "ck")
	r, _ := Open(dir, "index", settings, false)
	r.Stage("stack").Save([]byte("state"))
	disk := errors.New("no space left on device")
	err := r.Failed(disk, diverged)
	var kept *KeptError
	if !errors.As(err, &kept) || !errors.Is(err, disk) || kept.Dir != dir || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "resume") {
		t.Errorf("resumable failure: %v", err)
	}
	if names(t, dir) == nil {
		t.Error("a resumable failure removed the checkpoint")
	}
	if err := r.Failed(err, diverged); err != error(kept) {
		t.Errorf("Failed twice: %v", err)
	}
	for _, e := range []error{diverged, binenc.ErrCorrupt} {
		r, _ := Open(dir, "index", settings, false)
		r.Stage("stack").Save([]byte("state"))
		if err := r.Failed(e, diverged); err != e {
			t.Errorf("%v: %v", e, err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: the checkpoint folder is left: %v", e, names(t, dir))
		}
	}
	r, _ = Open(dir, "index", settings, false)
	r.Require(Setting{"vocabulary", "abc"})
	r.Stage("stack").Save([]byte("state"))
	r, _ = Open(dir, "index", settings, true)
	refused := r.Require(Setting{"vocabulary", "other"})
	if err := r.Failed(refused); refused == nil || err != refused || names(t, dir) == nil {
		t.Errorf("a refused resume: %v, files %v", err, names(t, dir))
	}
	r, _ = Open(dir, "index", settings, false)
	if err := r.Failed(disk); err != disk {
		t.Errorf("failure before any save: %v", err)
	}
}
