package dbm

import (
	"fmt"
	"math"
)

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

// newAISResult summarises the log weights of runs from a base model of
// log partition function logZA.
func newAISResult(logZA float64, logw []float64) *AISResult {
	mx := math.Inf(-1)
	var mean float64
	for _, w := range logw {
		mx = math.Max(mx, w)
		mean += w
	}
	m := float64(len(logw))
	mean /= m
	var s, s2, v float64
	for _, w := range logw {
		e := math.Exp(w - mx)
		s += e
		s2 += e * e
		v += (w - mean) * (w - mean)
	}
	r := &AISResult{LogZBase: logZA, LogW: logw, LogWStd: math.Sqrt(v / m), ESS: s * s / s2}
	mw := s / m
	var sd float64
	if m > 1 {
		sd = math.Sqrt(math.Max(0, (s2-m*mw*mw)/(m-1)))
	}
	se3 := 3 * sd / math.Sqrt(m)
	r.LogZ = logZA + mx + math.Log(mw)
	r.LogZHigh = logZA + mx + math.Log(mw+se3)
	r.LogZLow = math.Inf(-1)
	if mw > se3 {
		r.LogZLow = logZA + mx + math.Log(mw-se3)
	}
	return r
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
		return 0, fmt.Errorf("dbm: exact log Z would enumerate 2^%d states (at most 2^%d)", bits, maxExact)
	}
	h := make([][]float64, len(d.Sizes))
	for l := range h {
		h[l] = make([]float64, d.Sizes[l])
	}
	terms := make([]float64, 0, 1<<bits)
	for state := 0; state < 1<<bits; state++ {
		terms = append(terms, d.logPStar(h, parity, state))
	}
	return logSumExp(terms), nil
}

// logPStar sets the layers of the given parity in h to the bits of state
// and returns log p* of that state, the other layers summed out.
func (d *DBM) logPStar(h [][]float64, parity, state int) float64 {
	L := d.Layers()
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
	return t
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
