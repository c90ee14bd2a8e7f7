package rbmstack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/docsearch/docsearch/internal/atomicfile"
	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// trainerFormat is a Trainer's state: its configuration first.
var trainerFormat = binenc.Format{Name: "rbm trainer state", Magic: "DSRBMTRS", Version: 1,
	Retired: []string{"DSRBMTR3", "DSRBMTRN"}}

// MarshalState encodes everything a Trainer needs to continue exactly
// where it stopped at an epoch boundary: the RBM, the momentum buffers,
// the random stream, the persistent chains, the epoch count and the
// configuration (RestoreState refuses a state of another one).
func (t *Trainer) MarshalState() ([]byte, error) {
	rb, err := (&Stack{Layers: []*RBM{t.R}}).MarshalBinary()
	if err != nil {
		return nil, err
	}
	st, err := t.src.State()
	if err != nil {
		return nil, err
	}
	w := trainerFormat.NewWriter()
	w.Config(t.Cfg)
	w.U32(uint32(t.epoch))
	w.Bytes(rb)
	w.Bytes(st)
	for _, f := range [][]float32{t.incW, t.incB, t.incA, t.chainH.Data} {
		w.F32s(f)
	}
	w.U32(uint32(t.chainH.Rows))
	return w.Seal(), nil
}

// RestoreState loads a state written by MarshalState into t, whose RBM
// must have the same shape and whose configuration must be the same
// (ErrMismatch otherwise, naming both). Damaged data give ErrCorrupt.
func (t *Trainer) RestoreState(data []byte) error {
	rd, err := openState(trainerFormat, data, t.Cfg)
	if err != nil {
		return err
	}
	epoch := rd.Int("epoch", t.Cfg.Epochs)
	rb, st := rd.Bytes(), rd.Bytes()
	incW, incB, incA, chain := rd.F32s(), rd.F32s(), rd.F32s(), rd.F32s()
	rows := rd.Int("chains", maxUnits)
	if err := rd.Err(); err != nil {
		return err
	}
	var s Stack
	if err := s.UnmarshalBinary(rb); err != nil {
		return err
	}
	r := s.Layers[0]
	if r.NVis != t.R.NVis || r.NHid != t.R.NHid || r.Vis != t.R.Vis || r.Hid != t.R.Hid ||
		len(incW) != len(t.incW) || len(incB) != len(t.incB) || len(incA) != len(t.incA) || len(chain) != rows*r.NHid {
		return fmt.Errorf("%w: trainer state is for a %s %d-%d %s RBM, training a %s %d-%d %s", ErrMismatch, r.Vis, r.NVis, r.NHid, r.Hid, t.R.Vis, t.R.NVis, t.R.NHid, t.R.Hid)
	}
	if err := t.src.SetState(st); err != nil {
		return &binenc.CorruptError{Format: trainerFormat.Name, Reason: "random stream: " + err.Error()}
	}
	*t.R = *r
	t.epoch = epoch
	copy(t.incW, incW)
	copy(t.incB, incB)
	copy(t.incA, incA)
	t.chainH = mat.Dense{}
	if rows > 0 {
		t.chainH = mat.View(rows, r.NHid, chain)
	}
	return nil
}

// Checkpoint is the saved progress of a greedy stack: the finished layers
// and, when a layer was cut short, its trainer's state after the last
// finished epoch.
type Checkpoint struct {
	Stack   *Stack
	Partial []byte
}

var checkpointFormat = binenc.Format{Name: "stack checkpoint", Magic: "DSRBMCK2", Version: 1, Retired: []string{"DSRBMCKP"}}

// WriteFile stores the checkpoint at path atomically (temporary file,
// sync, rename), so a crash leaves the previous checkpoint or the new one.
func (c *Checkpoint) WriteFile(path string) error {
	var sb []byte
	if c.Stack != nil && len(c.Stack.Layers) > 0 {
		var err error
		if sb, err = c.Stack.MarshalBinary(); err != nil {
			return err
		}
	}
	w := checkpointFormat.NewWriter()
	w.Bytes(sb)
	w.Bytes(c.Partial)
	return atomicfile.Write(path, w.Seal())
}

// ReadCheckpoint loads a checkpoint written by WriteFile. A missing file
// gives (nil, nil); a damaged one an error naming the file.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rd, err := checkpointFormat.Open(b)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	sb, partial := rd.Bytes(), rd.Bytes()
	if err := rd.Err(); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	c := &Checkpoint{Stack: &Stack{}}
	if len(sb) > 0 {
		if err := c.Stack.UnmarshalBinary(sb); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", path, err)
		}
	}
	if len(partial) > 0 {
		c.Partial = append([]byte(nil), partial...)
	}
	return c, nil
}
