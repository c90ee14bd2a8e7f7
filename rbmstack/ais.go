package rbmstack

import (
	"errors"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
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
	Seed        uint64
}

// EnsureDefaults fills zero fields.
func (c *AISConfig) EnsureDefaults() {
	if c.Runs == 0 {
		c.Runs = 100
	}
	if c.Betas == 0 {
		c.Betas = 14500
	}
}

// Validate reports every problem at once.
func (c AISConfig) Validate(nvis int) error {
	var errs []error
	if c.Runs < 1 || c.Runs > 1<<20 {
		errs = append(errs, fmt.Errorf("rbmstack: AIS Runs must be in [1, 2^20], got %d", c.Runs))
	}
	if c.Betas < 3 || c.Betas > 1<<26 {
		errs = append(errs, fmt.Errorf("rbmstack: AIS Betas must be in [3, 2^26], got %d", c.Betas))
	}
	if c.BaseVisBias != nil && len(c.BaseVisBias) != nvis {
		errs = append(errs, fmt.Errorf("rbmstack: AIS BaseVisBias has %d values for %d visible units", len(c.BaseVisBias), nvis))
	}
	return errors.Join(errs...)
}

// AISResult is an AIS estimate of log Z.
type AISResult struct {
	// LogZ = log Z_A + log((1/M) sum_m w_m), Z_A the base model's partition
	// function and w_m the importance weight of run m. In expectation the
	// weights' mean is Z/Z_A, so by Jensen's inequality LogZ tends to
	// underestimate log Z, which makes log-probabilities look better.
	LogZ float64
	// LogZLow and LogZHigh are log Z_A + log(mean(w) -+ 3 sd(w)/sqrt(M)),
	// the error bar of Salakhutdinov & Murray's code; LogZLow is -Inf
	// when the interval reaches zero.
	LogZLow, LogZHigh float64
	LogZBase          float64   // log Z_A
	LogW              []float64 // log w_m per run
	// LogWStd is the standard deviation of the log weights and ESS the
	// effective sample size (sum w)^2 / sum w^2, between 1 and Runs. A
	// spread of a few nats or more (ESS far below Runs) means a handful of
	// runs carry the estimate: the chains did not follow the annealing and
	// LogZ is probably far too low, whatever LogZLow and LogZHigh say.
	LogWStd float64
	ESS     float64
}

// Reliable reports whether the runs agree well enough for LogZ to be
// trusted: an effective sample size of at least a tenth of the runs.
func (r *AISResult) Reliable() bool { return r.ESS >= 0.1*float64(len(r.LogW)) }

