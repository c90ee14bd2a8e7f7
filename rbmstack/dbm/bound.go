package dbm

import (
	"math"

	"github.com/docsearch/docsearch/rbmstack/mat"
)

// LogProbBound returns the mean over the cases of data (binary vectors) of
// the variational lower bound on log p(v) with the mean-field posterior q
// (Salakhutdinov & Hinton 2009, eq. 6):
//
//	log p(v) >= sum_h q(h) log p*(v, h) + H(q) - log Z
//	          = B[0]'v + sum_l B[l]'mu^l + sum_l mu^l' W[l] mu^{l+1} + H(q) - logZ,
//
// with mu^0 = v and H(q) = -sum mu log mu + (1-mu) log(1-mu). logZ is an
// estimate (AIS) or the exact value.
func (d *DBM) LogProbBound(data mat.Matrix, logZ float64, iters int) float64 {
	n, _ := data.Dims()
	if n == 0 {
		return math.NaN()
	}
	L := d.Layers()
	var total float64
	var prod mat.Dense
	d.forBlocks(data, iters, func(lo int, v mat.Dense, mu []mat.Dense) {
		layer := func(l int) mat.Dense {
			if l == 0 {
				return v
			}
			return mu[l-1]
		}
		for l := 0; l <= L; l++ {
			m := layer(l)
			for i := 0; i < m.Rows; i++ {
				var s float64
				for j, x := range m.Row(i) {
					s += float64(x * d.B[l][j])
					if l > 0 {
						s += entropy(x)
					}
				}
				total += s
			}
			if l == L {
				continue
			}
			up := layer(l + 1)
			prod = prod.Resize(m.Rows, up.Cols)
			mat.Mul(prod, m, false, d.weights(l), false, 1, 0)
			for i, x := range prod.Data {
				total += float64(x * up.Data[i])
			}
		}
	})
	return total/float64(n) - logZ
}

// entropy returns the entropy in nats of a Bernoulli(p) unit.
func entropy(p float32) float64 {
	q := float64(p)
	var h float64
	if q > 0 {
		h -= q * math.Log(q)
	}
	if q < 1 {
		h -= (1 - q) * math.Log1p(-q)
	}
	return h
}
