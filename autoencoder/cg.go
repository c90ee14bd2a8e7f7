package autoencoder

import (
	"math"

	"gonum.org/v1/gonum/optimize"
)

// CGEvaluations bounds the function evaluations of one CG line search
// (Rasmussen's minimize.m, which the Science paper used, allows 20).
const CGEvaluations = 20

// cgBatch minimises the loss on one minibatch with LineSearches iterations
// of nonlinear conjugate gradients (gonum/optimize CG, Hager-Zhang line
// search), as the Science paper's minimize.m with 3 line searches.
func (t *Trainer) cgBatch(rows []int) float64 {
	t.fill(rows)
	n := t.Net
	x0 := make([]float64, len(n.Params))
	for i, v := range n.Params {
		x0[i] = float64(v)
	}
	var lastX []float64
	var lastF float64
	lastG := make([]float64, len(x0))
	eval := func(x []float64) {
		if lastX != nil && equal(lastX, x) {
			return
		}
		for i, v := range x {
			n.Params[i] = float32(v)
		}
		f := n.LossGrad(&t.ws, t.grad)
		if wd := t.Cfg.WeightDecay; wd > 0 {
			off := 0
			for _, l := range n.Layers {
				for i := off; i < off+len(l.W); i++ {
					w := n.Params[i]
					f += 0.5 * float64(wd) * float64(w*w)
					t.grad[i] += wd * w
				}
				off += len(l.W) + len(l.B)
			}
		}
		t.freeze()
		for i, g := range t.grad {
			lastG[i] = float64(g)
		}
		lastF = f
		lastX = append(lastX[:0], x...)
	}
	start := math.NaN()
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			eval(x)
			if math.IsNaN(start) {
				start = lastF
			}
			return lastF
		},
		Grad: func(g, x []float64) { eval(x); copy(g, lastG) },
	}
	// At most CGEvaluations function evaluations a line search, as
	// minimize.m's MAX: near a zero loss Hager-Zhang's search can
	// otherwise evaluate for minutes on one minibatch (seen on the MNIST
	// classifier once its training loss fell below 1e-6).
	settings := &optimize.Settings{MajorIterations: t.Cfg.LineSearches, FuncEvaluations: CGEvaluations * t.Cfg.LineSearches,
		Converger: &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 1 << 30}}
	res, err := optimize.Minimize(p, x0, settings, &optimize.CG{})
	best := x0
	if res != nil && !math.IsNaN(res.F) && (err == nil || res.F <= start) {
		best = res.X
	}
	for i, v := range best {
		n.Params[i] = float32(v)
	}
	return start
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
