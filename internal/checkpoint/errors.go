package checkpoint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/docsearch/docsearch/internal/binenc"
)

// MismatchError refuses to resume a run from the checkpoints of a run with
// other settings; it names the settings that differ, as each run had them.
type MismatchError struct {
	Dir         string
	Saved, Here []Setting // the settings that differ, in the same order
}

func (e *MismatchError) Error() string {
	list := func(s []Setting) string {
		out := make([]string, len(s))
		for i, x := range s {
			out[i] = x.Name + " " + x.Value
		}
		return strings.Join(out, ", ")
	}
	return fmt.Sprintf("the checkpoint in %s was made with %s; this run has %s: resume with the same settings, or start over without resuming",
		e.Dir, list(e.Saved), list(e.Here))
}

// Is reports whether target is binenc.ErrMismatch.
func (e *MismatchError) Is(target error) bool { return target == binenc.ErrMismatch }

// compare returns a *MismatchError unless saved agrees with every setting
// here names (settings saved by Require later in a run are checked by
// Require).
func (r *Run) compare(saved, here []Setting) error {
	get := func(s []Setting, name string) string {
		for _, x := range s {
			if x.Name == name {
				return x.Value
			}
		}
		return "(none)"
	}
	e := &MismatchError{Dir: r.dir}
	seen := map[string]bool{}
	for _, s := range here {
		if seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		if a, b := get(saved, s.Name), get(here, s.Name); a != b {
			e.Saved = append(e.Saved, Setting{s.Name, a})
			e.Here = append(e.Here, Setting{s.Name, b})
		}
	}
	if len(e.Saved) == 0 {
		return nil
	}
	return e
}

// KeptError is the error of a failed run whose checkpoints were kept: a
// resume continues from the last epoch they hold.
type KeptError struct {
	Dir string
	Err error
}

func (e *KeptError) Error() string {
	return fmt.Sprintf("%v (the checkpoint in %s keeps what was trained: resume to continue from there)", e.Err, e.Dir)
}

func (e *KeptError) Unwrap() error { return e.Err }

// Failed handles a run that failed with err. When the run saved something
// and err can be resumed from (an interruption, a full disk, a failure
// after training), it keeps the files and returns a *KeptError wrapping
// err; when err would come back on resuming (one of repeats, such as
// rbmstack.ErrDiverged, or a damaged checkpoint or one this build cannot
// restore), or nothing was saved, it removes them and returns err. The
// checkpoint of a run with other settings (a *MismatchError) is left
// alone.
func (r *Run) Failed(err error, repeats ...error) error {
	if r == nil || err == nil {
		return err
	}
	var kept *KeptError
	var other *MismatchError
	if errors.As(err, &kept) || errors.As(err, &other) {
		return err // kept already, or another run's, refused untouched
	}
	files, _ := r.files()
	resumable := len(files) > 0
	for _, e := range append(repeats, binenc.ErrCorrupt, binenc.ErrVersion, binenc.ErrMismatch) {
		resumable = resumable && !errors.Is(err, e)
	}
	if resumable {
		return &KeptError{Dir: r.dir, Err: err}
	}
	if rerr := r.Remove(); rerr != nil {
		return errors.Join(err, fmt.Errorf("removing the checkpoint in %s: %w", r.dir, rerr))
	}
	return err
}
