// Package stack trains greedy stacks of restricted Boltzmann machines
// (Hinton & Salakhutdinov, Science 2006): each layer's hidden means on the
// whole data set are the next layer's data. A stack is the pretraining of
// the document autoencoder (replicated-softmax bottom, binary middle
// layers, a linear code layer), of the MNIST autoencoder and deep nets,
// and (with doubled inputs, package dbm) of a deep Boltzmann machine.
//
// A Trainer keeps the rbmstack.Trainer contract; its state holds the
// finished layers and the state of the layer under way, so a killed run
// resumes to the stack an uninterrupted run makes.
package stack

import (
	"fmt"

	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// Stack is a greedily trained stack of RBMs; layer i's hidden units are
// layer i+1's visible units.
type Stack struct {
	Layers []*rbm.RBM
}

// Sizes returns the layer widths from the visible layer up.
func (s *Stack) Sizes() []int {
	if len(s.Layers) == 0 {
		return nil
	}
	out := []int{s.Layers[0].NVis}
	for _, r := range s.Layers {
		out = append(out, r.NHid)
	}
	return out
}

// Transform propagates data up through the first `layers` layers of s
// (hidden means) and returns the top layer's values.
func (s *Stack) Transform(data mat.Matrix, layers int) *mat.Dense {
	if layers < 1 || layers > len(s.Layers) {
		panic(fmt.Sprintf("stack: Transform through %d of %d layers", layers, len(s.Layers)))
	}
	var out *mat.Dense
	cur := data
	for i := 0; i < layers; i++ {
		out = s.Layers[i].Transform(cur)
		cur = out
	}
	return out
}

// MarshalBinary encodes the stack (rbm.MarshalLayers).
func (s *Stack) MarshalBinary() ([]byte, error) { return rbm.MarshalLayers(s.Layers), nil }

// UnmarshalBinary decodes data written by MarshalBinary. Damaged data give
// an error wrapping rbmstack.ErrCorrupt or rbmstack.ErrVersion, never a
// panic.
func (s *Stack) UnmarshalBinary(data []byte) error {
	layers, err := rbm.UnmarshalLayers(data)
	if err != nil {
		return err
	}
	s.Layers = layers
	return nil
}
