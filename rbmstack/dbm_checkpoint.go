package rbmstack

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/internal/rng"
)

// ErrMismatch means a saved training state is intact but belongs to
// another run: a different configuration or model shape.
var ErrMismatch = errors.New("rbmstack: checkpoint is from a different training run")

const (
	dbmTrainerMagic   = "DSDBMTRN"
	dbmTrainerVersion = 1
	maxDBMLayers      = 64
)

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
	d, c := t.D, t.Cfg
	b := binenc.Start(dbmTrainerMagic)
	b = binenc.U32(b, dbmTrainerVersion)
	b = binenc.U32(b, uint32(c.Epochs))
	b = binenc.U32(b, uint32(c.BatchSize))
	b = binenc.U32(b, math.Float32bits(c.LR))
	b = binenc.U64(b, math.Float64bits(c.Tau))
	b = binenc.U32(b, math.Float32bits(c.Momentum))
	b = binenc.U32(b, math.Float32bits(c.FinalMomentum))
	b = binenc.U32(b, uint32(c.MomentumEpochs))
	b = binenc.U32(b, math.Float32bits(c.WeightDecay))
	b = binenc.U32(b, uint32(c.Particles))
	b = binenc.U32(b, uint32(c.Gibbs))
	b = binenc.U32(b, uint32(c.MeanField))
	b = binenc.U64(b, c.Seed)
	b = binenc.U32(b, uint32(t.epoch))
	b = binenc.U64(b, uint64(t.updates))
	b = binenc.U32(b, uint32(len(d.Sizes)))
	for _, n := range d.Sizes {
		b = binenc.U32(b, uint32(n))
	}
	for l := range d.Sizes {
		b = binenc.F32s(b, d.B[l])
		b = binenc.F32s(b, t.incB[l])
		b = binenc.F32s(b, t.chain[l].Data)
		if l < d.Layers() {
			b = binenc.F32s(b, d.W[l])
			b = binenc.F32s(b, t.incW[l])
		}
	}
	b = binenc.Bytes(b, st)
	return binenc.Seal(b), nil
}

// RestoreState loads a state written by MarshalState into t, a trainer made
// by NewDBMTrainer for a DBM of the same sizes with the same configuration;
// training then continues as if it had never stopped. Epochs may differ
// only when Tau > 0 (with the linear decay the schedule depends on it).
// Damaged data give an error wrapping ErrCorrupt or ErrVersion, a state of
// another run one wrapping ErrMismatch that names what differs; t is
// unchanged after any error.
func (t *DBMTrainer) RestoreState(data []byte) error {
	rd, err := binenc.Open(data, dbmTrainerMagic)
	if err != nil {
		return fmt.Errorf("%w: not an intact DBM trainer state", ErrCorrupt)
	}
	if v := rd.U32(); v != dbmTrainerVersion {
		return fmt.Errorf("%w: DBM trainer state version %d, this build reads %d", ErrVersion, v, dbmTrainerVersion)
	}
	var c DBMConfig
	c.Epochs = int(rd.U32())
	c.BatchSize = int(rd.U32())
	c.LR = math.Float32frombits(rd.U32())
	c.Tau = math.Float64frombits(rd.U64())
	c.Momentum = math.Float32frombits(rd.U32())
	c.FinalMomentum = math.Float32frombits(rd.U32())
	c.MomentumEpochs = int(rd.U32())
	c.WeightDecay = math.Float32frombits(rd.U32())
	c.Particles = int(rd.U32())
	c.Gibbs = int(rd.U32())
	c.MeanField = int(rd.U32())
	c.Seed = rd.U64()
	epoch := rd.U32()
	updates := rd.U64()
	nl := int(rd.U32())
	if nl < 2 || nl > maxDBMLayers {
		return fmt.Errorf("%w: DBM trainer state with %d layers", ErrCorrupt, nl)
	}
	sizes := make([]int, nl)
	for l := range sizes {
		sizes[l] = int(rd.U32())
	}
	B, incB, chain := make([][]float32, nl), make([][]float32, nl), make([][]float32, nl)
	W, incW := make([][]float32, nl-1), make([][]float32, nl-1)
	for l := 0; l < nl; l++ {
		B[l], incB[l], chain[l] = rd.F32s(), rd.F32s(), rd.F32s()
		if l < nl-1 {
			W[l], incW[l] = rd.F32s(), rd.F32s()
		}
	}
	st := rd.Bytes()
	if !rd.OK() {
		return fmt.Errorf("%w: DBM trainer state truncated", ErrCorrupt)
	}
	if epoch > math.MaxInt32 || updates > math.MaxInt32 {
		return fmt.Errorf("%w: DBM trainer state at epoch %d, update %d", ErrCorrupt, epoch, updates)
	}

	d := t.D
	if diff := dbmConfigDiff(c, t.Cfg); len(diff) > 0 {
		return fmt.Errorf("%w: %s", ErrMismatch, strings.Join(diff, ", "))
	}
	if !slices.Equal(sizes, d.Sizes) {
		return fmt.Errorf("%w: the state is of a %s DBM, training a %s one", ErrMismatch, sizesString(sizes), sizesString(d.Sizes))
	}
	for l, n := range sizes {
		ok := len(B[l]) == n && len(incB[l]) == n && len(chain[l]) == c.Particles*n
		if l < nl-1 {
			ok = ok && len(W[l]) == n*sizes[l+1] && len(incW[l]) == n*sizes[l+1]
		}
		if !ok {
			return fmt.Errorf("%w: DBM trainer state: layer %d does not match its size %d", ErrCorrupt, l, n)
		}
	}
	src := rng.New(0, 0)
	if err := src.SetState(st); err != nil {
		return fmt.Errorf("%w: random stream: %v", ErrCorrupt, err)
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
	t.epoch, t.updates = int(epoch), int(updates)
	return nil
}

// dbmConfigDiff lists the fields of the saved configuration that differ
// from cur in a way that changes training.
func dbmConfigDiff(saved, cur DBMConfig) []string {
	var diff []string
	add := func(name string, a, b any) {
		if a != b {
			diff = append(diff, fmt.Sprintf("%s %v in the checkpoint, %v here", name, a, b))
		}
	}
	if saved.Tau == 0 || cur.Tau == 0 {
		add("Epochs", saved.Epochs, cur.Epochs)
	}
	add("BatchSize", saved.BatchSize, cur.BatchSize)
	add("LR", saved.LR, cur.LR)
	add("Tau", saved.Tau, cur.Tau)
	add("Momentum", saved.Momentum, cur.Momentum)
	add("FinalMomentum", saved.FinalMomentum, cur.FinalMomentum)
	add("MomentumEpochs", saved.MomentumEpochs, cur.MomentumEpochs)
	add("WeightDecay", saved.WeightDecay, cur.WeightDecay)
	add("Particles", saved.Particles, cur.Particles)
	add("Gibbs", saved.Gibbs, cur.Gibbs)
	add("MeanField", saved.MeanField, cur.MeanField)
	add("Seed", saved.Seed, cur.Seed)
	return diff
}
