package dbm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// AISConfig sets an annealed importance sampling estimate of log Z.
type AISConfig struct {
	// Runs is the number of independent AIS runs M; default 100.
	Runs int
	// Betas is the number K of intermediate distributions (the annealing
	// steps); default 14,500, the schedule of Salakhutdinov & Murray (2008):
	// steps of 1/1000 up to 0.5, 1/10,000 up to 0.9, 1/100,000 up to 1.
	Betas int
	// BaseVisBias are the visible biases of the base-rate model (the log
	// odds of the training data's mean, see BaseRateBias); nil means zeros.
	BaseVisBias []float32
	// BaseHidBias are the biases of the base model's hidden layers
	// (BaseHidBias[l-1] for layer l; see BaseRateHidBias); nil, or a nil
	// entry, means zeros: uniform units, as Salakhutdinov & Murray's base
	// model. A base whose hidden units are on about as often as the
	// model's posteriors on the data starts the annealing closer to the
	// model.
	BaseHidBias [][]float32
	// OddChains runs the chains over the odd layers (h^1, h^3, ...) with
	// the even layers (v, h^2, ...) summed out of the weights; otherwise
	// the chains run over the even layers with the odd ones summed out.
	// For a 784-500-1000 DBM the odd chains hold 500 units against 1,784,
	// and their log weights spread less.
	OddChains bool
	Seed      uint64
}

// EnsureDefaults fills zero fields.
func (c *AISConfig) EnsureDefaults() {
	rbmstack.Default(&c.Runs, 100)
	rbmstack.Default(&c.Betas, 14500)
}

// Validate reports every problem at once for a model of layer widths
// sizes (visible first).
func (c AISConfig) Validate(sizes []int) error {
	var errs []error
	if c.Runs < 1 || c.Runs > 1<<20 {
		errs = append(errs, fmt.Errorf("dbm: AIS Runs must be in [1, 2^20], got %d", c.Runs))
	}
	if c.Betas < 3 || c.Betas > 1<<26 {
		errs = append(errs, fmt.Errorf("dbm: AIS Betas must be in [3, 2^26], got %d", c.Betas))
	}
	if c.BaseVisBias != nil && len(c.BaseVisBias) != sizes[0] {
		errs = append(errs, fmt.Errorf("dbm: AIS BaseVisBias has %d values for %d visible units", len(c.BaseVisBias), sizes[0]))
	}
	if len(c.BaseHidBias) > len(sizes)-1 {
		errs = append(errs, fmt.Errorf("dbm: AIS BaseHidBias has %d layers for %d hidden layers", len(c.BaseHidBias), len(sizes)-1))
	}
	for l, b := range c.BaseHidBias {
		if b != nil && l+1 < len(sizes) && len(b) != sizes[l+1] {
			errs = append(errs, fmt.Errorf("dbm: AIS BaseHidBias[%d] has %d values for %d units", l, len(b), sizes[l+1]))
		}
	}
	return errors.Join(errs...)
}

// AISBetas returns the inverse temperatures 0 = beta_0 < ... < beta_K = 1
// (K+1 values) spaced as in Salakhutdinov & Murray (2008): 500/14,500 of
// the steps evenly on [0, 0.5], 4,000/14,500 on [0.5, 0.9] and the rest on
// [0.9, 1]. K must be at least 3.
func AISBetas(k int) []float64 {
	if k < 3 {
		panic(fmt.Sprintf("dbm: AISBetas(%d)", k))
	}
	n1 := max(1, int(math.Round(float64(k)*500/14500)))
	n2 := max(1, int(math.Round(float64(k)*4000/14500)))
	n3 := k - n1 - n2
	b := make([]float64, 0, k+1)
	b = append(b, 0)
	seg := func(lo, hi float64, n int) {
		for i := 1; i <= n; i++ {
			b = append(b, lo+(hi-lo)*float64(i)/float64(n))
		}
	}
	seg(0, 0.5, n1)
	seg(0.5, 0.9, n2)
	seg(0.9, 1, n3)
	b[k] = 1
	return b
}

