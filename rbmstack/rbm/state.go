package rbm

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// layersFormat is a stored list of RBMs, a stack's layers bottom first:
// the number of layers, then per layer the unit kinds (a byte each), NVis,
// NHid, DocLen, Labels and the weights, visible and hidden biases as
// float32 runs of known length. Its bytes are those of the first
// docsearch's stacks, so old indexes still open.
var layersFormat = binenc.Format{Name: "rbm stack", Magic: "DSRBMSTK", Version: 1}

const (
	maxUnits  = 1 << 24
	maxLayers = 64
)

// MarshalLayers encodes RBMs, each one's hidden layer the next one's
// visible layer (a stack, bottom first), in the binenc frame "DSRBMSTK".
func MarshalLayers(layers []*RBM) []byte {
	w := layersFormat.NewWriter()
	w.U32(uint32(len(layers)))
	for _, r := range layers {
		w.U8(byte(r.Vis))
		w.U8(byte(r.Hid))
		w.U32(uint32(r.NVis))
		w.U32(uint32(r.NHid))
		w.F32(r.DocLen)
		w.U32(uint32(r.Labels))
		w.RawF32s(r.W)
		w.RawF32s(r.VisBias)
		w.RawF32s(r.HidBias)
	}
	return w.Seal()
}

// UnmarshalLayers decodes data written by MarshalLayers. Damaged data give
// an error wrapping rbmstack.ErrCorrupt or rbmstack.ErrVersion, never a
// panic.
func UnmarshalLayers(data []byte) ([]*RBM, error) {
	rd, err := layersFormat.Open(data)
	if err != nil {
		return nil, err
	}
	nl := rd.Int("layers", maxLayers)
	if nl < 1 && !rd.Failed() {
		rd.Fail("no layers")
	}
	layers := make([]*RBM, 0, nl)
	for i := 0; i < nl && !rd.Failed(); i++ {
		r := &RBM{Vis: Kind(rd.U8()), Hid: Kind(rd.U8()), NVis: rd.Int("visible units", maxUnits), NHid: rd.Int("hidden units", maxUnits),
			DocLen: rd.F32(), Labels: rd.Int("labels", maxUnits)}
		switch {
		case rd.Failed():
		case r.Vis > Softmax || r.Hid > Linear || r.NVis < 1 || r.NHid < 1 || r.Labels >= r.NVis:
			rd.Fail("layer %d header (%s %d, %s %d, %d labels)", i+1, r.Vis, r.NVis, r.Hid, r.NHid, r.Labels)
		case i > 0 && layers[i-1].NHid != r.NVis:
			rd.Fail("layer %d has %d visible units below %d hidden units", i+1, r.NVis, layers[i-1].NHid)
		}
		r.W, r.VisBias, r.HidBias = rd.RawF32s(r.NVis*r.NHid), rd.RawF32s(r.NVis), rd.RawF32s(r.NHid)
		layers = append(layers, r)
	}
	if err := rd.Err(); err != nil {
		return nil, err
	}
	return layers, nil
}

// trainerFormat is a Trainer's state: its configuration first.
var trainerFormat = binenc.Format{Name: "rbm trainer state", Magic: "DSRBMTRS", Version: 1,
	Retired: []string{"DSRBMTR3", "DSRBMTRN"}}

// MarshalState encodes everything a Trainer needs to continue exactly
// where it stopped at an epoch boundary: the RBM, the momentum buffers,
// the random stream, the persistent chains, the epoch count and the
// configuration (RestoreState refuses a state of another one).
func (t *Trainer) MarshalState() ([]byte, error) {
	st, err := t.src.State()
	if err != nil {
		return nil, err
	}
	w := trainerFormat.NewWriter()
	w.Config(t.Cfg)
	w.U32(uint32(t.epoch))
	w.Bytes(MarshalLayers([]*RBM{t.R}))
	w.Bytes(st)
	for _, f := range [][]float32{t.incW, t.incB, t.incA, t.chainH.Data} {
		w.F32s(f)
	}
	w.U32(uint32(t.chainH.Rows))
	return w.Seal(), nil
}

// RestoreState loads a state written by MarshalState into t, whose RBM
// must have the same shape and whose configuration must be the same
// (rbmstack.ErrMismatch otherwise, naming both); t is unchanged after an
// error.
func (t *Trainer) RestoreState(data []byte) error {
	rd, err := trainerFormat.OpenState(data, t.Cfg)
	if err != nil {
		return err
	}
	epoch := rd.Int("epoch", math.MaxInt32)
	rb, st := rd.Bytes(), rd.Bytes()
	incW, incB, incA, chain := rd.F32s(), rd.F32s(), rd.F32s(), rd.F32s()
	rows := rd.Int("chains", maxUnits)
	if err := rd.Err(); err != nil {
		return err
	}
	layers, err := UnmarshalLayers(rb)
	if err != nil {
		return err
	}
	r := layers[0]
	if len(layers) != 1 || !r.SameShape(t.R) {
		return fmt.Errorf("%w: the state is of an RBM %v, training %v", rbmstack.ErrMismatch, r, t.R)
	}
	if len(incW) != len(t.incW) || len(incB) != len(t.incB) || len(incA) != len(t.incA) || len(chain) != rows*r.NHid {
		return &binenc.CorruptError{Format: trainerFormat.Name, Reason: "momentum or chains do not fit the RBM"}
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
