package rbmstack

import (
	"errors"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Kind is the type of a layer of units.
type Kind uint8

const (
	// Binary units are logistic: probability sigmoid(input).
	Binary Kind = iota
	// Linear units are Gaussian with unit variance around their input.
	Linear
	// Softmax visible units model word counts (replicated softmax).
	Softmax
)

func (k Kind) String() string {
	switch k {
	case Binary:
		return "binary"
	case Linear:
		return "linear"
	case Softmax:
		return "softmax"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ErrDiverged is returned when training produces NaN or infinite values.
var ErrDiverged = errors.New("rbmstack: training diverged")

// RBM is a restricted Boltzmann machine. See the package documentation for
// the model and the layout of W.
type RBM struct {
	Vis, Hid   Kind
	NVis, NHid int
	W          []float32 // NVis x NHid
	VisBias    []float32 // b, NVis
	HidBias    []float32 // a, NHid
	// DocLen rescales every document to this many words when Vis is
	// Softmax; 0 keeps raw counts and scales the hidden bias by each
	// document's own length.
	DocLen float32
	// Labels > 0 makes the last Labels visible units one softmax group (a
	// one-hot class label) beside NVis-Labels units of kind Vis: the top
	// associative memory of a deep belief net (Hinton, Osindero & Teh 2006).
	Labels int
}

// New returns an RBM with weights drawn from N(0, std^2) using seed and
// zero biases. Hidden units may not be Softmax.
func New(vis, hid Kind, nvis, nhid int, std float32, seed uint64) *RBM {
	if nvis <= 0 || nhid <= 0 {
		panic(fmt.Sprintf("rbmstack: New with sizes %d x %d", nvis, nhid))
	}
	if hid == Softmax {
		panic("rbmstack: softmax hidden units are not supported")
	}
	r := &RBM{Vis: vis, Hid: hid, NVis: nvis, NHid: nhid,
		W: make([]float32, nvis*nhid), VisBias: make([]float32, nvis), HidBias: make([]float32, nhid)}
	src := rng.New(seed, 0x5eed)
	for i := range r.W {
		r.W[i] = float32(src.Norm()) * std
	}
	return r
}

// weights returns W as a matrix view.
func (r *RBM) weights() mat.Dense { return mat.View(r.NVis, r.NHid, r.W) }

// Prepare turns a batch of raw data rows into visible states v and the
// per-row multiplier of the hidden bias. For Softmax units it rescales
// counts to DocLen words (or keeps them, with the row length as the
// multiplier) and writes word proportions into p; otherwise v = raw, p = raw
// and scale is nil. v and p may alias raw for non-Softmax units.
func (r *RBM) Prepare(raw, v, p mat.Dense, scale []float32) []float32 {
	if r.Vis != Softmax {
		if &v.Data[0] != &raw.Data[0] {
			copy(v.Data, raw.Data)
		}
		if &p.Data[0] != &raw.Data[0] {
			copy(p.Data, raw.Data)
		}
		return nil
	}
	for i := 0; i < raw.Rows; i++ {
		row := raw.Row(i)
		var n float32
		for _, x := range row {
			n += x
		}
		vr, pr := v.Row(i), p.Row(i)
		if n <= 0 {
			clear(vr)
			clear(pr)
			scale[i] = 0
			continue
		}
		inv := 1 / n
		mul := float32(1)
		scale[i] = n
		if r.DocLen > 0 {
			mul = r.DocLen * inv
			scale[i] = r.DocLen
		}
		for j, x := range row {
			pr[j] = x * inv
			vr[j] = x * mul
		}
	}
	return scale[:raw.Rows]
}

// HidMeans sets h to the hidden means given visible states v: sigmoid or
// identity of v*W + scale_i*a (scale nil: 1).
func (r *RBM) HidMeans(v mat.Dense, scale []float32, h mat.Dense) {
	mat.Mul(h, v, false, r.weights(), false, 1, 0)
	if scale != nil {
		mat.AddScaledRowVec(h, scale, r.HidBias)
	} else {
		mat.AddRowVec(h, r.HidBias)
	}
	if r.Hid == Binary {
		mat.Sigmoid(h.Data)
	}
}

// VisMeans sets v to the visible means given hidden states h: sigmoid,
// identity or row softmax (word probabilities) of h*W' + b.
func (r *RBM) VisMeans(h mat.Dense, v mat.Dense) {
	mat.Mul(v, h, false, r.weights(), true, 1, 0)
	mat.AddRowVec(v, r.VisBias)
	if r.Labels > 0 {
		nb := r.NVis - r.Labels
		for i := 0; i < v.Rows; i++ {
			row := v.Row(i)
			if r.Vis == Binary {
				mat.Sigmoid(row[:nb])
			}
			mat.SoftmaxRows(mat.View(1, r.Labels, row[nb:]))
		}
		return
	}
	switch r.Vis {
	case Binary:
		mat.Sigmoid(v.Data)
	case Softmax:
		mat.SoftmaxRows(v)
	}
}

// Clone returns a deep copy of r.
func (r *RBM) Clone() *RBM {
	c := *r
	c.W = append([]float32(nil), r.W...)
	c.VisBias = append([]float32(nil), r.VisBias...)
	c.HidBias = append([]float32(nil), r.HidBias...)
	return &c
}

// check returns ErrDiverged if a parameter is NaN or infinite.
func (r *RBM) check() error {
	for _, p := range [][]float32{r.W, r.VisBias, r.HidBias} {
		if mat.HasNaN(p) {
			return ErrDiverged
		}
	}
	return nil
}

// InitVisBias sets the visible biases from the data's mean: for Binary
// units log(p/(1-p)) of the mean activation (Hinton's practical guide,
// section 8), for Softmax units the log of the mean word proportions; Linear
// units get the mean. Rare values are floored so that no bias is infinite.
func (r *RBM) InitVisBias(data mat.Matrix) {
	n, d := data.Dims()
	if d != r.NVis || n == 0 {
		return
	}
	mean := make([]float64, d)
	const block = 256
	buf := make([]float32, block*d)
	rows := make([]int, 0, block)
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		rows = rows[:0]
		for i := lo; i < hi; i++ {
			rows = append(rows, i)
		}
		b := mat.View(len(rows), d, buf)
		data.DenseRowsTo(b.Data, rows)
		for i := 0; i < b.Rows; i++ {
			row := b.Row(i)
			if r.Vis == Softmax {
				var s float32
				for _, x := range row {
					s += x
				}
				if s <= 0 {
					continue
				}
				for j, x := range row {
					mean[j] += float64(x / s)
				}
				continue
			}
			for j, x := range row {
				mean[j] += float64(x)
			}
		}
	}
	for j := range mean {
		m := mean[j] / float64(n)
		switch r.Vis {
		case Softmax:
			r.VisBias[j] = float32(math.Log(max(m, 1e-6)))
		case Binary:
			m = min(max(m, 1e-3), 1-1e-3)
			r.VisBias[j] = float32(math.Log(m / (1 - m)))
		default:
			r.VisBias[j] = float32(m)
		}
	}
}
