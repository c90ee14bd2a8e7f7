package rbm

import (
	"context"
	"math"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Trainer trains one RBM on one data set with a Config, holding the
// momentum state, the random stream and the minibatch workspaces. It
// keeps the rbmstack.Trainer contract.
type Trainer struct {
	R   *RBM
	Cfg Config
	// Stage names this training in events; NewTrainer sets "rbm NVIS-NHID".
	Stage string

	data          mat.Matrix
	src           *rng.Source
	incW, incB    []float32
	incA          []float32
	gradW         mat.Dense
	gradB, gradA  []float32
	raw, v0, p0   mat.Dense
	h0, hs        mat.Dense
	v1, p1, h1    mat.Dense
	chainH        mat.Dense // persistent chains' hidden states
	scale, nscale []float32
	perm          []int
	epoch         int
}

var _ rbmstack.Trainer = (*Trainer)(nil)

// NewTrainer prepares to train r on the rows of data with cfg (defaults
// applied), reporting every problem of cfg and data at once.
func NewTrainer(r *RBM, data mat.Matrix, cfg Config) (*Trainer, error) {
	cfg.EnsureDefaults()
	p := rbmstack.Problems{Prefix: "rbm: "}
	p.Join(cfg.Validate())
	p.Cases(data, r.NVis)
	if err := p.Err(); err != nil {
		return nil, err
	}
	n, _ := data.Dims()
	b := cfg.BatchSize
	t := &Trainer{R: r, Cfg: cfg, Stage: "rbm " + rbmstack.Shape(r.NVis, r.NHid), data: data, src: rng.New(cfg.Seed, 1),
		incW: make([]float32, len(r.W)), incB: make([]float32, r.NVis), incA: make([]float32, r.NHid),
		gradW: mat.New(r.NVis, r.NHid), gradB: make([]float32, r.NVis), gradA: make([]float32, r.NHid),
		raw: mat.New(b, r.NVis), v0: mat.New(b, r.NVis), p0: mat.New(b, r.NVis),
		h0: mat.New(b, r.NHid), hs: mat.New(b, r.NHid),
		v1: mat.New(b, r.NVis), p1: mat.New(b, r.NVis), h1: mat.New(b, r.NHid),
		scale: make([]float32, b), nscale: make([]float32, b), perm: make([]int, n)}
	return t, nil
}

// Epoch returns the number of finished epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// Train runs the remaining epochs (see rbmstack.Trainer). Its EpochEnd
// events carry the mean squared error per case between the data (word
// proportions for Softmax units) and its one-step mean reconstruction.
func (t *Trainer) Train(ctx context.Context, obs rbmstack.Observer) error {
	c := &t.Cfg
	n := len(t.perm)
	nb := (n + c.BatchSize - 1) / c.BatchSize
	for t.epoch < c.Epochs {
		t.src.Perm(t.perm)
		var recon float64
		var lr float32
		for b := 0; b < nb; b++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			lo, hi := b*c.BatchSize, min((b+1)*c.BatchSize, n)
			u := t.epoch*nb + b
			p := float64(u) / float64(nb*c.Epochs)
			lr = c.Rate(p, u)
			recon += t.step(t.perm[lo:hi], lr, c.RateOf(c.LRHidBias, p, u))
			if err := obs.Notify(rbmstack.Event{Kind: rbmstack.Progress, Stage: t.Stage, Epoch: t.epoch + 1, Epochs: c.Epochs, Done: hi, Total: n}); err != nil {
				return err
			}
		}
		recon /= float64(n)
		t.epoch++
		if math.IsNaN(recon) || math.IsInf(recon, 0) || t.R.Diverged() {
			return rbmstack.Diverged(t.Stage, t.epoch)
		}
		e := rbmstack.Event{Kind: rbmstack.EpochEnd, Stage: t.Stage, Epoch: t.epoch, Epochs: c.Epochs, Done: n, Total: n,
			Loss: recon, HeldOut: math.NaN(), LR: lr}
		if err := obs.Notify(e); err != nil {
			return err
		}
	}
	return nil
}

