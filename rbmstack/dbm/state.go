package dbm

import (
	"fmt"
	"math"
	"slices"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
)

// stateFormat is a Trainer's state: its configuration, the epoch and
// update counts, the layer sizes, per layer the biases, their momentum,
// the chains' states and (below the top) the weights and their momentum,
// then the random stream.
var stateFormat = binenc.Format{Name: "dbm trainer state", Magic: "DSDBMTRS", Version: 1, Retired: []string{"DSDBMTRN"}}

// maxLayers bounds the layers of a stored DBM.
const maxLayers = 64

// resumeKey is the part of the configuration that a saved state must share
// with the trainer restoring it: Epochs may differ with the inverse decay,
// which does not depend on it.
func (c Config) resumeKey() Config {
	if c.Decay == rbmstack.Inverse {
		c.Epochs = 0
	}
	return c
}

// MarshalState encodes everything a Trainer needs to continue exactly
// where it stopped between epochs. The chains' probabilities, the
// permutation and the minibatch buffers are scratch that the next update
// recomputes before reading.
func (t *Trainer) MarshalState() ([]byte, error) {
	st, err := t.src.State()
	if err != nil {
		return nil, err
	}
	d := t.D
	w := stateFormat.NewWriter()
	w.Config(t.Cfg.resumeKey())
	w.U32(uint32(t.epoch))
	w.U64(uint64(t.updates))
	w.U32(uint32(len(d.Sizes)))
	for _, n := range d.Sizes {
		w.U32(uint32(n))
	}
	for l := range d.Sizes {
		w.F32s(d.B[l])
		w.F32s(t.incB[l])
		w.F32s(t.chain[l].Data)
		if l < d.Layers() {
			w.F32s(d.W[l])
			w.F32s(t.incW[l])
		}
	}
	w.Bytes(st)
	return w.Seal(), nil
}

// RestoreState loads a state written by MarshalState into t, a trainer
// made for a DBM of the same sizes with the same configuration (Epochs may
// differ with the inverse decay); training then continues as if it had
// never stopped. t is unchanged after an error.
func (t *Trainer) RestoreState(data []byte) error {
	rd, err := stateFormat.OpenState(data, t.Cfg.resumeKey())
	if err != nil {
		return err
	}
	epoch := rd.Int("epoch", math.MaxInt32)
	updates := rd.U64()
	nl := rd.Int("layers", maxLayers)
	sizes := make([]int, nl)
	for l := range sizes {
		sizes[l] = rd.Int("layer size", maxUnits)
	}
	B, incB, chain := make([][]float32, nl), make([][]float32, nl), make([][]float32, nl)
	W, incW := make([][]float32, max(0, nl-1)), make([][]float32, max(0, nl-1))
	for l := 0; l < nl; l++ {
		B[l], incB[l], chain[l] = rd.F32s(), rd.F32s(), rd.F32s()
		if l < nl-1 {
			W[l], incW[l] = rd.F32s(), rd.F32s()
		}
	}
	st := rd.Bytes()
	if updates > math.MaxInt32 {
		rd.Fail("update %d", updates)
	}
	if err := rd.Err(); err != nil {
		return err
	}
	d := t.D
	if !slices.Equal(sizes, d.Sizes) {
		return fmt.Errorf("%w: the state is of a DBM %s, training %s", rbmstack.ErrMismatch, rbmstack.Shape(sizes...), rbmstack.Shape(d.Sizes...))
	}
	for l, n := range sizes {
		ok := len(B[l]) == n && len(incB[l]) == n && len(chain[l]) == t.Cfg.Particles*n
		if l < nl-1 {
			ok = ok && len(W[l]) == n*sizes[l+1] && len(incW[l]) == n*sizes[l+1]
		}
		if !ok {
			return &binenc.CorruptError{Format: stateFormat.Name, Reason: fmt.Sprintf("layer %d does not match its size %d", l, n)}
		}
	}
	src := rng.New(0, 0)
	if err := src.SetState(st); err != nil {
		return &binenc.CorruptError{Format: stateFormat.Name, Reason: "random stream: " + err.Error()}
	}
	for l := range sizes {
		copy(d.B[l], B[l])
		copy(t.incB[l], incB[l])
		copy(t.chain[l].Data, chain[l])
		if l < nl-1 {
			copy(d.W[l], W[l])
			copy(t.incW[l], incW[l])
		}
	}
	t.src = src
	t.epoch, t.updates = epoch, int(updates)
	return nil
}
