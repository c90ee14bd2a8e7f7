package rbmstack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/docsearch/docsearch/internal/atomicfile"
	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/internal/mat32"
)

// trainerMagic marks a Trainer state (binenc.StartConfig: the
// configuration first); oldTrainerMagic the format before the state
// carried its configuration, which still loads (unchecked).
const (
	trainerMagic    = "DSRBMTR3"
	oldTrainerMagic = "DSRBMTRN"
)

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
	b := binenc.StartConfig(trainerMagic, t.Cfg)
	b = binenc.U32(b, uint32(t.epoch))
	b = binenc.Bytes(b, rb)
	b = binenc.Bytes(b, st)
	for _, f := range [][]float32{t.incW, t.incB, t.incA, t.chainH.Data} {
		b = binenc.F32s(b, f)
	}
	b = binenc.U32(b, uint32(t.chainH.Rows))
	return binenc.Seal(b), nil
}

// RestoreState loads a state written by MarshalState into t, whose RBM
// must have the same shape and whose configuration must be the same
// (ErrMismatch otherwise, naming both). Damaged data give ErrCorrupt.
func (t *Trainer) RestoreState(data []byte) error {
	rd, err := binenc.OpenConfig(data, trainerMagic, oldTrainerMagic, t.Cfg)
	if mm := (*binenc.ConfigMismatch)(nil); errors.As(err, &mm) {
		return fmt.Errorf("%w: trainer state %v", ErrMismatch, err)
	}
	if err != nil {
		return fmt.Errorf("%w: not an intact trainer state", ErrCorrupt)
	}
	epoch := int(rd.U32())
	rb, st := rd.Bytes(), rd.Bytes()
	incW, incB, incA, chain := rd.F32s(), rd.F32s(), rd.F32s(), rd.F32s()
	rows := int(rd.U32())
	if !rd.OK() {
		return fmt.Errorf("%w: trainer state truncated", ErrCorrupt)
	}
	var s Stack
	if err := s.UnmarshalBinary(rb); err != nil {
		return err
	}
	r := s.Layers[0]
	if r.NVis != t.R.NVis || r.NHid != t.R.NHid || r.Vis != t.R.Vis || r.Hid != t.R.Hid ||
		len(incW) != len(t.incW) || len(incB) != len(t.incB) || len(incA) != len(t.incA) || len(chain) != rows*r.NHid {
		return fmt.Errorf("%w: trainer state is for a %s %d-%d %s RBM, training a %s %d-%d %s", ErrCorrupt, r.Vis, r.NVis, r.NHid, r.Hid, t.R.Vis, t.R.NVis, t.R.NHid, t.R.Hid)
	}
	if err := t.src.SetState(st); err != nil {
		return fmt.Errorf("%w: random stream: %v", ErrCorrupt, err)
	}
	*t.R = *r
	t.epoch = epoch
	copy(t.incW, incW)
	copy(t.incB, incB)
	copy(t.incA, incA)
	t.chainH = mat32.Mat{}
	if rows > 0 {
		t.chainH = mat32.View(rows, r.NHid, chain)
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

const checkpointMagic = "DSRBMCKP"

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
	b := binenc.Bytes(binenc.Start(checkpointMagic), sb)
	b = binenc.Bytes(b, c.Partial)
	return atomicfile.Write(path, binenc.Seal(b))
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
	rd, err := binenc.Open(b, checkpointMagic)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w: not an intact checkpoint", path, ErrCorrupt)
	}
	sb, partial := rd.Bytes(), rd.Bytes()
	if !rd.OK() {
		return nil, fmt.Errorf("checkpoint %s: %w: truncated", path, ErrCorrupt)
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
