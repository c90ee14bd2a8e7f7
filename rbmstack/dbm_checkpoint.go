package rbmstack

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/internal/rng"
)

// ErrMismatch means a saved training state is intact but belongs to
// another run: a different configuration or model shape.
var ErrMismatch = errors.New("rbmstack: checkpoint is from a different training run")

// dbmTrainerFormat is a DBMTrainer's state: its configuration first.
var dbmTrainerFormat = binenc.Format{Name: "dbm trainer state", Magic: "DSDBMTRS", Version: 1, Retired: []string{"DSDBMTRN"}}

// maxDBMLayers bounds the layers of a stored DBM.
const maxDBMLayers = 64

// MarshalState encodes everything a DBMTrainer needs to continue exactly
// where it stopped between epochs: the configuration (to reject a state of
// another run), the DBM's parameters, the momentum increments, the
// persistent chains' states, the random stream and the epoch and update
// counts. The chains' probabilities, the permutation and the minibatch
// buffers are scratch that the next update recomputes before reading.
func (t *DBMTrainer) MarshalState() ([]byte, error) {
	st, err := t.src.State()
	if err != nil {
		return nil, err
	}
	d := t.D
	w := dbmTrainerFormat.NewWriter()
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

// RestoreState loads a state written by MarshalState into t, a trainer made
// by NewDBMTrainer for a DBM of the same sizes with the same configuration;
// training then continues as if it had never stopped. Epochs may differ
// only when Tau > 0 (with the linear decay the schedule depends on it). Damaged data give an
// error wrapping ErrCorrupt or ErrVersion, a state of another run one
// wrapping ErrMismatch that names what differs; t is unchanged after any
// error.
func (t *DBMTrainer) RestoreState(data []byte) error {
	rd, err := openState(dbmTrainerFormat, data, t.Cfg.resumeKey())
	if err != nil {
		return err
	}
	epoch := rd.Int("epoch", math.MaxInt32)
	updates := rd.U64()
	nl := rd.Int("layers", maxDBMLayers)
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
		return fmt.Errorf("%w: the state is of a %s DBM, training a %s one", ErrMismatch, sizesString(sizes), sizesString(d.Sizes))
	}
	for l, n := range sizes {
		ok := len(B[l]) == n && len(incB[l]) == n && len(chain[l]) == t.Cfg.Particles*n
		if l < nl-1 {
			ok = ok && len(W[l]) == n*sizes[l+1] && len(incW[l]) == n*sizes[l+1]
		}
		if !ok {
			return &binenc.CorruptError{Format: dbmTrainerFormat.Name, Reason: fmt.Sprintf("layer %d does not match its size %d", l, n)}
		}
	}
	src := rng.New(0, 0)
	if err := src.SetState(st); err != nil {
		return &binenc.CorruptError{Format: dbmTrainerFormat.Name, Reason: "random stream: " + err.Error()}
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

// resumeKey is the part of the configuration that a saved state must share
// with the trainer restoring it.
func (c DBMConfig) resumeKey() DBMConfig {
	if c.Tau > 0 {
		c.Epochs = 0
	}
	return c
}