// AISBetas returns the inverse temperatures 0 = beta_0 < ... < beta_K = 1
// (K+1 values) spaced as in Salakhutdinov & Murray (2008): 500/14,500 of
// the steps evenly on [0, 0.5], 4,000/14,500 on [0.5, 0.9] and the rest on
// [0.9, 1]. K must be at least 3.
func AISBetas(k int) []float64 {
	if k < 3 {
		panic(fmt.Sprintf("rbmstack: AISBetas(%d)", k))
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
	r := &RBM{Vis: Binary, NVis: d, VisBias: make([]float32, d)}
	r.InitVisBias(data)
	return r.VisBias
}

// asDBM views a binary-binary RBM as a one-layer DBM sharing its slices.
func (r *RBM) asDBM() (*DBM, error) {
	if r.Vis != Binary || r.Hid != Binary || r.Labels != 0 {
		return nil, fmt.Errorf("rbmstack: log Z needs a binary-binary RBM without labels, got %s-%s", r.Vis, r.Hid)
	}
	return &DBM{Sizes: []int{r.NVis, r.NHid}, W: [][]float32{r.W}, B: [][]float32{r.VisBias, r.HidBias}}, nil
}

// AIS estimates log Z of a binary-binary RBM by annealed importance
// sampling from the base-rate model (Salakhutdinov & Murray, "On the
// quantitative analysis of deep belief networks", ICML 2008): the
// intermediate distributions are
// p_k(v) ∝ exp((1-beta_k) bA'v + beta_k b'v) prod_j (1 + exp(beta_k (a_j + v'W_j))),
// the hidden units summed out, with Gibbs transitions between them. It is
// the one-layer case of (*DBM).AIS.
func (r *RBM) AIS(cfg AISConfig) (*AISResult, error) {
	d, err := r.asDBM()
	if err != nil {
		return nil, err
	}
	return d.AIS(cfg)
}

// ExactLogZ returns log Z of a binary-binary RBM by enumerating the states
// of its smaller layer (at most 2^24), the other layer summed out.
func (r *RBM) ExactLogZ() (float64, error) {
	d, err := r.asDBM()
	if err != nil {
		return 0, err
	}
	return d.ExactLogZ()
}

// AIS estimates log Z of d by annealed importance sampling (Salakhutdinov
// & Hinton 2009, section 3.2; Salakhutdinov & Murray 2008). The odd layers
// (h^1, h^3, ...) are summed out analytically, so the chains run over the
// even layers x = (v, h^2, ...) only, with
//
//	log p*_k(x) = (1-beta_k) bA'v + beta_k (B[0]'v + sum_{even l>0} B[l]'h^l)
//	            + sum_{odd l} sum_j softplus(beta_k (h^{l-1} W[l-1] + h^{l+1} W[l]' + B[l])_j).
//
// The base model (beta 0) is the base-rate model over v with uniform
// hidden layers, log Z_A = sum_i softplus(bA_i) + log 2 * sum_{l>0} Sizes[l].
// Each run starts from an exact base sample; at step k it adds
// log p*_k(x) - log p*_{k-1}(x) to its log weight, then moves x by one
// Gibbs sweep that leaves p_k invariant (odd layers given x, then even
// layers given the odd ones).
func (d *DBM) AIS(cfg AISConfig) (*AISResult, error) {
	d.validate()
	cfg.EnsureDefaults()
	if err := cfg.Validate(d.Sizes[0]); err != nil {
		return nil, err
	}
	L := d.Layers()
	M := cfg.Runs
	betas := AISBetas(cfg.Betas)
	bA := cfg.BaseVisBias
	if bA == nil {
		bA = make([]float32, d.Sizes[0])
	}
	src := rng.New(cfg.Seed, 0xa15)

	res := &AISResult{}
	for _, b := range bA {
		res.LogZBase += softplus(float64(b))
	}
	for l := 1; l <= L; l++ {
		res.LogZBase += math.Ln2 * float64(d.Sizes[l])
	}

	s := make([]mat.Dense, L+1) // states; odd layers hold samples between steps
	x := make([]mat.Dense, L+1) // odd layers: total input at beta 1; even: scratch
	for l := range s {
		s[l] = mat.New(M, d.Sizes[l])
		x[l] = mat.New(M, d.Sizes[l])
	}
	// Exact draw from the base model.
	pv := x[0]
	for i := 0; i < M; i++ {
		copy(pv.Row(i), bA)
	}
	mat.Sigmoid(pv.Data)
	sampleBernoulli(s[0], pv, src.Uint64())
	for l := 2; l <= L; l += 2 {
		for i := range x[l].Data {
			x[l].Data[i] = 0.5
		}
		sampleBernoulli(s[l], x[l], src.Uint64())
	}

	// dBias[0] = B[0] - bA; even hidden layers use B[l].
	dB0 := make([]float32, d.Sizes[0])
	for i := range dB0 {
		dB0[i] = d.B[0][i] - bA[i]
	}
	mix := make([]float32, d.Sizes[0])
	logw := make([]float64, M)
	bar := progress.New(fmt.Sprintf("ais dbm %s (%d runs)", sizesString(d.Sizes), M), int64(cfg.Betas), "betas")
	for k := 1; k <= cfg.Betas; k++ {
		b0, b1 := betas[k-1], betas[k]
		// Inputs of the odd layers at the current state.
		for l := 1; l <= L; l += 2 {
			d.condInput(l, s, 1, x[l])
		}
		// log p*_k(x) - log p*_{k-1}(x): the even layers' linear terms
		// times (b1-b0), plus the odd layers' softplus differences.
		par.For(M, 16, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				var t float64
				for j, v := range s[0].Row(i) {
					t += float64(v * dB0[j])
				}
				for l := 2; l <= L; l += 2 {
					for j, v := range s[l].Row(i) {
						t += float64(v * d.B[l][j])
					}
				}
				t *= b1 - b0
				for l := 1; l <= L; l += 2 {
					for _, xv := range x[l].Row(i) {
						t += softplus(b1*float64(xv)) - softplus(b0*float64(xv))
					}
				}
				logw[i] += t
			}
		})
		if k == cfg.Betas {
			bar.Add(1)
			break
		}
		// Transition leaving p_k invariant.
		bk := float32(b1)
		for l := 1; l <= L; l += 2 {
			p := x[l]
			mat.Scale(p.Data, bk)
			mat.Sigmoid(p.Data)
			sampleBernoulli(s[l], p, src.Uint64())
		}
		for i := range mix {
			mix[i] = bk*d.B[0][i] + (1-bk)*bA[i]
		}
		for l := 0; l <= L; l += 2 {
			p := x[l]
			if l == 0 {
				mat.Mul(p, s[1], false, d.weights(0), true, bk, 0)
				mat.AddRowVec(p, mix)
			} else {
				d.condInput(l, s, bk, p)
			}
			mat.Sigmoid(p.Data)
			sampleBernoulli(s[l], p, src.Uint64())
		}
		bar.Add(1)
	}
	bar.Finish()
	for i, w := range logw {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%w: AIS run %d has log weight %g", ErrDiverged, i, w)
		}
	}
	res.LogW = logw
	res.LogZ, res.LogZLow, res.LogZHigh = aisSummary(res.LogZBase, logw)
	res.LogWStd, res.ESS = aisSpread(logw)
	return res, nil
}

