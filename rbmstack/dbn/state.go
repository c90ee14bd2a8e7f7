package dbn

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// upDownFormat is an UpDownTrainer's state: its configuration, the epoch,
// the random stream and the recognition, generative and top layers
// (rbm.MarshalLayers; empty when there are no lower layers), then, with
// momentum only, the increment of every parameter (velocity.params' order), so
// that the states of runs without momentum are those written before it
// was offered.
var upDownFormat = binenc.Format{Name: "up-down trainer state", Magic: "DSDBNUDS", Version: 1, Retired: []string{"DSDBNUDT"}}

// resumeKey is the part of the configuration that a saved state must share
// with the trainer restoring it: Epochs may differ without a CDkSchedule
// (the rate is constant), so that a run can be extended. Without
// MeanLabels it prints as the configurations saved before that field
// existed, so that their states still resume.
func (c UpDownConfig) resumeKey() any {
	if len(c.CDkSchedule) == 0 {
		c.Epochs = 0
	}
	if !c.MeanLabels {
		return upDownKeyV1{c.Schedule, c.CDk, c.CDkSchedule, c.Seed}
	}
	return c
}

// upDownKeyV1 has the fields of UpDownConfig before MeanLabels.
type upDownKeyV1 struct {
	rbmstack.Schedule
	CDk         int
	CDkSchedule []int
	Seed        uint64
}

// MarshalState encodes what an UpDownTrainer needs to continue exactly
// after the last finished epoch.
func (u *UpDownTrainer) MarshalState() ([]byte, error) {
	st, err := u.src.State()
	if err != nil {
		return nil, err
	}
	w := upDownFormat.NewWriter()
	w.Config(u.Cfg.resumeKey())
	w.U32(uint32(u.epoch))
	w.Bytes(st)
	for _, layers := range [][]*rbm.RBM{u.D.Rec, u.D.Gen, {u.D.Top}} {
		var b []byte
		if len(layers) > 0 {
			b = rbm.MarshalLayers(layers)
		}
		w.Bytes(b)
	}
	if u.Cfg.hasMomentum() {
		for _, p := range u.ws.vel.params {
			w.F32s(p.inc)
		}
	}
	return w.Seal(), nil
}

// RestoreState loads a state written by MarshalState into u, a trainer
// made for a DBN of the same shape with the same configuration (Epochs
// may differ without a CDkSchedule); the DBN's parameters are overwritten
// in place. u and its DBN are unchanged after an error.
func (u *UpDownTrainer) RestoreState(data []byte) error {
	rd, err := upDownFormat.OpenState(data, u.Cfg.resumeKey())
	if err != nil {
		return err
	}
	epoch := rd.Int("epoch", math.MaxInt32)
	st := rd.Bytes()
	var parts [3][]*rbm.RBM
	for i := range parts {
		if b := rd.Bytes(); len(b) > 0 && !rd.Failed() {
			if parts[i], err = rbm.UnmarshalLayers(b); err != nil {
				return fmt.Errorf("up-down trainer state: %w", err)
			}
		}
	}
	if len(parts[2]) != 1 && !rd.Failed() {
		rd.Fail("no top rbm")
	}
	var incs [][]float32
	if u.Cfg.hasMomentum() {
		for range u.ws.vel.params {
			incs = append(incs, rd.F32s())
		}
	}
	if err := rd.Err(); err != nil {
		return err
	}
	d := u.D
	if !sameShapes(parts[0], d.Rec) || !sameShapes(parts[1], d.Gen) || !parts[2][0].SameShape(d.Top) {
		return fmt.Errorf("%w: the state is of a DBN %s, training %s", rbmstack.ErrMismatch, shape(parts[0], parts[2][0]), d)
	}
	for i, inc := range incs {
		if want := len(u.ws.vel.params[i].inc); len(inc) != want {
			return &binenc.CorruptError{Format: upDownFormat.Name, Reason: fmt.Sprintf("increment %d holds %d numbers, want %d", i, len(inc), want)}
		}
	}
	src := rng.New(0, 0)
	if err := src.SetState(st); err != nil {
		return &binenc.CorruptError{Format: upDownFormat.Name, Reason: "random stream: " + err.Error()}
	}
	for i, dst := range [][]*rbm.RBM{d.Rec, d.Gen, {d.Top}} {
		for l, r := range dst {
			s := parts[i][l]
			copy(r.W, s.W)
			copy(r.VisBias, s.VisBias)
			copy(r.HidBias, s.HidBias)
		}
	}
	for i, inc := range incs {
		copy(u.ws.vel.params[i].inc, inc)
	}
	u.src = src
	u.epoch = epoch
	return nil
}

// sameShapes reports whether a and b are RBMs of the same shapes.
func sameShapes(a, b []*rbm.RBM) bool {
	if len(a) != len(b) {
		return false
	}
	for i, r := range a {
		if !r.SameShape(b[i]) {
			return false
		}
	}
	return true
}
