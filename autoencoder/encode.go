package autoencoder

import (
	"fmt"

	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Encode returns the code-layer outputs of every case of data.
func (n *Net) Encode(data mat.Matrix) *mat.Dense {
	if n.Code < 0 {
		panic("autoencoder: Encode on a net without a code layer")
	}
	return n.Activations(data, n.Code)
}

// Activations returns the outputs of layer `layer` for every case of data.
func (n *Net) Activations(data mat.Matrix, layer int) *mat.Dense {
	N, d := data.Dims()
	if d != n.Layers[0].In {
		panic(fmt.Sprintf("autoencoder: data has %d columns, the net %d inputs", d, n.Layers[0].In))
	}
	w := n.Layers[layer].Out
	out := mat.NewDense(N, w, nil)
	var ws Workspace
	mat.EachBlock(data, 500, func(lo int, x mat.Dense) {
		copy(out.Data[lo*w:], n.Forward(&ws, x, layer).Data)
	})
	return out
}

// EncodeSparse returns the code of one input row given by its non-zero
// entries (idx strictly increasing, val the values), as Encode computes it
// for that row but in time proportional to the entries rather than to the
// input width: the first layer adds up the weight rows of the present
// inputs, and the layers above multiply one vector. The sums run in
// another order than Encode's matrix products, so the two agree to float32
// rounding, not bit for bit. It is what a search does with one query.
func (n *Net) EncodeSparse(idx []int32, val []float32) []float32 {
	if n.Code < 0 {
		panic("autoencoder: EncodeSparse on a net without a code layer")
	}
	if len(idx) != len(val) {
		panic(fmt.Sprintf("autoencoder: EncodeSparse: %d indices, %d values", len(idx), len(val)))
	}
	if w := n.InputWeights; w != nil {
		weighted := make([]float32, len(val))
		for k, j := range idx {
			if int(j) >= 0 && int(j) < len(w) {
				weighted[k] = Weigh(val[k], w[j])
			}
		}
		val = weighted
	}
	scale := float32(1)
	if n.InputLen > 0 {
		var s float32
		for _, v := range val {
			s += v
		}
		if s > 0 {
			scale = n.InputLen / s
		}
	}
	l0 := n.Layers[0]
	h := append([]float32(nil), l0.B...)
	for k, j := range idx {
		if int(j) < 0 || int(j) >= l0.In {
			panic(fmt.Sprintf("autoencoder: EncodeSparse: input %d outside [0, %d)", j, l0.In))
		}
		mat.Axpy(scale*val[k], l0.W[int(j)*l0.Out:(int(j)+1)*l0.Out], h)
	}
	activate(l0.Act, h)
	for _, l := range n.Layers[1 : n.Code+1] {
		out := append([]float32(nil), l.B...)
		for i, x := range h {
			if x != 0 {
				mat.Axpy(x, l.W[i*l.Out:(i+1)*l.Out], out)
			}
		}
		activate(l.Act, out)
		h = out
	}
	return h
}

// activate applies a layer's activation to one row.
func activate(a Act, x []float32) {
	switch a {
	case Sigmoid:
		mat.Sigmoid(x)
	case Softmax:
		mat.SoftmaxRows(mat.View(1, len(x), x))
	}
}
