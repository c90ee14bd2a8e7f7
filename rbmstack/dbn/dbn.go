// Package dbn is the deep belief net of Hinton, Osindero & Teh, "A fast
// learning algorithm for deep belief nets" (Neural Computation 2006):
// directed layers below an undirected top-level associative memory whose
// visible units are the penultimate layer joined with the class labels.
//
// A DBN is built from greedily trained RBMs (package stack) and a top RBM
// trained on the penultimate representation joined with one-hot labels
// (NewTopTrainer); the up-down algorithm (UpDownTrainer) then unties the
// lower layers into recognition and generative weights and fine-tunes
// them all. Classify labels a case with the label of lowest free energy in
// the top memory; Sample draws images with a label clamped.
package dbn

import (
	"errors"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// DBN is a deep belief net. After greedy training each lower layer has
// tied weights; up-down unties them into recognition weights (Rec, used
// bottom-up with the hidden biases) and generative weights (Gen, used
// top-down with the visible biases).
type DBN struct {
	Rec, Gen []*rbm.RBM
	Top      *rbm.RBM // Labels > 0: the last Top.Labels visible units are the label
}

// New assembles a DBN from greedily trained lower layers and a top RBM
// with label units; the lower layers are copied into Rec and Gen.
func New(lower []*rbm.RBM, top *rbm.RBM) (*DBN, error) {
	if top.Labels < 2 {
		return nil, errors.New("dbn: the top RBM needs label units")
	}
	d := &DBN{Top: top}
	width := 0
	for i, r := range lower {
		if r.Vis != rbm.Binary || r.Hid != rbm.Binary {
			return nil, fmt.Errorf("dbn: layer %d must be binary-binary, got %v", i+1, r)
		}
		if i > 0 && r.NVis != lower[i-1].NHid {
			return nil, fmt.Errorf("dbn: layer %d has %d visible units above %d hidden", i+1, r.NVis, lower[i-1].NHid)
		}
		d.Rec = append(d.Rec, r.Clone())
		d.Gen = append(d.Gen, r.Clone())
		width = r.NHid
	}
	if len(lower) > 0 && top.NVis-top.Labels != width {
		return nil, fmt.Errorf("dbn: the top RBM reads %d units, the layer below has %d", top.NVis-top.Labels, width)
	}
	return d, nil
}

// Clone returns a deep copy of d.
func (d *DBN) Clone() *DBN {
	c := &DBN{Top: d.Top.Clone()}
	for i := range d.Rec {
		c.Rec = append(c.Rec, d.Rec[i].Clone())
		c.Gen = append(c.Gen, d.Gen[i].Clone())
	}
	return c
}

// Up returns the recognition probabilities of the penultimate layer.
func (d *DBN) Up(data mat.Matrix) *mat.Dense {
	var cur mat.Matrix = data
	var out *mat.Dense
	for _, r := range d.Rec {
		out = r.Transform(cur)
		cur = out
	}
	if out == nil {
		n, c := data.Dims()
		out = mat.NewDense(n, c, nil)
		mat.EachBlock(data, n, func(_ int, b mat.Dense) { copy(out.Data, b.Data) })
	}
	return out
}

// Classify returns, for every case of data, the label whose free energy in
// the top RBM is lowest given the penultimate recognition probabilities:
// F(x, c) = -b'x - b_c - sum_j log(1 + exp(a_j + x'W_j + W_cj)).
func (d *DBN) Classify(data mat.Matrix) []int {
	pen := d.Up(data)
	t := d.Top
	nb := t.NVis - t.Labels
	out := make([]int, pen.Rows)
	const block = 500
	base := mat.New(block, t.NHid)
	wPen := mat.View(nb, t.NHid, t.W[:nb*t.NHid])
	mat.EachBlock(pen, block, func(lo int, x mat.Dense) {
		b := base.Resize(x.Rows, t.NHid)
		mat.Mul(b, x, false, wPen, false, 1, 0)
		mat.AddRowVec(b, t.HidBias)
		for i := 0; i < x.Rows; i++ {
			row := b.Row(i)
			best, bestF := 0, math.Inf(1)
			for c := 0; c < t.Labels; c++ {
				wc := t.W[(nb+c)*t.NHid : (nb+c+1)*t.NHid]
				f := -float64(t.VisBias[nb+c])
				for j, v := range row {
					f -= softplus(float64(v + wc[j]))
				}
				if f < bestF {
					best, bestF = c, f
				}
			}
			out[lo+i] = best
		}
	})
	return out
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

// widthBelow returns the width of layer l's visible units (the
// penultimate layer for l = len(Rec)).
func (d *DBN) widthBelow(l int) int {
	if l < len(d.Rec) {
		return d.Rec[l].NVis
	}
	return d.Top.NVis - d.Top.Labels
}

// String describes d's shape as its widths, e.g. 784-500-500-(500+10)-2000.
func (d *DBN) String() string { return shape(d.Rec, d.Top) }

func shape(lower []*rbm.RBM, top *rbm.RBM) string {
	var sizes []int
	for _, r := range lower {
		if len(sizes) == 0 {
			sizes = append(sizes, r.NVis)
		}
		sizes = append(sizes, r.NHid)
	}
	s := rbmstack.Shape(sizes...)
	if top != nil {
		if s != "" {
			s += "-"
		}
		s += fmt.Sprintf("(%d+%d)-%d", top.NVis-top.Labels, top.Labels, top.NHid)
	}
	return s
}
