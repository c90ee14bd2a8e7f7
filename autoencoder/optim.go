package autoencoder

import (
	"math"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

func (t *Trainer) adamBatch(rows []int, lr float32) float64 {
	t.fill(rows)
	loss := t.Net.LossGrad(&t.ws, t.grad)
	t.tieGrad()
	t.step++
	t.adam(lr)
	t.tieParams()
	return loss
}

// sgdBatch applies one step of gradient descent with momentum and L2
// weight decay on the weights: v = mom*v - lr*(g + wd*w); p += v.
func (t *Trainer) sgdBatch(rows []int, lr float32) float64 {
	t.fill(rows)
	loss := t.Net.LossGrad(&t.ws, t.grad)
	t.tieGrad()
	t.decay()
	t.freeze()
	mom := t.Cfg.MomentumAt(t.epoch)
	p, g, v := t.Net.Params, t.grad, t.m
	par.For(len(p), 1<<15, func(lo, hi int) {
		p, g, v := p[lo:hi], g[lo:hi], v[lo:hi]
		for i := range p {
			v[i] = mom*v[i] - lr*g[i]
			p[i] += v[i]
		}
	})
	t.tieParams()
	return loss
}

// freeze zeroes the gradient of every layer below the last while the
// epoch is one of Config.TopFirstEpochs.
func (t *Trainer) freeze() {
	if t.epoch >= t.Cfg.TopFirstEpochs {
		return
	}
	last := t.Net.Layers[len(t.Net.Layers)-1]
	clear(t.grad[:len(t.grad)-len(last.W)-len(last.B)])
}

// decay adds the L2 weight-decay gradient wd*w to the weights' gradients.
func (t *Trainer) decay() {
	wd := t.Cfg.WeightDecay
	if wd <= 0 {
		return
	}
	off := 0
	for _, l := range t.Net.Layers {
		mat.Axpy(wd, t.Net.Params[off:off+len(l.W)], t.grad[off:off+len(l.W)])
		off += len(l.W) + len(l.B)
	}
}

// adam applies one Adam update at rate lr (Kingma & Ba 2015, Algorithm 1)
// with L2 weight decay added to the weight gradients.
func (t *Trainer) adam(lr float32) {
	const b1, b2 = 0.9, 0.999 // mat.Adam's
	c1 := 1 - math.Pow(b1, float64(t.step))
	c2 := 1 - math.Pow(b2, float64(t.step))
	lr = float32(float64(lr) * math.Sqrt(c2) / c1)
	t.decay()
	t.freeze()
	p, g, m, v := t.Net.Params, t.grad, t.m, t.v
	par.For(len(p), 1<<15, func(lo, hi int) {
		mat.Adam(p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], lr)
	})
}
