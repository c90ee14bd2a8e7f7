// Package checkpoint keeps the checkpoints of one training run in a
// folder, for the document path (pipeline) and the digit path (mnist)
// alike: one file per stage, each a trainer's saved state (an
// rbmstack.Store), and a settings file naming what the run was made with.
//
// A run that resumes continues from the stages saved by an earlier run of
// the same name, and is refused, with an error naming both sets of
// settings, when that run had other settings; a run that does not resume
// removes what an earlier run of the same name left before it saves
// anything. When a run fails, Failed keeps its files if the run can be
// resumed (and says where they are) and removes them otherwise.
package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/docsearch/docsearch/internal/atomicfile"
	"github.com/docsearch/docsearch/internal/binenc"
)

// Setting is one named setting of a run: "seed" = "1".
type Setting struct{ Name, Value string }

// Run is the checkpoint files of one run: <dir>/<name>.settings and
// <dir>/<name>.<stage>. A nil *Run saves nothing.
type Run struct {
	dir, name string
	settings  []Setting
	resume    bool
	resumed   bool // an earlier run's settings were found
	written   bool // the settings file is on disk for this run
}

// Open prepares the checkpoints of run name in dir. With resume, the
// settings of an earlier run of that name must equal settings (a
// *MismatchError otherwise, and nothing is changed); without it, the
// files of an earlier run are removed.
func Open(dir, name string, settings []Setting, resume bool) (*Run, error) {
	r := &Run{dir: dir, name: name, settings: append([]Setting(nil), settings...), resume: resume}
	if !resume {
		return r, r.Remove()
	}
	saved, err := r.readSettings()
	if err != nil || saved == nil {
		return r, err
	}
	if err := r.compare(saved, settings); err != nil {
		return nil, err
	}
	r.resumed, r.written = true, true
	r.settings = saved
	return r, nil
}

// Resumed reports whether an earlier run's checkpoints were found.
func (r *Run) Resumed() bool { return r != nil && r.resumed }

// Dir returns the folder of the checkpoints.
func (r *Run) Dir() string { return r.dir }

// Require adds a setting known only once the run is under way (the
// vocabulary chosen from the corpus): a resumed run whose earlier run
// recorded another value is refused with a *MismatchError.
func (r *Run) Require(s Setting) error {
	if r == nil {
		return nil
	}
	for i, old := range r.settings {
		if old.Name == s.Name {
			if r.resumed && old.Value != s.Value {
				return r.compare(r.settings, append(append([]Setting(nil), r.settings[:i]...), append([]Setting{s}, r.settings[i+1:]...)...))
			}
			r.settings[i] = s
			return r.rewrite()
		}
	}
	r.settings = append(r.settings, s)
	return r.rewrite()
}

// Stage returns the store of one stage's trainer state.
func (r *Run) Stage(stage string) *Stage {
	if r == nil {
		return nil
	}
	return &Stage{run: r, path: filepath.Join(r.dir, r.name+"."+stage)}
}

// Remove deletes the run's files, and dir when nothing else is left there.
func (r *Run) Remove() error {
	if r == nil {
		return nil
	}
	files, err := r.files()
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	r.written = false
	if entries, err := os.ReadDir(r.dir); err == nil && len(entries) == 0 {
		os.Remove(r.dir)
	}
	return nil
}

// files lists the run's files in dir.
func (r *Run) files() ([]string, error) {
	entries, err := os.ReadDir(r.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), r.name+".") {
			out = append(out, filepath.Join(r.dir, e.Name()))
		}
	}
	return out, nil
}

// Stage is the saved state of one stage of a run; it implements
// rbmstack.Store.
type Stage struct {
	run  *Run
	path string
}

// Load returns the saved state, or nil when the run does not resume or
// nothing was saved.
func (s *Stage) Load() ([]byte, error) {
	if !s.run.resumed {
		return nil, nil
	}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Save replaces the saved state atomically (the settings file first).
func (s *Stage) Save(b []byte) error {
	if !s.run.written {
		s.run.written = true
		if err := s.run.rewrite(); err != nil {
			s.run.written = false
			return err
		}
	}
	return atomicfile.Write(s.path, b)
}

func (s *Stage) String() string { return "checkpoint " + s.path }

// settingsFormat is the settings file: the number of settings, then each
// one's name and value.
var settingsFormat = binenc.Format{Name: "checkpoint settings", Magic: "DSCKPSET", Version: 1}

func (r *Run) settingsPath() string { return filepath.Join(r.dir, r.name+".settings") }

// rewrite writes the settings file if the run has one on disk.
func (r *Run) rewrite() error {
	if !r.written {
		return nil
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	w := settingsFormat.NewWriter()
	w.U32(uint32(len(r.settings)))
	for _, s := range r.settings {
		w.String(s.Name)
		w.String(s.Value)
	}
	return atomicfile.Write(r.settingsPath(), w.Seal())
}

// readSettings returns the settings of an earlier run (nil if none).
func (r *Run) readSettings() ([]Setting, error) {
	b, err := os.ReadFile(r.settingsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rd, err := settingsFormat.Open(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.settingsPath(), err)
	}
	n := rd.Int("settings", rd.Left()/8)
	out := make([]Setting, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, Setting{rd.String(), rd.String()})
	}
	if err := rd.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", r.settingsPath(), err)
	}
	return out, nil
}
