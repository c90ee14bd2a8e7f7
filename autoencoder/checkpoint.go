package autoencoder

import (
	"errors"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/binenc"
)

// trainerMagic marks a Trainer state (binenc.StartConfig: the
// configuration first); oldTrainerMagic the format before the state
// carried its configuration, which still loads (unchecked).
const (
	trainerMagic    = "DSNETTR3"
	oldTrainerMagic = "DSNETTRN"
)

// ErrMismatch is returned when a trainer state is restored into a trainer
// of another configuration.
var ErrMismatch = errors.New("autoencoder: trainer state is from a different training run")

// MarshalState encodes what a Trainer needs to continue exactly after the
// last finished epoch: the net, the optimizer's moments and step, the
// early-stopping record, the random stream and the configuration.
func (t *Trainer) MarshalState() ([]byte, error) {
	nb, err := t.Net.MarshalBinary()
	if err != nil {
		return nil, err
	}
	st, err := t.src.State()
	if err != nil {
		return nil, err
	}
	b := binenc.StartConfig(trainerMagic, t.Cfg)
	for _, v := range []int{t.epoch, t.step, t.bestEpoch, t.sinceBest} {
		b = binenc.U64(b, uint64(v))
	}
	b = binenc.U64(b, math.Float64bits(t.bestLoss))
	b = binenc.Bytes(b, nb)
	b = binenc.Bytes(b, st)
	for _, f := range [][]float32{t.m, t.v, t.best} {
		b = binenc.F32s(b, f)
	}
	return binenc.Seal(b), nil
}

// RestoreState loads a state written by MarshalState into t, which must
// have been made by NewTrainer with the same net shape, data and config
// (ErrMismatch for another config, naming both). Damaged data give
// ErrCorrupt.
func (t *Trainer) RestoreState(data []byte) error {
	rd, err := binenc.OpenConfig(data, trainerMagic, oldTrainerMagic, t.Cfg)
	if mm := (*binenc.ConfigMismatch)(nil); errors.As(err, &mm) {
		return fmt.Errorf("%w: trainer state %v", ErrMismatch, err)
	}
	if err != nil {
		return fmt.Errorf("%w: not an intact trainer state", ErrCorrupt)
	}
	var ints [4]int
	for i := range ints {
		ints[i] = int(rd.U64())
	}
	bestLoss := math.Float64frombits(rd.U64())
	nb, st := rd.Bytes(), rd.Bytes()
	m, v, best := rd.F32s(), rd.F32s(), rd.F32s()
	if !rd.OK() {
		return fmt.Errorf("%w: trainer state truncated", ErrCorrupt)
	}
	var n Net
	if err := n.UnmarshalBinary(nb); err != nil {
		return err
	}
	np := len(t.Net.Params)
	if len(n.Params) != np || len(m) != len(t.m) || len(v) != len(t.v) || (best != nil && len(best) != np) {
		return fmt.Errorf("%w: trainer state does not fit this net (%v)", ErrCorrupt, n.Sizes())
	}
	if err := t.src.SetState(st); err != nil {
		return fmt.Errorf("%w: random stream: %v", ErrCorrupt, err)
	}
	copy(t.Net.Params, n.Params)
	t.epoch, t.step, t.bestEpoch, t.sinceBest = ints[0], ints[1], ints[2], ints[3]
	t.bestLoss = bestLoss
	copy(t.m, m)
	copy(t.v, v)
	t.best = best
	return nil
}
