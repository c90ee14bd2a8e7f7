package mnist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/internal/atomicfile"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// checkpoints saves the stages of one run (RunDNN, RunDBN, RunDBM) in a
// folder and, when resuming, restores them: stage s of run r lives in
// <dir>/<r>.<s>, where r names the command, profile, layer widths, seed
// and number of training images (and whatever else changes the run), so
// that a different run never picks up a wrong checkpoint. Each stage is
// saved after every epoch (greedy RBMs also after every layer); on resume a
// finished stage is restored and skipped, a cut one continues from its last
// epoch, and the run ends with the model of an uninterrupted run.
//
// A nil *checkpoints runs every stage from the start and saves nothing.
type checkpoints struct {
	dir, run string
	resume   bool
}

// afterSave, when set (by tests), is called with the file's path after
// every checkpoint written; an error stops the run as a kill would.
var afterSave func(path string) error

// newCheckpoints returns the checkpoints of run in dir (nil if dir is
// empty). A run that does not resume first deletes what an earlier run of
// the same name left there, so that a later resume never mixes the stages
// of two runs.
func newCheckpoints(dir string, resume bool, run string) (*checkpoints, error) {
	if dir == "" {
		if resume {
			return nil, errors.New("mnist: Resume needs a Checkpoint folder")
		}
		return nil, nil
	}
	c := &checkpoints{dir: dir, run: run, resume: resume}
	if resume {
		return c, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), run+".") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// dashed writes widths as 784-500-10.
func dashed(sizes []int) string {
	s := make([]string, len(sizes))
	for i, n := range sizes {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, "-")
}

// dnnCheckpoints returns the checkpoints of RunDNN (nil without a folder).
func dnnCheckpoints(o DNNOptions, sizes []int, n int) (*checkpoints, error) {
	return newCheckpoints(o.Checkpoint, o.Resume, fmt.Sprintf("dnn-%s-%s-%s-seed%d-n%d", o.Profile.Name, o.Init, dashed(sizes), o.Seed, n))
}

// dbnCheckpoints returns the checkpoints of RunDBN (nil without a folder).
func dbnCheckpoints(o DBNOptions, dim, n int) (*checkpoints, error) {
	return newCheckpoints(o.Checkpoint, o.Resume, fmt.Sprintf("dbn-%s-%s-top%d-ud%d-seed%d-n%d", o.Profile.Name, dashed(append([]int{dim}, o.Hidden...)), o.Top, o.UpDownEpochs, o.Seed, n))
}

// dbmCheckpoints returns the checkpoints of RunDBM (nil without a folder);
// o has its defaults applied.
func dbmCheckpoints(o DBMOptions, sizes []int, n int) (*checkpoints, error) {
	return newCheckpoints(o.Checkpoint, o.Resume, fmt.Sprintf("dbm-%s-%s-e%d-ft%d-mf%d-seed%d-n%d", o.Profile.Name, dashed(sizes), o.Epochs, o.FineTuneEpochs, o.MeanField, o.Seed, n))
}

func (c *checkpoints) path(stage string) string { return filepath.Join(c.dir, c.run+"."+stage) }

// load returns the saved state of stage: nil when not resuming or when
// nothing was saved.
func (c *checkpoints) load(stage string) ([]byte, error) {
	if c == nil || !c.resume {
		return nil, nil
	}
	b, err := os.ReadFile(c.path(stage))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// save writes the state of stage atomically.
func (c *checkpoints) save(stage string, b []byte) error {
	p := c.path(stage)
	if err := atomicfile.Write(p, b); err != nil {
		return err
	}
	return saved(p)
}

// resumable is a trainer whose state can be saved between epochs.
type resumable interface {
	MarshalState() ([]byte, error)
	RestoreState([]byte) error
}

// restore loads the saved state of stage into r, if resuming and there is
// one.
func (c *checkpoints) restore(stage string, r resumable) error {
	st, err := c.load(stage)
	if err != nil || st == nil {
		return err
	}
	if err := r.RestoreState(st); err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.path(stage), err)
	}
	return nil
}

// saveState writes r's state as stage.
func (c *checkpoints) saveState(stage string, r resumable) error {
	st, err := r.MarshalState()
	if err != nil {
		return err
	}
	return c.save(stage, st)
}

func saved(path string) error {
	if afterSave != nil {
		return afterSave(path)
	}
	return nil
}

