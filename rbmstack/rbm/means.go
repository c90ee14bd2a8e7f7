package rbm

import (
	"fmt"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

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
	// Rows are independent: on the cores.
	par.Rows(raw.Rows, raw.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r.prepareRow(raw.Row(i), v.Row(i), p.Row(i), &scale[i])
		}
	})
	return scale[:raw.Rows]
}

// prepareRow is Prepare for one Softmax row. Rows of word counts are
// mostly zeros: it sums the others in order (the sum of the whole row, bit
// for bit, since adding zero changes nothing) and writes only them after
// clearing vr and pr, which is several times faster than two dense passes.
func (r *RBM) prepareRow(row, vr, pr []float32, scale *float32) {
	var n float32
	nz := 0
	for _, x := range row {
		if x != 0 {
			n += x
			nz++
		}
	}
	if n <= 0 {
		clear(vr)
		clear(pr)
		*scale = 0
		return
	}
	inv := 1 / n
	mul := float32(1)
	*scale = n
	if r.DocLen > 0 {
		mul = r.DocLen * inv
		*scale = r.DocLen
	}
	if nz > len(row)/4 {
		// Dense rows: one pass.
		for j, x := range row {
			pr[j] = x * inv
			vr[j] = x * mul
		}
		return
	}
	clear(vr)
	clear(pr)
	pr, vr = pr[:len(row)], vr[:len(row)]
	for j, x := range row {
		if x != 0 {
			pr[j] = x * inv
			vr[j] = x * mul
		}
	}
}

// HidMeans sets h to the hidden means given visible states v: sigmoid or
// identity of v*W + scale_i*a (scale nil: 1).
func (r *RBM) HidMeans(v mat.Dense, scale []float32, h mat.Dense) { r.hidMeans(v, scale, 1, h) }

// hidMeans is HidMeans with the bottom-up input v*W multiplied by up.
func (r *RBM) hidMeans(v mat.Dense, scale []float32, up float32, h mat.Dense) {
	mat.Mul(h, v, false, r.Weights(), false, up, 0)
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
func (r *RBM) VisMeans(h mat.Dense, v mat.Dense) { r.visMeans(h, 1, v) }

// visMeans is VisMeans with the top-down input h*W' multiplied by down.
func (r *RBM) visMeans(h mat.Dense, down float32, v mat.Dense) {
	mat.Mul(v, h, false, r.Weights(), true, down, 0)
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

// Transform returns the hidden means of r for every case of data.
func (r *RBM) Transform(data mat.Matrix) *mat.Dense { return r.TransformScaled(data, 1) }

// TransformScaled is Transform with the bottom-up input multiplied by up:
// the hidden means that the doubled bottom RBM of a deep Boltzmann machine
// passes up in pretraining (Salakhutdinov & Hinton 2009, eq. 11).
func (r *RBM) TransformScaled(data mat.Matrix, up float32) *mat.Dense {
	n, d := data.Dims()
	if d != r.NVis {
		panic(fmt.Sprintf("rbm: Transform: data has %d columns, the RBM %d visible units", d, r.NVis))
	}
	out := mat.NewDense(n, r.NHid, nil)
	const block = 500
	v, p := mat.New(block, d), mat.New(block, d)
	scale := make([]float32, block)
	mat.EachBlock(data, block, func(lo int, raw mat.Dense) {
		vb, pb := raw, raw
		if r.Vis == Softmax {
			vb, pb = v.Resize(raw.Rows, d), p.Resize(raw.Rows, d)
		}
		sc := r.Prepare(raw, vb, pb, scale)
		r.hidMeans(vb, sc, up, mat.View(raw.Rows, r.NHid, out.Data[lo*r.NHid:]))
	})
	return out
}

// reconError returns the summed squared error between the data p (word
// proportions for Softmax units) and the mean reconstruction m.
func reconError(p, m mat.Dense) float64 {
	var s float64
	for i, x := range p.Data {
		d := float64(x - m.Data[i])
		s += d * d
	}
	return s
}