// BaseRateBias returns the visible biases of the base-rate model of
// binary data (Salakhutdinov & Murray 2008): the log odds of each unit's
// mean, the mean kept within [0.001, 0.999].
func BaseRateBias(data mat.Matrix) []float32 {
	_, d := data.Dims()
	r := &rbm.RBM{Vis: rbm.Binary, NVis: d, VisBias: make([]float32, d)}
	r.InitVisBias(data)
	return r.VisBias
}

// BaseRateHidBias returns the hidden biases of a base model whose hidden
// units are on as often as d's mean-field posteriors (iters sweeps) say on
// data: the log odds of each unit's mean posterior, kept within
// [0.001, 0.999] as BaseRateBias, one slice per hidden layer.
func (d *DBM) BaseRateHidBias(data mat.Matrix, iters int) [][]float32 {
	n, _ := data.Dims()
	out := make([][]float32, d.Layers())
	sums := make([][]float64, d.Layers())
	for l := range sums {
		sums[l] = make([]float64, d.Sizes[l+1])
	}
	d.forBlocks(data, iters, func(_ int, _ mat.Dense, mu []mat.Dense) {
		for l, m := range mu {
			for i := 0; i < m.Rows; i++ {
				for j, v := range m.Row(i) {
					sums[l][j] += float64(v)
				}
			}
		}
	})
	for l, s := range sums {
		out[l] = make([]float32, len(s))
		for j, v := range s {
			out[l][j] = rbm.BaseRateLogOdds(v / float64(max(n, 1)))
		}
	}
	return out
}

// AIS estimates log Z of d by annealed importance sampling (Salakhutdinov
// & Hinton 2009, section 3.2; Salakhutdinov & Murray, "On the
// quantitative analysis of deep belief networks", ICML 2008). One parity
// of layers is summed out analytically and the chains run over the other
// (cfg.OddChains). With the odd layers (h^1, h^3, ...) summed out, the
// chains run over x = (v, h^2, ...) with
//
//	log p*_k(x) = sum_{even l} ((1-beta_k) A[l] + beta_k B[l])'h^l
//	            + sum_{odd l} sum_j softplus(beta_k (h^{l-1} W[l-1] + h^{l+1} W[l]' + B[l])_j + (1-beta_k) A[l]_j)
//
// (h^0 = v, W terms of missing layers left out), and with the even layers
// summed out, over x = (h^1, h^3, ...), the same with odd and even
// swapped. A[l] are the base model's biases (BaseVisBias, BaseHidBias).
// The base model (beta 0) has independent units with those biases, a
// base-rate model over v (Salakhutdinov & Murray 2008) and uniform hidden
// layers by default: log Z_A = sum_l sum_j softplus(A[l]_j).
// Each run starts from an exact base sample; at step k it adds
// log p*_k(x) - log p*_{k-1}(x) to its log weight, then moves x by one
// Gibbs sweep that leaves p_k invariant (the summed-out layers given x,
// then x given them). An RBM's log Z is its FromRBM's. obs (may be nil)
// sees the steps as Progress events of the stage "ais".
func (d *DBM) AIS(ctx context.Context, cfg AISConfig, obs rbmstack.Observer) (*AISResult, error) {
	d.validate()
	cfg.EnsureDefaults()
	if err := cfg.Validate(d.Sizes); err != nil {
		return nil, err
	}
	a := newAISRun(d, cfg)
	betas := AISBetas(cfg.Betas)
	stage := fmt.Sprintf("ais %s (%d runs)", rbmstack.Shape(d.Sizes...), cfg.Runs)
	for k := 1; k <= cfg.Betas; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a.weigh(betas[k-1], betas[k])
		if k < cfg.Betas {
			a.move(float32(betas[k]))
		}
		if err := obs.Notify(rbmstack.Event{Kind: rbmstack.Progress, Stage: stage, Done: k, Total: cfg.Betas, Unit: "betas"}); err != nil {
			return nil, err
		}
	}
	if err := obs.Notify(rbmstack.Event{Kind: rbmstack.StageEnd, Stage: stage}); err != nil {
		return nil, err
	}
	for i, w := range a.logw {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%w: AIS run %d has log weight %g", rbmstack.ErrDiverged, i, w)
		}
	}
	return newAISResult(a.logZBase, a.logw), nil
}

