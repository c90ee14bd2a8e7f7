package rbmstack

import (
	"fmt"

	"github.com/docsearch/docsearch/internal/binenc"
)

// Errors of decoding stored stacks and trainer states. They are the same
// values as autoencoder's and vocab's: errors.Is matches any damaged or
// unreadable docsearch file, whichever package read it.
var (
	// ErrCorrupt means stored bytes fail their checksum or do not decode.
	ErrCorrupt = binenc.ErrCorrupt
	// ErrVersion means the data were written by a docsearch whose format
	// this build does not read.
	ErrVersion = binenc.ErrVersion
)

// stackFormat is the stored stack: the number of layers, then per layer
// the unit kinds (a byte each), NVis, NHid, DocLen, Labels and the
// weights, visible and hidden biases as float32 runs of known length.
var stackFormat = binenc.Format{Name: "rbm stack", Magic: "DSRBMSTK", Version: 1}

const (
	maxUnits  = 1 << 24
	maxLayers = 64
)

// MarshalBinary encodes the stack in the binenc frame "DSRBMSTK".
func (s *Stack) MarshalBinary() ([]byte, error) {
	w := stackFormat.NewWriter()
	w.U32(uint32(len(s.Layers)))
	for _, r := range s.Layers {
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
	return w.Seal(), nil
}

// UnmarshalBinary decodes data written by MarshalBinary. Damaged data give
// an error wrapping ErrCorrupt or ErrVersion, never a panic.
func (s *Stack) UnmarshalBinary(data []byte) error {
	rd, err := stackFormat.Open(data)
	if err != nil {
		return err
	}
	nl := rd.Int("layers", maxLayers)
	if nl < 1 && !rd.Failed() {
		rd.Fail("no layers")
	}
	layers := make([]*RBM, 0, nl)
	for i := 0; i < nl && !rd.Failed(); i++ {
		r := &RBM{Vis: Kind(rd.U8()), Hid: Kind(rd.U8()), NVis: rd.Int("visible units", maxUnits), NHid: rd.Int("hidden units", maxUnits),
			DocLen: rd.F32(), Labels: rd.Int("labels", maxUnits)}
		if rd.Failed() {
			break
		}
		if r.Vis > Softmax || r.Hid > Linear || r.NVis < 1 || r.NHid < 1 || r.Labels >= r.NVis {
			rd.Fail("layer %d header (%s %d, %s %d, %d labels)", i+1, r.Vis, r.NVis, r.Hid, r.NHid, r.Labels)
			break
		}
		if i > 0 && layers[i-1].NHid != r.NVis {
			rd.Fail("layer %d has %d visible units below %d hidden units", i+1, r.NVis, layers[i-1].NHid)
			break
		}
		r.W, r.VisBias, r.HidBias = rd.RawF32s(r.NVis*r.NHid), rd.RawF32s(r.NVis), rd.RawF32s(r.NHid)
		layers = append(layers, r)
	}
	if err := rd.Err(); err != nil {
		return err
	}
	s.Layers = layers
	return nil
}

// openState opens a trainer state of format f saved under cfg: damaged
// data give ErrCorrupt, another configuration ErrMismatch naming both.
func openState(f binenc.Format, data []byte, cfg any) (*binenc.Reader, error) {
	rd, err := f.Open(data)
	if err != nil {
		return nil, err
	}
	if err := rd.Config(cfg); err != nil {
		return nil, fmt.Errorf("%w: %s %v", ErrMismatch, f.Name, err)
	}
	return rd, nil
}
