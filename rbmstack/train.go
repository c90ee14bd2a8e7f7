package rbmstack

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Config sets how one RBM is trained. The zero value of a field means its
// default, applied by EnsureDefaults.
type Config struct {
	Epochs    int     // passes over the data; default 30
	BatchSize int     // cases per update; default 100
	LR        float32 // learning rate of W and the visible biases; default 0.1
	// LRHidBias is the learning rate of the hidden biases; default LR.
	// Softmax layers want it far smaller (RECIPES.md: 0.01 against 1.0),
	// since the hidden bias enters multiplied by the document length.
	LRHidBias      float32
	Momentum       float32 // momentum for the first MomentumEpochs; default 0.5
	FinalMomentum  float32 // momentum afterwards; default 0.9
	MomentumEpochs int     // default 5
	WeightDecay    float32 // L2 penalty on W; default 2e-4; negative means none
	CDk            int     // Gibbs steps of contrastive divergence; default 1
	// Persistent keeps the negative chains across updates (PCD).
	Persistent bool
	// SampleVisible draws the visible reconstruction instead of using its
	// mean; Softmax layers then draw each document's words.
	SampleVisible bool
	// SampleInput treats the data as probabilities and draws binary states
	// from them for every minibatch (upper layers of a stack).
	SampleInput bool
	// Anneal decays the learning rates linearly to zero over the epochs
	// (Tieleman 2008 does so for PCD, whose chains otherwise oscillate
	// between modes; stochastic approximation needs a decaying rate).
	Anneal bool
	// InitStd is the standard deviation of the initial weights; default 0.01.
	InitStd float32
	Seed    uint64
}

// EnsureDefaults fills zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	if c.Epochs == 0 {
		c.Epochs = 30
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
	}
	if c.LR == 0 {
		c.LR = 0.1
	}
	if c.LRHidBias == 0 {
		c.LRHidBias = c.LR
	}
	if c.Momentum == 0 {
		c.Momentum = 0.5
	}
	if c.FinalMomentum == 0 {
		c.FinalMomentum = 0.9
	}
	if c.MomentumEpochs == 0 {
		c.MomentumEpochs = 5
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = 2e-4
	}
	if c.WeightDecay < 0 {
		c.WeightDecay = 0
	}
	if c.CDk == 0 {
		c.CDk = 1
	}
	if c.InitStd == 0 {
		c.InitStd = 0.01
	}
}

// Validate reports every out-of-range field at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(f string, args ...any) { errs = append(errs, fmt.Errorf("rbmstack: "+f, args...)) }
	if c.Epochs < 0 {
		bad("Epochs must be positive, got %d", c.Epochs)
	}
	if c.BatchSize < 1 {
		bad("BatchSize must be positive, got %d", c.BatchSize)
	}
	for _, f := range []struct {
		name string
		v    float32
		max  float32
	}{{"LR", c.LR, 100}, {"LRHidBias", c.LRHidBias, 100}, {"InitStd", c.InitStd, 10}} {
		if !(f.v > 0 && f.v <= f.max) {
			bad("%s must be in (0, %g], got %g", f.name, f.max, f.v)
		}
	}
	if !(c.Momentum >= 0 && c.Momentum < 1) || !(c.FinalMomentum >= 0 && c.FinalMomentum < 1) {
		bad("momentum must be in [0, 1), got %g and %g", c.Momentum, c.FinalMomentum)
	}
	if !(c.WeightDecay >= 0 && c.WeightDecay < 1) {
		bad("WeightDecay must be in [0, 1), got %g", c.WeightDecay)
	}
	if c.CDk < 1 || c.CDk > 1000 {
		bad("CDk must be in [1, 1000], got %d", c.CDk)
	}
	return errors.Join(errs...)
}

// EpochStats describes one finished epoch.
type EpochStats struct {
	Epoch int
	// Recon is the mean squared error per case between the data (word
	// proportions for Softmax units) and its one-step mean reconstruction.
	Recon float64
}

// Trainer trains one RBM with a Config, holding the momentum state, the
// random stream and the minibatch workspaces.
type Trainer struct {
	R   *RBM
	Cfg Config

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
	rows          []int
	perm          []int
	epoch         int
}

// NewTrainer prepares to train r with cfg (defaults applied).
func NewTrainer(r *RBM, cfg Config) (*Trainer, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := cfg.BatchSize
	t := &Trainer{R: r, Cfg: cfg, src: rng.New(cfg.Seed, 1),
		incW: make([]float32, len(r.W)), incB: make([]float32, r.NVis), incA: make([]float32, r.NHid),
		gradW: mat.New(r.NVis, r.NHid), gradB: make([]float32, r.NVis), gradA: make([]float32, r.NHid),
		raw: mat.New(b, r.NVis), v0: mat.New(b, r.NVis), p0: mat.New(b, r.NVis),
		h0: mat.New(b, r.NHid), hs: mat.New(b, r.NHid),
		v1: mat.New(b, r.NVis), p1: mat.New(b, r.NVis), h1: mat.New(b, r.NHid),
		scale: make([]float32, b), nscale: make([]float32, b), rows: make([]int, 0, b)}
	return t, nil
}

