package autoencoder

import (
	"errors"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
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
	// InputLen > 0 rescales each input row to sum InputLen.
	InputLen float32
	// Code is the index of the layer whose output is the code (Encode);
	// -1 for a plain classifier.
	Code   int
	Params []float32
}

// ErrDiverged is returned when fine-tuning produces NaN or infinities.
var ErrDiverged = errors.New("autoencoder: training diverged")

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
	return c
}

// Unroll builds the autoencoder of a stack: encoder layers with the RBMs'
// weights and hidden biases, decoder layers with their transposes and
// visible biases. A Softmax bottom layer gives SoftmaxCE and rescaled
// inputs (its hidden bias, multiplied by DocLen, becomes the first bias);
// Binary gives LogisticCE; Linear gives Squared.
func Unroll(s *rbmstack.Stack) (*Net, error) {
	L := len(s.Layers)
	if L == 0 {
		return nil, errors.New("autoencoder: empty stack")
	}
	bottom := s.Layers[0]
	var loss Loss
	switch bottom.Vis {
	case rbmstack.Softmax:
		loss = SoftmaxCE
		if bottom.DocLen <= 0 {
			return nil, errors.New("autoencoder: a softmax bottom layer must use a fixed DocLen to unroll")
		}
	case rbmstack.Binary:
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
		if r.Hid == rbmstack.Linear {
			acts = append(acts, Linear)
		} else {
			acts = append(acts, Sigmoid)
		}
	}
	for i := L - 1; i >= 0; i-- {
		switch s.Layers[i].Vis {
		case rbmstack.Binary:
			acts = append(acts, Sigmoid)
		case rbmstack.Softmax:
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
		if i == 0 && r.Vis == rbmstack.Softmax {
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

// CodeSize returns the width of the code layer (0 without one).
func (n *Net) CodeSize() int {
	if n.Code < 0 {
		return 0
	}
	return n.Layers[n.Code].Out
}

// Workspace holds the activations and deltas of one minibatch; reuse one
// per goroutine so that steady-state training allocates nothing.
type Workspace struct {
	acts   []mat.Dense // acts[0] = prepared input, acts[l+1] = output of layer l
	deltas []mat.Dense // deltas[l] = dLoss/d(pre-activation of layer l)
	target mat.Dense
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

// prepare rescales input rows in place when InputLen > 0.
func (n *Net) prepare(x mat.Dense) {
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
		for j, tj := range t {
			yj := min(max(float64(y[j]), 1e-7), 1-1e-7)
			s -= float64(tj)*math.Log(yj) + (1-float64(tj))*math.Log(1-yj)
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
	var loss float64
	for i := 0; i < B; i++ {
		loss += lossOf(n.Loss, y.Row(i), t.Row(i))
	}
	loss /= float64(B)
	if grad == nil {
		return loss
	}
	inv := 1 / float32(B)
	mat.Sub(ws.deltas[L-1].Data, y.Data, t.Data)
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
			for i, v := range a {
				prev.Data[i] *= v * (1 - v)
			}
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
