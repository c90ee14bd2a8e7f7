package autoencoder

import (
	"math"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Workspace holds the activations and deltas of one minibatch; reuse one
// per goroutine so that steady-state training allocates nothing.
type Workspace struct {
	acts   []mat.Dense // acts[0] = prepared input, acts[l+1] = output of layer l
	deltas []mat.Dense // deltas[l] = dLoss/d(pre-activation of layer l)
	target mat.Dense
	// noise, when not empty, is added to the code layer's input (rows x
	// code width): the trainer's deterministic code noise.
	noise   []float32
	rowLoss []float64 // LossGrad's per-row losses
}

func (n *Net) ensure(ws *Workspace, rows int) {
	if len(ws.acts) != len(n.Layers)+1 {
		ws.acts = make([]mat.Dense, len(n.Layers)+1)
		ws.deltas = make([]mat.Dense, len(n.Layers))
	}
	ws.acts[0] = ws.acts[0].Resize(rows, n.Layers[0].In)
	for i, l := range n.Layers {
		ws.acts[i+1] = ws.acts[i+1].Resize(rows, l.Out)
		ws.deltas[i] = ws.deltas[i].Resize(rows, l.Out)
	}
	ws.target = ws.target.Resize(rows, n.Layers[len(n.Layers)-1].Out)
}

// prepare weighs input rows in place with InputWeights when set, then
// rescales them when InputLen > 0.
func (n *Net) prepare(x mat.Dense) {
	if w := n.InputWeights; w != nil {
		for i := 0; i < x.Rows; i++ {
			r := x.Row(i)
			for j, v := range r {
				if v != 0 {
					r[j] = Weigh(v, w[j])
				}
			}
		}
	}
	if n.InputLen <= 0 {
		return
	}
	for i := 0; i < x.Rows; i++ {
		r := x.Row(i)
		var s float32
		for _, v := range r {
			s += v
		}
		if s > 0 {
			mat.Scale(r, n.InputLen/s)
		}
	}
}

// forward runs layers [0, upto) on ws.acts[0] (already prepared).
func (n *Net) forward(ws *Workspace, upto int) {
	for i := 0; i < upto; i++ {
		l := n.Layers[i]
		out := ws.acts[i+1]
		mat.Mul(out, ws.acts[i], false, mat.View(l.In, l.Out, l.W), false, 1, 0)
		mat.AddRowVec(out, l.B)
		if i == n.Code && len(ws.noise) == len(out.Data) {
			mat.Axpy(1, ws.noise, out.Data)
		}
		switch l.Act {
		case Sigmoid:
			mat.Sigmoid(out.Data)
		case Softmax:
			mat.SoftmaxRows(out)
		}
	}
}

// lossOf returns the summed loss of output y against target t.
func lossOf(loss Loss, y, t []float32) float64 {
	var s float64
	switch loss {
	case SoftmaxCE:
		for j, tj := range t {
			if tj != 0 {
				s -= float64(tj) * math.Log(max(float64(y[j]), 1e-30))
			}
		}
	case LogisticCE:
		// A term whose weight is 0 is left out rather than computed as 0
		// times a logarithm: the same sum (yj is clamped, so the logarithm
		// is finite and the term a signed zero), with a third of the
		// logarithms on MNIST, whose pixels are mostly 0.
		for j, tj := range t {
			yj := min(max(float64(y[j]), 1e-7), 1-1e-7)
			var a, b float64
			if tj != 0 {
				a = float64(tj) * math.Log(yj)
			}
			if tj != 1 {
				b = (1 - float64(tj)) * math.Log(1-yj)
			}
			s -= a + b
		}
	default:
		for j, tj := range t {
			d := float64(y[j] - tj)
			s += 0.5 * d * d
		}
	}
	return s
}

// LossGrad computes the mean loss over the rows of ws's input and target
// (filled by a Batcher) and, when grad is not nil, writes its gradient with
// respect to Params into grad.
func (n *Net) LossGrad(ws *Workspace, grad []float32) float64 {
	L := len(n.Layers)
	n.forward(ws, L)
	y, t := ws.acts[L], ws.target
	B := y.Rows
	// Each row's loss on the cores, summed in row order: the same sum as
	// one loop's.
	if cap(ws.rowLoss) < B {
		ws.rowLoss = make([]float64, B)
	}
	rowLoss := ws.rowLoss[:B]
	par.Rows(B, y.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			rowLoss[i] = lossOf(n.Loss, y.Row(i), t.Row(i))
		}
	})
	var loss float64
	for _, l := range rowLoss {
		loss += l
	}
	loss /= float64(B)
	if grad == nil {
		return loss
	}
	inv := 1 / float32(B)
	dl := ws.deltas[L-1].Data
	par.For(len(dl), par.Grain, func(lo, hi int) { mat.Sub(dl[lo:hi], y.Data[lo:hi], t.Data[lo:hi]) })
	off := len(n.Params)
	for l := L - 1; l >= 0; l-- {
		ly := n.Layers[l]
		off -= ly.In*ly.Out + ly.Out
		gW := mat.View(ly.In, ly.Out, grad[off:off+ly.In*ly.Out])
		gB := grad[off+ly.In*ly.Out : off+ly.In*ly.Out+ly.Out]
		d := ws.deltas[l]
		mat.Mul(gW, ws.acts[l], true, d, false, inv, 0)
		mat.ColSumsTo(gB, d, inv, 0)
		if l == 0 {
			break
		}
		prev := ws.deltas[l-1]
		mat.Mul(prev, d, false, mat.View(ly.In, ly.Out, ly.W), true, 1, 0)
		if n.Layers[l-1].Act == Sigmoid {
			a := ws.acts[l].Data
			par.For(len(a), par.Grain, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					v := a[i]
					prev.Data[i] *= v * (1 - v)
				}
			})
		}
	}
	return loss
}

// Input returns the workspace's input matrix for rows cases, to be filled
// by the caller before LossGrad; Target likewise.
func (n *Net) Input(ws *Workspace, rows int) mat.Dense {
	n.ensure(ws, rows)
	return ws.acts[0]
}

// Target returns the workspace's target matrix (valid after Input).
func (n *Net) Target(ws *Workspace) mat.Dense { return ws.target }

// Output returns the output of the last layer after LossGrad or Forward.
func (n *Net) Output(ws *Workspace) mat.Dense { return ws.acts[len(n.Layers)] }

// Forward fills ws from the raw rows x (copied, prepared) and runs the
// layers up to and including layer upto; it returns that layer's output,
// aliasing ws.
func (n *Net) Forward(ws *Workspace, x mat.Dense, upto int) mat.Dense {
	in := n.Input(ws, x.Rows)
	copy(in.Data, x.Data)
	n.prepare(in)
	n.forward(ws, upto+1)
	return ws.acts[upto+1]
}
