package dbn

import (
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// Sample draws samples with label c clamped: `count` persistent chains in
// the top memory, gibbs alternating Gibbs steps before each sample is taken,
// then a top-down pass of generative probabilities. It returns `samples`
// rounds of `count` images each, as rows of one matrix.
func (d *DBN) Sample(c, count, samples, gibbs int, seed uint64) *mat.Dense {
	t := d.Top
	nb := t.NVis - t.Labels
	src := rng.New(seed, uint64(c)+11)
	v := mat.New(count, t.NVis)
	h := mat.New(count, t.NHid)
	for i := range v.Data {
		if src.Float64() < 0.5 {
			v.Data[i] = 1
		}
	}
	clamp := func() {
		for i := 0; i < count; i++ {
			row := v.Row(i)
			clear(row[nb:])
			row[nb+c] = 1
		}
	}
	out := mat.NewDense(samples*count, d.widthBelow(0), nil)
	for s := 0; s < samples; s++ {
		for g := 0; g < gibbs; g++ {
			clamp()
			t.HidMeans(v, nil, h)
			rbm.SampleBernoulli(h, h, src.Uint64())
			t.VisMeans(h, v)
			rbm.SampleBernoulli(v, v, src.Uint64())
		}
		clamp()
		cur := mat.New(count, nb)
		for i := 0; i < count; i++ {
			copy(cur.Row(i), v.Row(i)[:nb])
		}
		for l := len(d.Gen) - 1; l >= 0; l-- {
			below := mat.New(count, d.Gen[l].NVis)
			d.Gen[l].VisMeans(cur, below)
			if l > 0 {
				rbm.SampleBernoulli(below, below, src.Uint64())
			}
			cur = below
		}
		copy(out.Data[s*count*cur.Cols:], cur.Data)
	}
	return out
}
