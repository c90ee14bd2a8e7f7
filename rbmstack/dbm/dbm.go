// Package dbm is the deep Boltzmann machine of Salakhutdinov & Hinton,
// "Deep Boltzmann machines" (AISTATS 2009): greedy pretraining of modified
// RBMs (NewPretrainer), joint training by stochastic approximation with
// mean-field posteriors and persistent Gibbs chains (Trainer), the
// variational bound on log p(v) (LogProbBound), and log Z by annealed
// importance sampling (AIS, checked against ExactLogZ on models small
// enough to enumerate).
//
// # Model
//
// Layers h^0 = v, h^1, ..., h^L of Sizes[l] binary units, weights W[l]
// (Sizes[l] x Sizes[l+1], row-major) between layers l and l+1 and biases
// B[l] of layer l, with the energy
//
//	E(h) = -sum_{l<L} h^l' W[l] h^{l+1} - sum_l B[l]' h^l.
//
// Every connection is undirected, so a unit hears both neighbouring layers:
// p(h^l_j = 1 | rest) = sigmoid((h^{l-1} W[l-1])_j + (W[l] h^{l+1})_j + B[l]_j).
// Given the odd layers the even layers are independent and vice versa,
// which the Gibbs sampler and AIS exploit. A DBM owns its parameter
// slices; trainers update them in place.
package dbm

import (
	"fmt"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// DBM is a deep Boltzmann machine of binary units; see the package
// documentation.
type DBM struct {
	Sizes []int
	W     [][]float32 // W[l]: Sizes[l] x Sizes[l+1]
	B     [][]float32 // B[l]: Sizes[l]
}

// maxUnits bounds the width of a layer.
const maxUnits = 1 << 24

// New returns a DBM with layer widths sizes (visible first, at least two
// entries), weights from N(0, std^2) drawn with seed and zero biases.
func New(sizes []int, std float32, seed uint64) *DBM {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("dbm: New with %d layers", len(sizes)))
	}
	d := &DBM{Sizes: append([]int(nil), sizes...)}
	src := rng.New(seed, 0xdb)
	for l, n := range sizes {
		if n <= 0 {
			panic(fmt.Sprintf("dbm: New layer %d has %d units", l, n))
		}
		d.B = append(d.B, make([]float32, n))
		if l+1 < len(sizes) {
			w := make([]float32, n*sizes[l+1])
			for i := range w {
				w[i] = float32(src.Norm()) * std
			}
			d.W = append(d.W, w)
		}
	}
	return d
}

// FromRBM views a binary-binary RBM without labels as a one-layer DBM
// sharing its slices, for AIS and ExactLogZ.
func FromRBM(r *rbm.RBM) (*DBM, error) {
	if r.Vis != rbm.Binary || r.Hid != rbm.Binary || r.Labels != 0 {
		return nil, fmt.Errorf("dbm: a DBM of an RBM needs binary units and no labels, got %v", r)
	}
	return &DBM{Sizes: []int{r.NVis, r.NHid}, W: [][]float32{r.W}, B: [][]float32{r.VisBias, r.HidBias}}, nil
}

// Layers returns L, the number of hidden layers.
func (d *DBM) Layers() int { return len(d.Sizes) - 1 }

// String describes d's shape: "dbm 784-500-1000".
func (d *DBM) String() string { return "dbm " + rbmstack.Shape(d.Sizes...) }

// weights returns W[l] as a matrix view.
func (d *DBM) weights(l int) mat.Dense { return mat.View(d.Sizes[l], d.Sizes[l+1], d.W[l]) }

// Clone returns a deep copy of d.
func (d *DBM) Clone() *DBM {
	c := &DBM{Sizes: append([]int(nil), d.Sizes...)}
	for _, w := range d.W {
		c.W = append(c.W, append([]float32(nil), w...))
	}
	for _, b := range d.B {
		c.B = append(c.B, append([]float32(nil), b...))
	}
	return c
}

// Diverged reports whether a parameter is NaN or infinite.
func (d *DBM) Diverged() bool {
	for _, p := range append(append([][]float32(nil), d.W...), d.B...) {
		if mat.HasNaN(p) {
			return true
		}
	}
	return false
}

// validate panics unless the shapes of d agree (a programmer mistake).
func (d *DBM) validate() {
	if len(d.Sizes) < 2 || len(d.W) != len(d.Sizes)-1 || len(d.B) != len(d.Sizes) {
		panic(fmt.Sprintf("dbm: DBM with %d sizes, %d weight matrices, %d bias vectors", len(d.Sizes), len(d.W), len(d.B)))
	}
	for l, n := range d.Sizes {
		if len(d.B[l]) != n || (l < len(d.W) && len(d.W[l]) != n*d.Sizes[l+1]) {
			panic(fmt.Sprintf("dbm: layer %d does not match its size %d", l, n))
		}
	}
}

// condInput sets dst to the total input of layer l given the states (or
// means) s of its neighbours, scaled by beta:
// beta*(s[l-1] W[l-1] + s[l+1] W[l]' + B[l]). s[l] itself is not read.
func (d *DBM) condInput(l int, s []mat.Dense, beta float32, dst mat.Dense) {
	d.weightInput(l, s, beta, dst)
	if beta == 1 {
		mat.AddRowVec(dst, d.B[l])
		return
	}
	for i := 0; i < dst.Rows; i++ {
		mat.Axpy(beta, d.B[l], dst.Row(i))
	}
}

// weightInput is condInput without the bias: beta times the input layer l
// gets through the weights from the states s of its neighbours.
func (d *DBM) weightInput(l int, s []mat.Dense, beta float32, dst mat.Dense) {
	L := d.Layers()
	first := true
	if l > 0 {
		mat.Mul(dst, s[l-1], false, d.weights(l-1), false, beta, 0)
		first = false
	}
	if l < L {
		b := float32(1)
		if first {
			b = 0
		}
		mat.Mul(dst, s[l+1], false, d.weights(l), true, beta, b)
	}
}
