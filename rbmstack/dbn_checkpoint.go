package rbmstack

import (
	"fmt"
	"math"
	"strings"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/internal/rng"
)

const (
	upDownMagic   = "DSDBNUDT"
	upDownVersion = 2 // 2 adds CDkSchedule
)

// MarshalState encodes what an UpDownTrainer needs to continue exactly
// after the last finished epoch: the configuration (to reject a state of
// another run), the epoch count, the random stream and the whole DBN
// (recognition, generative and top weights; up-down keeps no momentum).
func (u *UpDownTrainer) MarshalState() ([]byte, error) {
	st, err := u.src.State()
	if err != nil {
		return nil, err
	}
	c := u.Cfg
	b := binenc.Start(upDownMagic)
	b = binenc.U32(b, upDownVersion)
	b = binenc.U32(b, uint32(c.Epochs))
	b = binenc.U32(b, uint32(c.BatchSize))
	b = binenc.U32(b, math.Float32bits(c.LR))
	b = binenc.U32(b, uint32(c.CDk))
	b = binenc.U32(b, uint32(len(c.CDkSchedule)))
	for _, k := range c.CDkSchedule {
		b = binenc.U32(b, uint32(k))
	}
	b = binenc.U64(b, c.Seed)
	b = binenc.U32(b, uint32(u.epoch))
	b = binenc.Bytes(b, st)
	for _, layers := range [][]*RBM{u.D.Rec, u.D.Gen, {u.D.Top}} {
		var sb []byte
		if len(layers) > 0 {
			if sb, err = (&Stack{Layers: layers}).MarshalBinary(); err != nil {
				return nil, err
			}
		}
		b = binenc.Bytes(b, sb)
	}
	return binenc.Seal(b), nil
}

// RestoreState loads a state written by MarshalState into u, a trainer made
// by NewUpDownTrainer for a DBN of the same shape with the same BatchSize,
// LR, CDk, CDkSchedule and Seed (Epochs may differ without a schedule: the
// rate is constant, so a run can be extended); the DBN's parameters are
// overwritten in place. Damaged data give an error wrapping ErrCorrupt or ErrVersion, a state of another run
// one wrapping ErrMismatch that names what differs; u and its DBN are
// unchanged after any error.
func (u *UpDownTrainer) RestoreState(data []byte) error {
	rd, err := binenc.Open(data, upDownMagic)
	if err != nil {
		return fmt.Errorf("%w: not an intact up-down trainer state", ErrCorrupt)
	}
	v := rd.U32()
	if v != 1 && v != upDownVersion {
		return fmt.Errorf("%w: up-down trainer state version %d, this build reads 1 and %d", ErrVersion, v, upDownVersion)
	}
	var c UpDownConfig
	c.Epochs = int(rd.U32())
	c.BatchSize = int(rd.U32())
	c.LR = math.Float32frombits(rd.U32())
	c.CDk = int(rd.U32())
	if v >= 2 {
		k := rd.U32()
		if k > 1000 {
			return fmt.Errorf("%w: up-down trainer state with a CDk schedule of %d parts", ErrCorrupt, k)
		}
		for i := uint32(0); i < k; i++ {
			c.CDkSchedule = append(c.CDkSchedule, int(rd.U32()))
		}
	}
	c.Seed = rd.U64()
	epoch := rd.U32()
	st := rd.Bytes()
	rec, gen, top := rd.Bytes(), rd.Bytes(), rd.Bytes()
	if !rd.OK() {
		return fmt.Errorf("%w: up-down trainer state truncated", ErrCorrupt)
	}
	if epoch > math.MaxInt32 {
		return fmt.Errorf("%w: up-down trainer state at epoch %d", ErrCorrupt, epoch)
	}
	if len(top) == 0 {
		return fmt.Errorf("%w: up-down trainer state without a top rbm", ErrCorrupt)
	}
	var diff []string
	add := func(name string, a, b any) {
		if a != b {
			diff = append(diff, fmt.Sprintf("%s %v in the checkpoint, %v here", name, a, b))
		}
	}
	add("BatchSize", c.BatchSize, u.Cfg.BatchSize)
	add("LR", c.LR, u.Cfg.LR)
	add("CDk", c.CDk, u.Cfg.CDk)
	add("CDkSchedule", fmt.Sprint(c.CDkSchedule), fmt.Sprint(u.Cfg.CDkSchedule))
	if len(c.CDkSchedule) > 0 {
		// the schedule's parts are fractions of the epochs
		add("Epochs", c.Epochs, u.Cfg.Epochs)
	}
	add("Seed", c.Seed, u.Cfg.Seed)
	if len(diff) > 0 {
		return fmt.Errorf("%w: %s", ErrMismatch, strings.Join(diff, ", "))
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
		return fmt.Errorf("%w: random stream: %v", ErrCorrupt, err)
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
	u.epoch = int(epoch)
	return nil
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