// aisSummary returns logZA + log mean(w) and the -+3 standard error bounds.
func aisSummary(logZA float64, logw []float64) (est, low, high float64) {
	mx := math.Inf(-1)
	for _, w := range logw {
		mx = math.Max(mx, w)
	}
	var s, s2 float64
	for _, w := range logw {
		e := math.Exp(w - mx)
		s += e
		s2 += e * e
	}
	m := float64(len(logw))
	mean := s / m
	var sd float64
	if m > 1 {
		sd = math.Sqrt(math.Max(0, (s2-m*mean*mean)/(m-1)))
	}
	se3 := 3 * sd / math.Sqrt(m)
	est = logZA + mx + math.Log(mean)
	high = logZA + mx + math.Log(mean+se3)
	low = math.Inf(-1)
	if mean > se3 {
		low = logZA + mx + math.Log(mean-se3)
	}
	return est, low, high
}

// aisSpread returns the standard deviation of the log weights and their
// effective sample size.
func aisSpread(logw []float64) (sd, ess float64) {
	mx := math.Inf(-1)
	var mean float64
	for _, w := range logw {
		mx = math.Max(mx, w)
		mean += w
	}
	mean /= float64(len(logw))
	var s, s2, v float64
	for _, w := range logw {
		e := math.Exp(w - mx)
		s += e
		s2 += e * e
		v += (w - mean) * (w - mean)
	}
	return math.Sqrt(v / float64(len(logw))), s * s / s2
}

// maxExact bounds the states ExactLogZ enumerates.
const maxExact = 24

// ExactLogZ returns log Z of d by enumerating the joint states of the odd
// or of the even layers, whichever are fewer (at most 2^24), with the
// other layers summed out analytically: for enumerated states y,
// log p*(y) = sum_{l in y} B[l]'h^l + sum_{l not in y} sum_j softplus(input_l,j).
// It is the test oracle of AIS.
func (d *DBM) ExactLogZ() (float64, error) {
	d.validate()
	L := d.Layers()
	var nOdd, nEven int
	for l, n := range d.Sizes {
		if l%2 == 1 {
			nOdd += n
		} else {
			nEven += n
		}
	}
	parity, bits := 1, nOdd
	if nEven < nOdd {
		parity, bits = 0, nEven
	}
	if bits > maxExact {
		return 0, fmt.Errorf("rbmstack: exact log Z would enumerate 2^%d states (at most 2^%d)", bits, maxExact)
	}
	h := make([][]float64, L+1)
	for l := range h {
		h[l] = make([]float64, d.Sizes[l])
	}
	terms := make([]float64, 0, 1<<bits)
	for state := 0; state < 1<<bits; state++ {
		bit := 0
		var t float64
		for l := parity; l <= L; l += 2 {
			for j := range h[l] {
				h[l][j] = float64(state >> bit & 1)
				bit++
				t += h[l][j] * float64(d.B[l][j])
			}
		}
		for l := 1 - parity; l <= L; l += 2 {
			for j := range h[l] {
				in := float64(d.B[l][j])
				if l > 0 {
					n := d.Sizes[l]
					for i, x := range h[l-1] {
						in += x * float64(d.W[l-1][i*n+j])
					}
				}
				if l < L {
					w := d.W[l][j*d.Sizes[l+1] : (j+1)*d.Sizes[l+1]]
					for k, x := range h[l+1] {
						in += x * float64(w[k])
					}
				}
				t += softplus(in)
			}
		}
		terms = append(terms, t)
	}
	return logSumExp(terms), nil
}

func logSumExp(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}
