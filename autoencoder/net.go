package autoencoder

import (
	"fmt"
	"math"
	"slices"

	"github.com/docsearch/docsearch/internal/rng"
)

// Act is a layer's activation function.
type Act uint8

const (
	Sigmoid Act = iota
	Linear
	Softmax
)

func (a Act) String() string {
	switch a {
	case Sigmoid:
		return "sigmoid"
	case Linear:
		return "linear"
	case Softmax:
		return "softmax"
	}
	return fmt.Sprintf("Act(%d)", uint8(a))
}

// Loss is the training objective, matched to the output activation.
type Loss uint8

const (
	SoftmaxCE Loss = iota
	LogisticCE
	Squared
)

func (l Loss) String() string {
	switch l {
	case SoftmaxCE:
		return "softmax-cross-entropy"
	case LogisticCE:
		return "logistic-cross-entropy"
	case Squared:
		return "squared-error"
	}
	return fmt.Sprintf("Loss(%d)", uint8(l))
}

func (l Loss) output() Act {
	switch l {
	case SoftmaxCE:
		return Softmax
	case LogisticCE:
		return Sigmoid
	}
	return Linear
}

// Layer is one affine map and activation; W (In x Out) and B (Out) alias
// the owning Net's Params.
type Layer struct {
	In, Out int
	Act     Act
	W, B    []float32
}

// Net is a feed-forward network. See the package documentation.
type Net struct {
	Layers []Layer
	Loss   Loss
	// InputWeights, when not nil, weighs the inputs before anything else:
	// input j becomes Weigh(x_j, InputWeights[j]), the log(1+tf) x idf
	// weighting of word counts (one weight per input).
	InputWeights []float32
	// InputLen > 0 rescales each input row to sum InputLen (after
	// InputWeights).
	InputLen float32
	// Code is the index of the layer whose output is the code (Encode);
	// -1 for a plain classifier.
	Code   int
	Params []float32
}

// New returns a net with layer widths sizes (len(acts) = len(sizes)-1),
// weights from N(0, std^2) using seed and zero biases. The last activation
// must match loss.
func New(sizes []int, acts []Act, loss Loss, std float32, seed uint64) (*Net, error) {
	if len(sizes) < 2 || len(acts) != len(sizes)-1 {
		return nil, fmt.Errorf("autoencoder: %d sizes need %d activations, got %d", len(sizes), len(sizes)-1, len(acts))
	}
	for i, s := range sizes {
		if s < 1 {
			return nil, fmt.Errorf("autoencoder: layer size %d is %d", i, s)
		}
	}
	if acts[len(acts)-1] != loss.output() {
		return nil, fmt.Errorf("autoencoder: loss %s needs a %s output layer, got %s", loss, loss.output(), acts[len(acts)-1])
	}
	n := &Net{Loss: loss, Code: -1}
	total := 0
	for i := 0; i+1 < len(sizes); i++ {
		total += sizes[i]*sizes[i+1] + sizes[i+1]
	}
	n.Params = make([]float32, total)
	off := 0
	for i := 0; i+1 < len(sizes); i++ {
		in, out := sizes[i], sizes[i+1]
		l := Layer{In: in, Out: out, Act: acts[i]}
		l.W = n.Params[off : off+in*out : off+in*out]
		off += in * out
		l.B = n.Params[off : off+out : off+out]
		off += out
		n.Layers = append(n.Layers, l)
	}
	src := rng.New(seed, 0xae)
	for _, l := range n.Layers {
		for i := range l.W {
			l.W[i] = float32(src.Norm()) * std
		}
	}
	return n, nil
}

// InitGlorot draws every weight from the uniform distribution of Glorot &
// Bengio (2010), +-sqrt(6/(in+out)), times 4 for sigmoid layers as they
// recommend, and zeroes the biases: the fair starting point for a deep net
// trained without pretraining.
func (n *Net) InitGlorot(seed uint64) {
	src := rng.New(seed, 0x610)
	for _, l := range n.Layers {
		r := math.Sqrt(6 / float64(l.In+l.Out))
		if l.Act == Sigmoid {
			r *= 4
		}
		for i := range l.W {
			l.W[i] = float32((2*src.Float64() - 1) * r)
		}
		clear(l.B)
	}
}

// Sizes returns the layer widths from input to output.
func (n *Net) Sizes() []int {
	s := []int{n.Layers[0].In}
	for _, l := range n.Layers {
		s = append(s, l.Out)
	}
	return s
}

// Weigh returns the weighted input of a count x of weight w: ln(1 + x) * w.
func Weigh(x, w float32) float32 { return float32(math.Log1p(float64(x))) * w }

// Clone returns a deep copy of n.
func (n *Net) Clone() *Net {
	sizes := n.Sizes()
	acts := make([]Act, len(n.Layers))
	for i, l := range n.Layers {
		acts[i] = l.Act
	}
	c, err := New(sizes, acts, n.Loss, 0, 0)
	if err != nil {
		panic(err)
	}
	copy(c.Params, n.Params)
	c.InputLen, c.Code = n.InputLen, n.Code
	c.InputWeights = slices.Clone(n.InputWeights)
	return c
}

// CodeSize returns the width of the code layer (0 without one).
func (n *Net) CodeSize() int {
	if n.Code < 0 {
		return 0
	}
	return n.Layers[n.Code].Out
}
