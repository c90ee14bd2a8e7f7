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
