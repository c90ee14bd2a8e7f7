package rbmstack

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/internal/rng"
)

// upDownFormat is an UpDownTrainer's state: its configuration first.
var upDownFormat = binenc.Format{Name: "up-down trainer state", Magic: "DSDBNUDS", Version: 1, Retired: []string{"DSDBNUDT"}}

// MarshalState encodes what an UpDownTrainer needs to continue exactly
// after the last finished epoch: the configuration (to reject a state of
// another run), the epoch count, the random stream and the whole DBN
// (recognition, generative and top weights; up-down keeps no momentum).
func (u *UpDownTrainer) MarshalState() ([]byte, error) {
	st, err := u.src.State()
	if err != nil {
		return nil, err
	}
	w := upDownFormat.NewWriter()
	w.Config(u.Cfg.resumeKey())
	w.U32(uint32(u.epoch))
	w.Bytes(st)
	for _, layers := range [][]*RBM{u.D.Rec, u.D.Gen, {u.D.Top}} {
		var sb []byte
		if len(layers) > 0 {
			if sb, err = (&Stack{Layers: layers}).MarshalBinary(); err != nil {
				return nil, err
			}
		}
		w.Bytes(sb)
	}
	return w.Seal(), nil
}

// RestoreState loads a state written by MarshalState into u, a trainer made
// by NewUpDownTrainer for a DBN of the same shape with the same
// configuration (Epochs may differ without a CDkSchedule: the rate is
// constant, so a run can be extended); the DBN's parameters are overwritten in place. Damaged
// data give an error wrapping ErrCorrupt or ErrVersion, a state of another
// run one wrapping ErrMismatch that names what differs; u and its DBN are
// unchanged after any error.
func (u *UpDownTrainer) RestoreState(data []byte) error {
	rd, err := openState(upDownFormat, data, u.Cfg.resumeKey())
	if err != nil {
		return err
	}
	epoch := rd.Int("epoch", math.MaxInt32)
	st := rd.Bytes()
	rec, gen, top := rd.Bytes(), rd.Bytes(), rd.Bytes()
	if len(top) == 0 {
		rd.Fail("no top rbm")
	}
	if err := rd.Err(); err != nil {
		return err
	}
	var parts [3][]*RBM
	for i, sb := range [][]byte{rec, gen, top} {
		if len(sb) == 0 {
			continue
		}
		var s Stack
		if err := s.UnmarshalBinary(sb); err != nil {
			return fmt.Errorf("up-down trainer state: %w", err)
		}
		parts[i] = s.Layers
	}
	d := u.D
	if !sameShapes(parts[0], d.Rec) || !sameShapes(parts[1], d.Gen) || !sameShapes(parts[2], []*RBM{d.Top}) {
		return fmt.Errorf("%w: the state is of a DBN %s, training %s", ErrMismatch, dbnShape(parts[0], parts[2]), dbnShape(d.Rec, []*RBM{d.Top}))
	}
	src := rng.New(0, 0)
	if err := src.SetState(st); err != nil {
		return &binenc.CorruptError{Format: upDownFormat.Name, Reason: "random stream: " + err.Error()}
	}
	for i, dst := range [][]*RBM{d.Rec, d.Gen, {d.Top}} {
		for l, r := range dst {
			s := parts[i][l]
			copy(r.W, s.W)
			copy(r.VisBias, s.VisBias)
			copy(r.HidBias, s.HidBias)
		}
	}
	u.src = src
	u.epoch = epoch
	return nil
}

// resumeKey is the part of the configuration that a saved state must share
// with the trainer restoring it.
func (cfg UpDownConfig) resumeKey() UpDownConfig {
	if len(cfg.CDkSchedule) == 0 {
		cfg.Epochs = 0
	}
	return cfg
}

// sameShapes reports whether a and b are RBMs of the same kinds and sizes.
func sameShapes(a, b []*RBM) bool {
	if len(a) != len(b) {
		return false
	}
	for i, r := range a {
		s := b[i]
		if r.Vis != s.Vis || r.Hid != s.Hid || r.NVis != s.NVis || r.NHid != s.NHid || r.Labels != s.Labels || r.DocLen != s.DocLen {
			return false
		}
	}
	return true
}

// dbnShape describes a DBN as its widths, e.g. 784-500-500-(500+10)-2000.
func dbnShape(lower, top []*RBM) string {
	var sizes []int
	for _, r := range lower {
		if len(sizes) == 0 {
			sizes = append(sizes, r.NVis)
		}
		sizes = append(sizes, r.NHid)
	}
	s := sizesString(sizes)
	for _, t := range top {
		if s != "" {
			s += "-"
		}
		s += fmt.Sprintf("(%d+%d)-%d", t.NVis-t.Labels, t.Labels, t.NHid)
	}
	return s
}
