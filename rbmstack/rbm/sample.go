package rbm

import (
	"sync"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// rowBlock is the number of rows that share one random stream.
const rowBlock = 8

// SampleBernoulli sets dst[i] to 1 with probability p[i], 0 otherwise; dst
// may alias p. Rows are drawn in parallel, each block of 8 rows from its
// own stream derived from seed, so the result depends on seed alone.
func SampleBernoulli(dst, p mat.Dense, seed uint64) {
	par.Blocks(p.Rows, rowBlock, func(b, lo, hi int) {
		rng.Derive(seed, uint64(b)).Bernoulli(dst.Data[lo*p.Cols:hi*p.Cols], p.Data[lo*p.Cols:hi*p.Cols])
	})
}

func addNoise(m mat.Dense, seed uint64) {
	par.Blocks(m.Rows, rowBlock, func(b, lo, hi int) {
		rng.Derive(seed, uint64(b)).AddNorm(m.Data[lo*m.Cols : hi*m.Cols])
	})
}

// SampleHid writes a sample of the hidden units given their means: binary
// states, or the means plus N(0, 1) noise for Linear units.
func (r *RBM) SampleHid(dst, mean mat.Dense, seed uint64) {
	if r.Hid == Linear {
		copy(dst.Data, mean.Data)
		addNoise(dst, seed)
		return
	}
	SampleBernoulli(dst, mean, seed)
}

// SampleVis writes a sample of the visible units given their means. For
// Softmax units n[i] words are drawn for row i (when draw is set) and the
// result holds counts; when draw is false the means are scaled to n[i]
// expected counts. With Labels, the label group draws one class.
func (r *RBM) SampleVis(dst, mean mat.Dense, n []float32, draw bool, seed uint64) {
	if r.Labels > 0 {
		r.sampleVisLabels(dst, mean, seed)
		return
	}
	switch r.Vis {
	case Binary:
		SampleBernoulli(dst, mean, seed)
	case Linear:
		if &dst.Data[0] != &mean.Data[0] {
			copy(dst.Data, mean.Data)
		}
		addNoise(dst, seed)
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
		sampleMultinomial(dst, mean, n, seed)
	}
}

var cumPool sync.Pool

func sampleMultinomial(dst, p mat.Dense, n []float32, seed uint64) {
	par.Blocks(p.Rows, rowBlock, func(b, lo, hi int) {
		cp, _ := cumPool.Get().(*[]float32)
		if cp == nil || len(*cp) < p.Cols {
			s := make([]float32, p.Cols)
			cp = &s
		}
		src := rng.Derive(seed, uint64(b))
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
func (r *RBM) sampleVisLabels(dst, mean mat.Dense, seed uint64) {
	nb := r.NVis - r.Labels
	par.Blocks(mean.Rows, rowBlock, func(b, lo, hi int) {
		src := rng.Derive(seed, uint64(b))
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
