package autoencoder

import (
	"errors"

	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

// Unroll builds the autoencoder of a stack: encoder layers with the RBMs'
// weights and hidden biases, decoder layers with their transposes and
// visible biases. A Softmax bottom layer gives SoftmaxCE and rescaled
// inputs (its hidden bias, multiplied by DocLen, becomes the first bias);
// Binary gives LogisticCE; Linear gives Squared.
func Unroll(s *stack.Stack) (*Net, error) {
	L := len(s.Layers)
	if L == 0 {
		return nil, errors.New("autoencoder: empty stack")
	}
	bottom := s.Layers[0]
	var loss Loss
	switch bottom.Vis {
	case rbm.Softmax:
		loss = SoftmaxCE
		if bottom.DocLen <= 0 {
			return nil, errors.New("autoencoder: a softmax bottom layer must use a fixed DocLen to unroll")
		}
	case rbm.Binary:
		loss = LogisticCE
	default:
		loss = Squared
	}
	sizes := s.Sizes()
	var all []int
	var acts []Act
	all = append(all, sizes...)
	for i := L - 1; i >= 0; i-- {
		all = append(all, sizes[i])
	}
	for _, r := range s.Layers {
		if r.Hid == rbm.Linear {
			acts = append(acts, Linear)
		} else {
			acts = append(acts, Sigmoid)
		}
	}
	for i := L - 1; i >= 0; i-- {
		switch s.Layers[i].Vis {
		case rbm.Binary:
			acts = append(acts, Sigmoid)
		case rbm.Softmax:
			acts = append(acts, Softmax)
		default:
			acts = append(acts, Linear)
		}
	}
	n, err := New(all, acts, loss, 0, 0)
	if err != nil {
		return nil, err
	}
	n.Code = L - 1
	if loss == SoftmaxCE {
		n.InputLen = bottom.DocLen
	}
	for i, r := range s.Layers {
		enc := n.Layers[i]
		copy(enc.W, r.W)
		copy(enc.B, r.HidBias)
		if i == 0 && r.Vis == rbm.Softmax {
			mat.Scale(enc.B, r.DocLen)
		}
		dec := n.Layers[2*L-1-i]
		// dec.W is NHid x NVis = r.W transposed.
		for a := 0; a < r.NVis; a++ {
			for b := 0; b < r.NHid; b++ {
				dec.W[b*r.NVis+a] = r.W[a*r.NHid+b]
			}
		}
		copy(dec.B, r.VisBias)
	}
	return n, nil
}