// readStack returns the greedy-stack checkpoint of stage (nil when not
// resuming or none saved) and hooks that save the stage after every epoch
// and layer.
func (c *checkpoints) readStack(stage string) (*rbmstack.Checkpoint, rbmstack.Hooks, error) {
	p := c.path(stage)
	var ck *rbmstack.Checkpoint
	if c.resume {
		var err error
		if ck, err = rbmstack.ReadCheckpoint(p); err != nil {
			return nil, rbmstack.Hooks{}, err
		}
	}
	h := rbmstack.CheckpointHooksFrom(p, ck)
	epoch, layer := h.Epoch, h.Layer
	h.Epoch = func(l int, t *rbmstack.Trainer, st rbmstack.EpochStats) error {
		if err := epoch(l, t, st); err != nil {
			return err
		}
		return saved(p)
	}
	h.Layer = func(l int, s *rbmstack.Stack) error {
		if err := layer(l, s); err != nil {
			return err
		}
		return saved(p)
	}
	return ck, h, nil
}

// trainStack is rbmstack.TrainStack with the checkpoints of stage.
func (c *checkpoints) trainStack(stage string, x mat.Matrix, sc rbmstack.StackConfig) (*rbmstack.Stack, error) {
	if c == nil {
		return rbmstack.TrainStack(x, sc, nil, rbmstack.Hooks{})
	}
	ck, hooks, err := c.readStack(stage)
	if err != nil {
		return nil, err
	}
	return rbmstack.TrainStack(x, sc, ck, hooks)
}

// pretrainDBM is rbmstack.PretrainDBM with the checkpoints of stage.
func (c *checkpoints) pretrainDBM(stage string, x mat.Matrix, sizes []int, cfg rbmstack.Config) (*rbmstack.DBM, error) {
	if c == nil {
		return rbmstack.PretrainDBM(x, sizes, cfg, nil)
	}
	ck, hooks, err := c.readStack(stage)
	if err != nil {
		return nil, err
	}
	return rbmstack.PretrainDBMFrom(x, sizes, cfg, ck, hooks)
}

// trainNet runs t.Train(label) with the checkpoints of stage: a saved
// state is restored first and the state saved after every epoch.
func (c *checkpoints) trainNet(stage string, t *autoencoder.Trainer, label string) error {
	if c == nil {
		return t.Train(label, nil)
	}
	if err := c.restore(stage, t); err != nil {
		return err
	}
	return t.Train(label, func(autoencoder.EpochStats) error { return c.saveState(stage, t) })
}

// trainTop is rbmstack.TrainTop with the checkpoints of stage.
func (c *checkpoints) trainTop(stage string, pen *mat.Dense, labels []int, classes, hidden int, cfg rbmstack.Config) (*rbmstack.RBM, error) {
	if c == nil {
		return rbmstack.TrainTop(pen, labels, classes, hidden, cfg)
	}
	st, err := c.load(stage)
	if err != nil {
		return nil, err
	}
	r, err := rbmstack.TrainTopFrom(pen, labels, classes, hidden, cfg, st, func(t *rbmstack.Trainer, _ rbmstack.EpochStats) error {
		st, err := t.MarshalState()
		if err != nil {
			return err
		}
		return c.save(stage, st)
	})
	if err != nil && st != nil && (errors.Is(err, rbmstack.ErrCorrupt) || errors.Is(err, rbmstack.ErrVersion) || errors.Is(err, rbmstack.ErrMismatch)) {
		err = fmt.Errorf("checkpoint %s: %w", c.path(stage), err)
	}
	return r, err
}

// upDown is d.UpDown with the checkpoints of stage.
func (c *checkpoints) upDown(stage string, d *rbmstack.DBN, x mat.Matrix, labels []int, cfg rbmstack.UpDownConfig) error {
	if c == nil {
		return d.UpDown(x, labels, cfg, nil)
	}
	u := rbmstack.NewUpDownTrainer(d, cfg)
	if err := c.restore(stage, u); err != nil {
		return err
	}
	return u.Train(x, labels, func(int) error { return c.saveState(stage, u) })
}

// trainDBM runs t.Train with the checkpoints of stage.
func (c *checkpoints) trainDBM(stage string, t *rbmstack.DBMTrainer, x mat.Matrix) error {
	if c == nil {
		return t.Train(x, nil)
	}
	if err := c.restore(stage, t); err != nil {
		return err
	}
	return t.Train(x, func(rbmstack.DBMEpochStats) error { return c.saveState(stage, t) })
}
