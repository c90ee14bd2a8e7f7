package autoencoder

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/rbmstack"
)

// trainerFormat is a Trainer's state: its configuration first.
var trainerFormat = binenc.Format{Name: "fine-tuning state", Magic: "DSNETTRS", Version: 2, Retired: []string{"DSNETTR3", "DSNETTRN"}}

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
	w := trainerFormat.NewWriter()
	w.Config(t.Cfg)
	for _, v := range []int{t.epoch, t.step, t.bestEpoch, t.sinceBest} {
		w.U64(uint64(v))
	}
	w.F64(t.bestLoss)
	w.U64(uint64(t.bestWrong))
	w.Bytes(nb)
	w.Bytes(st)
	for _, f := range [][]float32{t.m, t.v, t.best} {
		w.F32s(f)
	}
	return w.Seal(), nil
}

// RestoreState loads a state written by MarshalState into t, which must
// have been made by NewTrainer with the same net shape, data and config
// (rbmstack.ErrMismatch for another config, naming both). Damaged data
// give rbmstack.ErrCorrupt.
func (t *Trainer) RestoreState(data []byte) error {
	rd, err := trainerFormat.OpenState(data, t.Cfg)
	if err != nil {
		return err
	}
	var ints [4]int
	for i := range ints {
		if ints[i] = int(rd.U64()); ints[i] < 0 || ints[i] > math.MaxInt32 {
			rd.Fail("counter %d out of range", ints[i])
		}
	}
	bestLoss := rd.F64()
	bestWrong := rd.U64()
	if bestWrong > math.MaxInt32 {
		rd.Fail("held-out errors %d out of range", bestWrong)
	}
	nb, st := rd.Bytes(), rd.Bytes()
	m, v, best := rd.F32s(), rd.F32s(), rd.F32s()
	if err := rd.Err(); err != nil {
		return err
	}
	var n Net
	if err := n.UnmarshalBinary(nb); err != nil {
		return err
	}
	np := len(t.Net.Params)
	if len(n.Params) != np || len(m) != len(t.m) || len(v) != len(t.v) || (best != nil && len(best) != np) {
		return fmt.Errorf("%w: the state is of a net %v, training %v", rbmstack.ErrMismatch, n.Sizes(), t.Net.Sizes())
	}
	if err := t.src.SetState(st); err != nil {
		return &binenc.CorruptError{Format: trainerFormat.Name, Reason: "random stream: " + err.Error()}
	}
	copy(t.Net.Params, n.Params)
	t.epoch, t.step, t.bestEpoch, t.sinceBest = ints[0], ints[1], ints[2], ints[3]
	t.bestLoss, t.bestWrong = bestLoss, int(bestWrong)
	copy(t.m, m)
	copy(t.v, v)
	t.best = best
	return nil
}