// Epoch returns the number of finished epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// Train runs the remaining epochs on data, calling onEpoch (may be nil)
// after each; an error from onEpoch stops training and is returned.
func (t *Trainer) Train(data mat.Matrix, label string, onEpoch func(EpochStats) error) error {
	n, d := data.Dims()
	if d != t.R.NVis {
		return fmt.Errorf("rbmstack: %s: data has %d columns, the RBM %d visible units", label, d, t.R.NVis)
	}
	if n == 0 {
		return fmt.Errorf("rbmstack: %s: no training cases", label)
	}
	if len(t.perm) != n {
		t.perm = make([]int, n)
	}
	bs := t.Cfg.BatchSize
	nb := (n + bs - 1) / bs
	for t.epoch < t.Cfg.Epochs {
		bar := progress.New(fmt.Sprintf("%s epoch %d/%d", label, t.epoch+1, t.Cfg.Epochs), int64(n), "cases")
		t.src.Perm(t.perm)
		var recon float64
		for b := 0; b < nb; b++ {
			lo, hi := b*bs, min((b+1)*bs, n)
			lrScale := float32(1)
			if t.Cfg.Anneal {
				lrScale = 1 - (float32(t.epoch)+float32(b)/float32(nb))/float32(t.Cfg.Epochs)
			}
			recon += t.step(data, t.perm[lo:hi], lrScale)
			bar.Add(int64(hi - lo))
		}
		recon /= float64(n)
		t.epoch++
		bar.SetSuffix("recon %.4g", recon)
		bar.Finish()
		if math.IsNaN(recon) || math.IsInf(recon, 0) || t.R.check() != nil {
			return fmt.Errorf("%w: %s epoch %d: NaN or Inf in the weights or reconstruction error (lower the learning rate)", ErrDiverged, label, t.epoch)
		}
		if onEpoch != nil {
			if err := onEpoch(EpochStats{Epoch: t.epoch, Recon: recon}); err != nil {
				return err
			}
		}
	}
	return nil
}

// step performs one CD-k (or PCD) update on the listed rows and returns the
// summed squared reconstruction error of the batch.
func (t *Trainer) step(data mat.Matrix, rows []int, lrScale float32) float64 {
	r, c := t.R, &t.Cfg
	B := len(rows)
	raw := t.raw.Resize(B, r.NVis)
	v0, p0 := t.v0.Resize(B, r.NVis), t.p0.Resize(B, r.NVis)
	h0, hs := t.h0.Resize(B, r.NHid), t.hs.Resize(B, r.NHid)
	v1, p1, h1 := t.v1.Resize(B, r.NVis), t.p1.Resize(B, r.NVis), t.h1.Resize(B, r.NHid)

	data.DenseRowsTo(raw.Data, rows)
	if c.SampleInput {
		sampleBernoulli(raw, raw, t.src.Uint64())
	}
	scale := r.Prepare(raw, v0, p0, t.scale)
	r.HidMeans(v0, scale, h0)

	// Start of the negative chain.
	nscale := scale
	if c.Persistent {
		if t.chainH.Rows != B {
			t.chainH = mat.New(B, r.NHid)
			r.sampleHid(t.chainH, h0, t.src.Uint64())
		}
		copy(hs.Data, t.chainH.Data)
		if scale != nil {
			// fantasy particles are documents of the mean length
			nscale = t.nscale[:B]
			var s float32
			for _, x := range scale {
				s += x
			}
			for i := range nscale {
				nscale[i] = s / float32(B)
			}
		}
	} else {
		r.sampleHid(hs, h0, t.src.Uint64())
	}
	var recon float64
	for k := 0; k < c.CDk; k++ {
		r.VisMeans(hs, v1)
		if k == 0 {
			recon = r.reconError(p0, v1)
		}
		// Persistent chains must be true Gibbs chains: sample the visibles.
		if draw := c.SampleVisible || c.Persistent; draw || r.Vis == Softmax {
			r.sampleVis(v1, v1, nscale, draw, t.src.Uint64())
		}
		r.HidMeans(v1, nscale, h1)
		if k < c.CDk-1 || c.Persistent {
			r.sampleHid(hs, h1, t.src.Uint64())
		}
	}
	if c.Persistent {
		copy(t.chainH.Data, hs.Data)
	}
	// Negative visible statistics: proportions for Softmax units.
	if r.Vis == Softmax {
		for i := 0; i < B; i++ {
			vr, pr := v1.Row(i), p1.Row(i)
			var n float32
			for _, x := range vr {
				n += x
			}
			if n <= 0 {
				clear(pr)
				continue
			}
			inv := 1 / n
			for j, x := range vr {
				pr[j] = x * inv
			}
		}
	} else {
		p1 = v1
	}

	// Gradients of the log-likelihood estimate, averaged over the batch.
	invB := 1 / float32(B)
	mat.Mul(t.gradW, p0, true, h0, false, invB, 0)
	mat.Mul(t.gradW, p1, true, h1, false, -invB, 1)
	mat.ColSumsTo(t.gradB, p0, invB, 0)
	mat.ColSumsTo(t.gradB, p1, -invB, 1)
	mat.ColSumsTo(t.gradA, h0, invB, 0)
	mat.ColSumsTo(t.gradA, h1, -invB, 1)

	mom := c.Momentum
	if t.epoch >= c.MomentumEpochs {
		mom = c.FinalMomentum
	}
	update(r.W, t.incW, t.gradW.Data, mom, c.LR*lrScale, c.WeightDecay)
	update(r.VisBias, t.incB, t.gradB, mom, c.LR*lrScale, 0)
	update(r.HidBias, t.incA, t.gradA, mom, c.LRHidBias*lrScale, 0)
	return recon
}

