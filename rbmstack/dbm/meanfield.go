package dbm

import (
	"fmt"

	"github.com/docsearch/docsearch/rbmstack/mat"
)

// work holds mean-field scratch.
type work struct {
	bottom mat.Dense   // v W[0], fixed during the iterations
	tmp    []mat.Dense // per layer, the new means
}

func (ws *work) ensure(d *DBM, rows int) {
	if len(ws.tmp) != len(d.Sizes) {
		ws.tmp = make([]mat.Dense, len(d.Sizes))
	}
	ws.bottom = ws.bottom.Resize(rows, d.Sizes[1])
	for l := 1; l < len(d.Sizes); l++ {
		ws.tmp[l] = ws.tmp[l].Resize(rows, d.Sizes[l])
	}
}

// MeanFieldInit sets mu[l-1] (rows x Sizes[l], l = 1..L) to the bottom-up
// initialisation of Salakhutdinov & Hinton (2009): every hidden layer below
// the top gets sigmoid(2 mu^{l-1} W[l-1] + B[l]), the doubled input standing
// in for the top-down input it lacks; the top gets its single input.
func (d *DBM) MeanFieldInit(v mat.Dense, mu []mat.Dense) {
	L := d.Layers()
	below := v
	for l := 1; l <= L; l++ {
		f := float32(2)
		if l == L {
			f = 1
		}
		m := mu[l-1]
		mat.Mul(m, below, false, d.weights(l-1), false, f, 0)
		mat.AddRowVec(m, d.B[l])
		mat.Sigmoid(m.Data)
		below = m
	}
}

// MeanField computes the factorial posterior q(h|v) = prod_l prod_j mu^l_j
// (eq. 8 of the paper, generalised to L layers): starting from
// MeanFieldInit it applies iters sweeps of the fixed-point equations
//
//	mu^l = sigmoid(mu^{l-1} W[l-1] + mu^{l+1} W[l]' + B[l]),  mu^0 = v,
//
// updating the layers in order 1..L with the newest values (each layer
// update maximises the variational bound given the others, so the bound
// never decreases). mu[l-1] receives layer l (rows x Sizes[l]). It returns
// the largest absolute change of a mean in the last sweep.
func (d *DBM) MeanField(v mat.Dense, mu []mat.Dense, iters int) float64 {
	var ws work
	return d.meanField(v, mu, iters, &ws)
}

func (d *DBM) meanField(v mat.Dense, mu []mat.Dense, iters int, ws *work) float64 {
	d.validate()
	L := d.Layers()
	if len(mu) != L || v.Cols != d.Sizes[0] {
		panic(fmt.Sprintf("dbm: MeanField with %d posteriors for %d layers, %d inputs for %d units", len(mu), L, v.Cols, d.Sizes[0]))
	}
	ws.ensure(d, v.Rows)
	d.MeanFieldInit(v, mu)
	mat.Mul(ws.bottom, v, false, d.weights(0), false, 1, 0)
	var res float32
	for it := 0; it < iters; it++ {
		res = 0
		for l := 1; l <= L; l++ {
			t := ws.tmp[l]
			if l == 1 {
				copy(t.Data, ws.bottom.Data)
			} else {
				mat.Mul(t, mu[l-2], false, d.weights(l-1), false, 1, 0)
			}
			if l < L {
				mat.Mul(t, mu[l], false, d.weights(l), true, 1, 1)
			}
			mat.AddRowVec(t, d.B[l])
			mat.Sigmoid(t.Data)
			for i, x := range t.Data {
				if dx := x - mu[l-1].Data[i]; dx > res || -dx > res {
					res = max(dx, -dx)
				}
			}
			copy(mu[l-1].Data, t.Data)
		}
	}
	return float64(res)
}

// Posterior returns the mean-field posteriors of every case of data, one
// Dense per hidden layer (out[l-1] is layer l).
func (d *DBM) Posterior(data mat.Matrix, iters int) []*mat.Dense {
	n, c := data.Dims()
	if c != d.Sizes[0] {
		panic(fmt.Sprintf("dbm: Posterior: data have %d columns, the DBM %d visible units", c, d.Sizes[0]))
	}
	out := make([]*mat.Dense, d.Layers())
	for l := range out {
		out[l] = mat.NewDense(n, d.Sizes[l+1], nil)
	}
	d.forBlocks(data, iters, func(lo int, v mat.Dense, mu []mat.Dense) {
		for l, m := range mu {
			copy(out[l].Data[lo*m.Cols:], m.Data)
		}
	})
	return out
}

// forBlocks runs mean-field on blocks of data and calls fn with each
// block's first row, inputs and posteriors.
func (d *DBM) forBlocks(data mat.Matrix, iters int, fn func(lo int, v mat.Dense, mu []mat.Dense)) {
	const block = 500
	L := d.Layers()
	mub := make([]mat.Dense, L)
	for l := range mub {
		mub[l] = mat.New(block, d.Sizes[l+1])
	}
	mu := make([]mat.Dense, L)
	var ws work
	mat.EachBlock(data, block, func(lo int, v mat.Dense) {
		for l := range mu {
			mu[l] = mub[l].Resize(v.Rows, d.Sizes[l+1])
		}
		d.meanField(v, mu, iters, &ws)
		fn(lo, v, mu)
	})
}