// aisRun holds the chains of AIS: the states s of every layer (the
// summed-out layers hold samples between steps) and x, the summed-out
// layers' total inputs at beta 1 (scratch for the others).
type aisRun struct {
	d        *DBM
	q        int // the parity of the layers the chains run over
	s, x     []mat.Dense
	bA       [][]float32 // the base model's biases, every layer
	dB       [][]float32 // B[l] - bA[l]
	mix      []float32   // scratch: a layer's biases at the step's beta
	logw     []float64
	logZBase float64
	src      *rng.Source
}

// newAISRun draws the runs' exact samples of the base model.
func newAISRun(d *DBM, cfg AISConfig) *aisRun {
	L, M := d.Layers(), cfg.Runs
	a := &aisRun{d: d, src: rng.New(cfg.Seed, 0xa15), logw: make([]float64, M)}
	if cfg.OddChains {
		a.q = 1
	}
	for l, n := range d.Sizes {
		var b []float32
		switch {
		case l == 0:
			b = cfg.BaseVisBias
		case l-1 < len(cfg.BaseHidBias):
			b = cfg.BaseHidBias[l-1]
		}
		if b == nil {
			b = make([]float32, n)
		}
		a.bA = append(a.bA, b)
		dB := make([]float32, n)
		for i := range dB {
			dB[i] = d.B[l][i] - b[i]
		}
		a.dB = append(a.dB, dB)
		for _, v := range b {
			a.logZBase += softplus(float64(v))
		}
		a.s = append(a.s, mat.New(M, n))
		a.x = append(a.x, mat.New(M, n))
	}
	a.mix = make([]float32, slices.Max(d.Sizes))
	for l := a.q; l <= L; l += 2 {
		p := a.x[l]
		for i := 0; i < M; i++ {
			copy(p.Row(i), a.bA[l])
		}
		mat.Sigmoid(p.Data)
		rbm.SampleBernoulli(a.s[l], p, a.src.Uint64())
	}
	return a
}

// weigh adds log p*_{b1}(x) - log p*_{b0}(x) to every run's log weight:
// the chains' layers' linear terms times (b1-b0), plus the summed-out
// layers' softplus differences.
func (a *aisRun) weigh(b0, b1 float64) {
	d, s, x := a.d, a.s, a.x
	L := d.Layers()
	for l := 1 - a.q; l <= L; l += 2 {
		d.condInput(l, s, 1, x[l])
	}
	par.For(len(a.logw), 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var t float64
			for l := a.q; l <= L; l += 2 {
				dB := a.dB[l]
				for j, v := range s[l].Row(i) {
					t += float64(v * dB[j])
				}
			}
			t *= b1 - b0
			for l := 1 - a.q; l <= L; l += 2 {
				bA := a.bA[l]
				for j, xv := range x[l].Row(i) {
					ba := float64(bA[j])
					t += softplus(b1*float64(xv)+(1-b1)*ba) - softplus(b0*float64(xv)+(1-b0)*ba)
				}
			}
			a.logw[i] += t
		}
	})
}

// move makes one Gibbs sweep that leaves p_bk invariant: the summed-out
// layers from their inputs (computed by weigh), then the chains' layers.
func (a *aisRun) move(bk float32) {
	d, s, x := a.d, a.s, a.x
	L := d.Layers()
	for l := 1 - a.q; l <= L; l += 2 {
		// bk*(input at beta 1) + (1-bk)*bA
		p, bA := x[l], a.bA[l]
		par.Rows(p.Rows, p.Cols, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				r := p.Row(i)
				for j, v := range r {
					r[j] = bk*v + (1-bk)*bA[j]
				}
			}
		})
		mat.Sigmoid(p.Data)
		rbm.SampleBernoulli(s[l], p, a.src.Uint64())
	}
	for l := a.q; l <= L; l += 2 {
		p, mix := x[l], a.mix[:d.Sizes[l]]
		for i := range mix {
			mix[i] = bk*d.B[l][i] + (1-bk)*a.bA[l][i]
		}
		d.weightInput(l, s, bk, p)
		mat.AddRowVec(p, mix)
		mat.Sigmoid(p.Data)
		rbm.SampleBernoulli(s[l], p, a.src.Uint64())
	}
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}