// update applies inc = mom*inc + lr*(grad - wd*w); w += inc.
func update(w, inc, grad []float32, mom, lr, wd float32) {
	par.For(len(w), 1<<15, func(lo, hi int) {
		w, inc, grad := w[lo:hi], inc[lo:hi], grad[lo:hi]
		for i := range w {
			inc[i] = mom*inc[i] + lr*(grad[i]-wd*w[i])
			w[i] += inc[i]
		}
	})
}

// reconError returns the summed squared error between the data p (word
// proportions for Softmax units) and the mean reconstruction m.
func (r *RBM) reconError(p, m mat.Dense) float64 {
	var s float64
	for i, x := range p.Data {
		d := float64(x - m.Data[i])
		s += d * d
	}
	return s
}

// rowBlock is the number of rows that share one random stream.
const rowBlock = 8

// sampleHid writes a sample of the hidden units given their means.
func (r *RBM) sampleHid(dst, mean mat.Dense, base uint64) {
	if r.Hid == Linear {
		copy(dst.Data, mean.Data)
		addNoise(dst, base)
		return
	}
	sampleBernoulli(dst, mean, base)
}

// sampleVis writes a sample of the visible units given their means. For
// Softmax units n[i] words are drawn for row i (when draw is set) and the
// result holds counts; when draw is false the means are scaled to n[i]
// expected counts.
func (r *RBM) sampleVis(dst, mean mat.Dense, n []float32, draw bool, base uint64) {
	if r.Labels > 0 {
		r.sampleVisLabels(dst, mean, base)
		return
	}
	switch r.Vis {
	case Binary:
		sampleBernoulli(dst, mean, base)
	case Linear:
		if &dst.Data[0] != &mean.Data[0] {
			copy(dst.Data, mean.Data)
		}
		addNoise(dst, base)
	case Softmax:
		if !draw {
			for i := 0; i < mean.Rows; i++ {
				d, m := dst.Row(i), mean.Row(i)
				for j, x := range m {
					d[j] = x * n[i]
				}
			}
			return
		}
		sampleMultinomial(dst, mean, n, base)
	}
}

func sampleBernoulli(dst, p mat.Dense, base uint64) {
	par.Blocks(p.Rows, rowBlock, func(b, lo, hi int) {
		rng.Derive(base, uint64(b)).Bernoulli(dst.Data[lo*p.Cols:hi*p.Cols], p.Data[lo*p.Cols:hi*p.Cols])
	})
}

func addNoise(m mat.Dense, base uint64) {
	par.Blocks(m.Rows, rowBlock, func(b, lo, hi int) {
		rng.Derive(base, uint64(b)).AddNorm(m.Data[lo*m.Cols : hi*m.Cols])
	})
}

var cumPool sync.Pool

func sampleMultinomial(dst, p mat.Dense, n []float32, base uint64) {
	par.Blocks(p.Rows, rowBlock, func(b, lo, hi int) {
		cp, _ := cumPool.Get().(*[]float32)
		if cp == nil || len(*cp) < p.Cols {
			s := make([]float32, p.Cols)
			cp = &s
		}
		src := rng.Derive(base, uint64(b))
		for i := lo; i < hi; i++ {
			// Multinomial reads p fully before writing dst, so they may alias.
			src.Multinomial(dst.Row(i), p.Row(i), (*cp)[:p.Cols], int(n[i]+0.5))
		}
		cumPool.Put(cp)
	})
}

// sampleVisLabels samples a visible layer with a label group: Bernoulli
// (or Gaussian) for the first NVis-Labels units, one draw of the softmax for
// the label units.
func (r *RBM) sampleVisLabels(dst, mean mat.Dense, base uint64) {
	nb := r.NVis - r.Labels
	par.Blocks(mean.Rows, rowBlock, func(b, lo, hi int) {
		src := rng.Derive(base, uint64(b))
		for i := lo; i < hi; i++ {
			d, m := dst.Row(i), mean.Row(i)
			if r.Vis == Linear {
				copy(d[:nb], m[:nb])
				src.AddNorm(d[:nb])
			} else {
				src.Bernoulli(d[:nb], m[:nb])
			}
			u := src.Float32()
			lab := d[nb:]
			var acc float32
			pick := len(lab) - 1
			for j, p := range m[nb:] {
				acc += p
				if u < acc && pick == len(lab)-1 {
					pick = j
				}
			}
			clear(lab)
			lab[pick] = 1
		}
	})
}