// step performs one CD-k (or PCD) update on the listed rows with rate lr
// (lrH for the hidden biases) and returns the summed squared
// reconstruction error of the batch.
func (t *Trainer) step(rows []int, lr, lrH float32) float64 {
	r, c := t.R, &t.Cfg
	B := len(rows)
	raw := t.raw.Resize(B, r.NVis)
	v0, p0 := t.v0.Resize(B, r.NVis), t.p0.Resize(B, r.NVis)
	h0 := t.h0.Resize(B, r.NHid)
	t.data.DenseRowsTo(raw.Data, rows)
	if c.SampleInput {
		SampleBernoulli(raw, raw, t.src.Uint64())
	}
	scale := r.Prepare(raw, v0, p0, t.scale)
	r.hidMeans(v0, scale, c.UpScale, h0)
	recon, p1, h1 := t.negative(B, h0, p0, scale)

	// Gradients of the log-likelihood estimate, averaged over the batch.
	invB := 1 / float32(B)
	CDGradient(t.gradW, t.gradB, t.gradA, p0, h0, p1, h1, invB)
	c.Ascend(r.W, t.incW, t.gradW.Data, t.epoch, lr, true)
	c.Ascend(r.VisBias, t.incB, t.gradB, t.epoch, lr, false)
	c.Ascend(r.HidBias, t.incA, t.gradA, t.epoch, lrH, false)
	return recon
}

// CDGradient writes scale times the contrastive-divergence statistics of a
// batch with positive phase (v0, h0) and negative phase (v1, h1) into the
// weight gradient gW (NVis x NHid), the visible biases' gB and the hidden
// biases' gA:
//
//	gW = scale (v0ᵀh0 - v1ᵀh1), gB = scale Σ(v0 - v1), gA = scale Σ(h0 - h1)
//
// summed over the rows. The positive statistics are written first and the
// negative ones added, so the rounding is the same for every caller.
func CDGradient(gW mat.Dense, gB, gA []float32, v0, h0, v1, h1 mat.Dense, scale float32) {
	mat.Mul(gW, v0, true, h0, false, scale, 0)
	mat.Mul(gW, v1, true, h1, false, -scale, 1)
	mat.ColSumsTo(gB, v0, scale, 0)
	mat.ColSumsTo(gB, v1, -scale, 1)
	mat.ColSumsTo(gA, h0, scale, 0)
	mat.ColSumsTo(gA, h1, -scale, 1)
}

// negative runs the negative phase from the hidden means h0 (or from the
// persistent chains) and returns the reconstruction error against p0, the
// negative visible statistics (proportions for Softmax units) and the
// negative hidden means.
func (t *Trainer) negative(B int, h0, p0 mat.Dense, scale []float32) (float64, mat.Dense, mat.Dense) {
	r, c := t.R, &t.Cfg
	hs := t.hs.Resize(B, r.NHid)
	v1, p1, h1 := t.v1.Resize(B, r.NVis), t.p1.Resize(B, r.NVis), t.h1.Resize(B, r.NHid)
	nscale := scale
	if c.Persistent {
		nscale = t.startChains(B, h0, scale)
		copy(hs.Data, t.chainH.Data)
	} else {
		r.SampleHid(hs, h0, t.src.Uint64())
	}
	var recon float64
	for k := 0; k < c.CDk; k++ {
		r.visMeans(hs, c.DownScale, v1)
		if k == 0 {
			recon = reconError(p0, v1)
		}
		// Persistent chains must be true Gibbs chains: sample the visibles.
		if draw := c.SampleVisible || c.Persistent; draw || r.Vis == Softmax {
			r.SampleVis(v1, v1, nscale, draw, t.src.Uint64())
		}
		r.hidMeans(v1, nscale, c.UpScale, h1)
		if k < c.CDk-1 || c.Persistent {
			r.SampleHid(hs, h1, t.src.Uint64())
		}
	}
	if c.Persistent {
		copy(t.chainH.Data, hs.Data)
	}
	if r.Vis != Softmax {
		return recon, v1, h1
	}
	par.Rows(B, r.NVis, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			vr, pr := v1.Row(i), p1.Row(i)
			// Sampled counts are mostly zeros: as prepareRow.
			var n float32
			nz := 0
			for _, x := range vr {
				if x != 0 {
					n += x
					nz++
				}
			}
			if n <= 0 {
				clear(pr)
				continue
			}
			inv := 1 / n
			pr = pr[:len(vr)]
			if nz > len(vr)/4 {
				for j, x := range vr {
					pr[j] = x * inv
				}
				continue
			}
			clear(pr)
			for j, x := range vr {
				if x != 0 {
					pr[j] = x * inv
				}
			}
		}
	})
	return recon, p1, h1
}

// startChains starts the persistent chains from h0 on the first update
// and returns the document lengths of the fantasy particles: the batch's
// mean length for each (nil without Softmax units).
func (t *Trainer) startChains(B int, h0 mat.Dense, scale []float32) []float32 {
	if t.chainH.Rows != B {
		t.chainH = mat.New(B, t.R.NHid)
		t.R.SampleHid(t.chainH, h0, t.src.Uint64())
	}
	if scale == nil {
		return nil
	}
	nscale := t.nscale[:B]
	var s float32
	for _, x := range scale {
		s += x
	}
	for i := range nscale {
		nscale[i] = s / float32(B)
	}
	return nscale
}
