package dbm

import (
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// step performs one update on the listed rows at rate lr and returns the
// summed squared reconstruction error of the minibatch.
func (t *Trainer) step(rows []int, lr float32) float64 {
	d, c := t.D, &t.Cfg
	L := d.Layers()
	B := len(rows)
	v := t.v.Resize(B, d.Sizes[0])
	t.data.DenseRowsTo(v.Data, rows)
	rbm.SampleBernoulli(v, v, t.src.Uint64())
	mu := t.muB
	for l := range mu {
		mu[l] = t.mu[l].Resize(B, d.Sizes[l+1])
	}
	d.meanField(v, mu, c.MeanField, &t.ws)
	recon := t.reconError(v, mu[0])

	// Data-dependent statistics from the mean-field posteriors.
	layer := func(l int) mat.Dense {
		if l == 0 {
			return v
		}
		return mu[l-1]
	}
	invB := 1 / float32(B)
	for l := 0; l <= L; l++ {
		mat.ColSumsTo(t.gradB[l], layer(l), invB, 0)
		if l < L {
			mat.Mul(t.gradW[l], layer(l), true, layer(l+1), false, invB, 0)
		}
	}

	// Model statistics from the persistent chains: states of the odd
	// layers, conditional probabilities of the even ones.
	d.gibbs(t.chain, t.chainP, c.Gibbs, t.src)
	neg := func(l int) mat.Dense {
		if l%2 == 0 {
			return t.chainP[l]
		}
		return t.chain[l]
	}
	invM := 1 / float32(c.Particles)
	for l := 0; l <= L; l++ {
		mat.ColSumsTo(t.gradB[l], neg(l), -invM, 1)
		if l < L {
			mat.Mul(t.gradW[l], neg(l), true, neg(l+1), false, -invM, 1)
		}
	}
	for l := 0; l <= L; l++ {
		c.Ascend(d.B[l], t.incB[l], t.gradB[l], t.epoch, lr, false)
		if l < L {
			c.Ascend(d.W[l], t.incW[l], t.gradW[l].Data, t.epoch, lr, true)
		}
	}
	return recon
}

// reconError returns the summed squared error between the binary data v
// and sigmoid(mu1 W[0]' + B[0]), for monitoring only.
func (t *Trainer) reconError(v, mu1 mat.Dense) float64 {
	d := t.D
	rec := t.recon.Resize(v.Rows, d.Sizes[0])
	mat.Mul(rec, mu1, false, d.weights(0), true, 1, 0)
	mat.AddRowVec(rec, d.B[0])
	mat.Sigmoid(rec.Data)
	var recon float64
	for i, x := range v.Data {
		e := float64(x - rec.Data[i])
		recon += e * e
	}
	return recon
}

// gibbs runs sweeps of block Gibbs sampling on the states s[0..L]: each
// sweep draws the even layers given the odd ones, then the odd layers given
// the even ones. p[l] is scratch of the shape of s[l]. On return p[l] holds,
// for every even l, p(h^l = 1 | odd layers): conditional expectations that
// give lower-variance statistics than the even states themselves.
func (d *DBM) gibbs(s, p []mat.Dense, sweeps int, src *rng.Source) {
	L := d.Layers()
	for sw := 0; sw < sweeps; sw++ {
		for parity := 0; parity < 2; parity++ {
			for l := parity; l <= L; l += 2 {
				d.condInput(l, s, 1, p[l])
				mat.Sigmoid(p[l].Data)
				rbm.SampleBernoulli(s[l], p[l], src.Uint64())
			}
		}
	}
	for l := 0; l <= L; l += 2 {
		d.condInput(l, s, 1, p[l])
		mat.Sigmoid(p[l].Data)
	}
}
