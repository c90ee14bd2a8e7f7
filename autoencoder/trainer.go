package autoencoder

import (
	"context"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Trainer fine-tunes a Net by backpropagation; it keeps the optimizer
// state and the early-stopping record between epochs, and keeps the
// rbmstack.Trainer contract. Its EpochEnd events carry the mean training
// loss of the epoch's minibatches and, with a holdout, the held-out loss.
type Trainer struct {
	Net   *Net
	Cfg   Config
	Stage string // names the training in events; default "fine-tune"

	b          Batcher
	src        *rng.Source
	train, val []int
	order      []int // the training cases in their initial order
	ws         Workspace
	grad       []float32
	m, v       []float32 // Adam moments; m is SGD's velocity
	step       int
	epoch      int
	best       []float32
	bestLoss   float64
	bestWrong  int // HeldOutError: the best epoch's held-out errors
	bestEpoch  int
	sinceBest  int
	wOff       []int // Tied: the offset of each layer's weights in Params
	heldOut    bool  // Loss is filling: the code noise's fixed draw
}

var _ rbmstack.Trainer = (*Trainer)(nil)

// NewTrainer prepares to fine-tune n on the cases of b with cfg (defaults
// applied), reporting every problem at once.
func NewTrainer(n *Net, b Batcher, cfg Config) (*Trainer, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	N := b.Len()
	if N < 2 {
		return nil, fmt.Errorf("autoencoder: need at least 2 training cases, got %d", N)
	}
	t := &Trainer{Net: n, Cfg: cfg, Stage: "fine-tune", b: b, src: rng.New(cfg.Seed, 2), grad: make([]float32, len(n.Params)),
		bestLoss: math.Inf(1)}
	perm := make([]int, N)
	t.src.Perm(perm)
	if cfg.Tied {
		if err := checkMirror(n); err != nil {
			return nil, err
		}
		n.tieDecoder()
		// where each layer's weights start in Params (and so in grad)
		t.wOff = make([]int, len(n.Layers))
		for i, o := 0, 0; i < len(n.Layers); i++ {
			t.wOff[i] = o
			o += len(n.Layers[i].W) + len(n.Layers[i].B)
		}
	}
	nv := int(cfg.Holdout * float64(N))
	t.val, t.train = perm[:nv], perm[nv:]
	t.order = append([]int(nil), t.train...)
	switch cfg.Method {
	case Adam:
		t.m = make([]float32, len(n.Params))
		t.v = make([]float32, len(n.Params))
	case SGD:
		t.m = make([]float32, len(n.Params))
	}
	return t, nil
}

// Train runs the remaining epochs (see rbmstack.Trainer), stopping early
// when the held-out figure (Config.Select) has not improved for Patience
// epochs, and leaves the net with the best held-out parameters (the last
// ones without a holdout).
func (t *Trainer) Train(ctx context.Context, obs rbmstack.Observer) error {
	cfg := t.Cfg
	// A trainer restored from the epoch where early stopping fired has
	// nothing left to do.
	for t.epoch < cfg.Epochs && !t.stopped() {
		loss, lr, err := t.runEpoch(ctx, obs)
		if err != nil {
			return err
		}
		t.epoch++
		if math.IsNaN(loss) || math.IsInf(loss, 0) || mat.HasNaN(t.Net.Params) {
			return rbmstack.Diverged(t.Stage, t.epoch)
		}
		e := rbmstack.Event{Kind: rbmstack.EpochEnd, Stage: t.Stage, Epoch: t.epoch, Epochs: cfg.Epochs, Done: len(t.train), Total: len(t.train),
			Loss: loss, HeldOut: math.NaN(), LR: lr}
		if len(t.val) > 0 {
			var wrong int
			count := cfg.Select == HeldOutError
			e.HeldOut, wrong = t.lossErrors(t.val, count)
			if count {
				e.HeldOutWrong, e.HeldOutCases = wrong, len(t.val)
			}
			if t.better(e.HeldOut, wrong) {
				t.bestLoss, t.bestWrong, t.bestEpoch, t.sinceBest = e.HeldOut, wrong, t.epoch, 0
				t.best = append(t.best[:0], t.Net.Params...)
				e.Best = true
			} else {
				t.sinceBest++
			}
		}
		if err := obs.Notify(e); err != nil {
			return err
		}
	}
	if t.best != nil {
		copy(t.Net.Params, t.best)
	}
	return nil
}

// better reports whether an epoch's held-out loss and errors beat the
// best so far by Config.Select.
func (t *Trainer) better(loss float64, wrong int) bool {
	if t.bestEpoch == 0 {
		return !math.IsNaN(loss)
	}
	if t.Cfg.Select == HeldOutError && wrong != t.bestWrong {
		return wrong < t.bestWrong
	}
	return loss < t.bestLoss
}

// stopped reports whether early stopping has fired.
func (t *Trainer) stopped() bool { return len(t.val) > 0 && t.sinceBest >= t.Cfg.Patience }

// runEpoch runs one epoch of minibatches and returns their mean loss and
// the last rate.
func (t *Trainer) runEpoch(ctx context.Context, obs rbmstack.Observer) (float64, float32, error) {
	cfg := t.Cfg
	// Shuffle from the fixed order each epoch, so that the order depends
	// on the random stream alone (and a restored trainer reproduces it).
	copy(t.train, t.order)
	shuffle(t.src, t.train)
	var sum float64
	var nb int
	var lr float32
	for lo := 0; lo < len(t.train); lo += cfg.BatchSize {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		rows := t.train[lo:min(lo+cfg.BatchSize, len(t.train))]
		p := (float64(t.epoch) + float64(lo)/float64(len(t.train))) / float64(cfg.Epochs)
		lr = cfg.Rate(p, t.step)
		switch cfg.Method {
		case CG:
			sum += t.cgBatch(rows)
		case SGD:
			sum += t.sgdBatch(rows, lr)
		default:
			sum += t.adamBatch(rows, lr)
		}
		nb++
		e := rbmstack.Event{Kind: rbmstack.Progress, Stage: t.Stage, Epoch: t.epoch + 1, Epochs: cfg.Epochs, Done: lo + len(rows), Total: len(t.train)}
		if err := obs.Notify(e); err != nil {
			return 0, 0, err
		}
	}
	return sum / float64(nb), lr, nil
}

// Epoch returns the number of finished epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// BestEpoch returns the epoch with the best held-out figure (0 if none).
func (t *Trainer) BestEpoch() int { return t.bestEpoch }

// Loss returns the mean loss over the listed cases.
func (t *Trainer) Loss(rows []int) float64 {
	loss, _ := t.lossErrors(rows, false)
	return loss
}

// lossErrors returns the mean loss over the listed cases and, with count,
// the number of them a classifier gets wrong: whose largest output is not
// where their target is largest.
func (t *Trainer) lossErrors(rows []int, count bool) (float64, int) {
	const block = 500
	t.heldOut = true
	defer func() { t.heldOut = false }()
	var sum float64
	wrong := 0
	for lo := 0; lo < len(rows); lo += block {
		r := rows[lo:min(lo+block, len(rows))]
		t.fill(r)
		sum += t.Net.LossGrad(&t.ws, nil) * float64(len(r))
		if count {
			out, target := t.Net.Output(&t.ws), t.ws.target
			for i := range r {
				if Argmax(out.Row(i)) != Argmax(target.Row(i)) {
					wrong++
				}
			}
		}
	}
	return sum / float64(len(rows)), wrong
}

// Argmax returns the index of x's largest value, the first of equals; a
// NaN loses to any number.
func Argmax(x []float32) int {
	best := 0
	for j, v := range x {
		if v > x[best] || x[best] != x[best] {
			best = j
		}
	}
	return best
}

func (t *Trainer) fill(rows []int) {
	in := t.Net.Input(&t.ws, len(rows))
	t.b.Fill(rows, in.Data, t.ws.target.Data)
	t.Net.prepare(in)
	if f := t.Cfg.InputMask; f > 0 && !t.heldOut {
		seed := t.Cfg.Seed ^ uint64(t.epoch+1)*0xd1b54a32d192ed03
		for i, r := range rows {
			x := in.Row(i)
			for j := range x {
				if rng.HashFloat32(seed, uint64(r)*uint64(len(x))+uint64(j)) < f {
					x[j] = 0
				}
			}
		}
	}
	t.ws.noise = t.ws.noise[:0]
	if sd := t.Cfg.CodeNoise; sd > 0 && t.Net.Code >= 0 {
		w := t.Net.CodeSize()
		seed := t.Cfg.Seed
		if t.Cfg.FreshNoise && !t.heldOut {
			seed += uint64(t.epoch+1) * 0x9e3779b97f4a7c15
		}
		for _, r := range rows {
			for j := 0; j < w; j++ {
				t.ws.noise = append(t.ws.noise, sd*rng.HashNorm(seed, uint64(r)*uint64(w)+uint64(j)))
			}
		}
	}
}

func shuffle(src *rng.Source, x []int) {
	for i := len(x) - 1; i > 0; i-- {
		j := src.IntN(i + 1)
		x[i], x[j] = x[j], x[i]
	}
}
