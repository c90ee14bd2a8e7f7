package autoencoder

import (
	"github.com/docsearch/docsearch/internal/binenc"
)

// netFormat is the stored net: the loss (a byte), InputLen, Code, the
// number of layers, the input width, per layer its output width and
// activation (a byte), then Params as a float32 run of known length; from
// version 2 then InputWeights (a counted float32 run, empty for none).
var netFormat = binenc.Format{Name: "net", Magic: "DSNET001", Version: 2, Oldest: 1}

const (
	maxLayers = 64
	maxUnits  = 1 << 24
)

// MarshalBinary encodes the net in the binenc frame "DSNET001": a net
// without input weights in version 1, byte for byte as before them (an
// index names its model by these bytes), one with them in version 2.
func (n *Net) MarshalBinary() ([]byte, error) {
	f := netFormat
	if n.InputWeights == nil {
		f.Version = 1
	}
	w := f.NewWriter()
	w.U8(byte(n.Loss))
	w.F32(n.InputLen)
	w.U32(uint32(int32(n.Code)))
	w.U32(uint32(len(n.Layers)))
	w.U32(uint32(n.Layers[0].In))
	for _, l := range n.Layers {
		w.U32(uint32(l.Out))
		w.U8(byte(l.Act))
	}
	w.RawF32s(n.Params)
	if n.InputWeights != nil {
		w.F32s(n.InputWeights)
	}
	return w.Seal(), nil
}

// UnmarshalBinary decodes data written by MarshalBinary into n. Damaged
// data give an error wrapping rbmstack.ErrCorrupt or rbmstack.ErrVersion,
// never a panic.
func (n *Net) UnmarshalBinary(data []byte) error {
	rd, err := netFormat.Open(data)
	if err != nil {
		return err
	}
	loss, inputLen, code := Loss(rd.U8()), rd.F32(), int(int32(rd.U32()))
	nl := rd.Int("layers", maxLayers)
	sizes := []int{rd.Int("inputs", maxUnits)}
	if !rd.Failed() && (loss > Squared || nl < 1 || code < -1 || code >= nl || sizes[0] < 1) {
		rd.Fail("header (loss %d, %d layers, code layer %d, %d inputs)", loss, nl, code, sizes[0])
	}
	acts := make([]Act, 0, nl)
	total := 0
	for i := 0; i < nl && !rd.Failed(); i++ {
		out, act := rd.Int("layer width", maxUnits), Act(rd.U8())
		if out < 1 || act > Softmax {
			rd.Fail("layer %d header (%d units, activation %d)", i+1, out, act)
		}
		total += sizes[i]*out + out
		if total > rd.Left() {
			rd.Fail("layer %d larger than the data", i+1)
		}
		sizes, acts = append(sizes, out), append(acts, act)
	}
	params := rd.RawF32s(total)
	var weights []float32
	if rd.Version() >= 2 {
		if weights = rd.F32s(); len(weights) == 0 {
			rd.Fail("version 2 without input weights")
		} else if !rd.Failed() && len(weights) != sizes[0] {
			rd.Fail("%d input weights for %d inputs", len(weights), sizes[0])
		}
	}
	if err := rd.Err(); err != nil {
		return err
	}
	m, err := New(sizes, acts, loss, 0, 0)
	if err != nil {
		return &binenc.CorruptError{Format: netFormat.Name, Reason: err.Error()}
	}
	copy(m.Params, params)
	m.InputLen, m.Code, m.InputWeights = inputLen, code, weights
	*n = *m
	return nil
}
