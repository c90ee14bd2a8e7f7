package rbm

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

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
		panic(fmt.Sprintf("rbm: New with sizes %d x %d", nvis, nhid))
	}
	if hid == Softmax {
		panic("rbm: softmax hidden units are not supported")
	}
	r := &RBM{Vis: vis, Hid: hid, NVis: nvis, NHid: nhid,
		W: make([]float32, nvis*nhid), VisBias: make([]float32, nvis), HidBias: make([]float32, nhid)}
	src := rng.New(seed, 0x5eed)
	for i := range r.W {
		r.W[i] = float32(src.Norm()) * std
	}
	return r
}

// Weights returns W as a matrix view.
func (r *RBM) Weights() mat.Dense { return mat.View(r.NVis, r.NHid, r.W) }

// Clone returns a deep copy of r.
func (r *RBM) Clone() *RBM {
	c := *r
	c.W = append([]float32(nil), r.W...)
	c.VisBias = append([]float32(nil), r.VisBias...)
	c.HidBias = append([]float32(nil), r.HidBias...)
	return &c
}

// Diverged reports whether a parameter is NaN or infinite.
func (r *RBM) Diverged() bool {
	return mat.HasNaN(r.W) || mat.HasNaN(r.VisBias) || mat.HasNaN(r.HidBias)
}

// SameShape reports whether r and s have the same unit kinds, sizes,
// labels and document length.
func (r *RBM) SameShape(s *RBM) bool {
	return r.Vis == s.Vis && r.Hid == s.Hid && r.NVis == s.NVis && r.NHid == s.NHid && r.Labels == s.Labels && r.DocLen == s.DocLen
}

// String describes r's shape: "binary 784-500 binary".
func (r *RBM) String() string {
	lab := ""
	if r.Labels > 0 {
		lab = fmt.Sprintf(" with %d labels", r.Labels)
	}
	return fmt.Sprintf("%s %d-%d %s%s", r.Vis, r.NVis, r.NHid, r.Hid, lab)
}

// BaseRateLogOdds returns the bias of a binary unit that is on with
// probability m, log(m/(1-m)), m kept within [0.001, 0.999]: the base-rate
// model's (Salakhutdinov & Murray 2008).
func BaseRateLogOdds(m float64) float32 {
	m = min(max(m, 1e-3), 1-1e-3)
	return float32(math.Log(m / (1 - m)))
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
	mat.EachBlock(data, 256, func(_ int, b mat.Dense) {
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
	})
	for j := range mean {
		m := mean[j] / float64(n)
		switch r.Vis {
		case Softmax:
			r.VisBias[j] = float32(math.Log(max(m, 1e-6)))
		case Binary:
			r.VisBias[j] = BaseRateLogOdds(m)
		default:
			r.VisBias[j] = float32(m)
		}
	}
}
