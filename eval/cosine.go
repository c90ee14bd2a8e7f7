package eval

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas32"
)

// cosineScorer ranks dense vectors by cosine similarity. The rows are
// normalized once and stored transposed (dim x n), so that a block of b
// queries is one product C (b x n) = Q (b x dim) * Vt (dim x n).
type cosineScorer struct {
	n, dim int
	rows   []float32 // n x dim, unit rows (zero rows stay zero)
	vt     []float32 // dim x n, the transpose of rows
}

// CosineScorer returns a Scorer that ranks the n = len(vecs)/dim row vectors
// of vecs (row-major, n x dim) by cosine similarity to the query's row. A zero
// row has cosine 0 with everything. vecs is copied. It panics if dim < 1 or
// len(vecs) is not a multiple of dim.
func CosineScorer(vecs []float32, dim int) Scorer {
	if dim < 1 || len(vecs)%dim != 0 {
		panic(fmt.Sprintf("eval: CosineScorer: %d values do not make rows of %d", len(vecs), dim))
	}
	n := len(vecs) / dim
	c := &cosineScorer{n: n, dim: dim, rows: make([]float32, len(vecs)), vt: make([]float32, len(vecs))}
	for i := range n {
		row := vecs[i*dim : (i+1)*dim]
		var ss float64
		for _, x := range row {
			ss += float64(x) * float64(x)
		}
		if ss == 0 {
			continue
		}
		inv := 1 / math.Sqrt(ss)
		for j, x := range row {
			v := float32(float64(x) * inv)
			c.rows[i*dim+j] = v
			c.vt[j*n+i] = v
		}
	}
	return c
}

func (c *cosineScorer) Len() int { return c.n }

func (c *cosineScorer) Score(q int, dst []float32) {
	c.ScoreBlock([]int{q}, dst)
}

// cosineChunk is the number of documents scored at a time: a dim x 1024
// slice of Vt (40 KiB for dim 10, 200 KiB for dim 50) stays in cache while
// every query of the block uses it.
const cosineChunk = 1024

// ScoreBlock computes C = Q Vt for the block's queries Q, column chunk by
// column chunk, each row of a chunk as dim axpy operations. It is the loop
// order of gonum's Sgemm (NoTrans, NoTrans) with a cache-sized chunk in
// place of its 64 x 64 tiles and goroutine per tile, which measured twice
// as fast here, with identical results.
func (c *cosineScorer) ScoreBlock(qs []int, dst []float32) {
	if len(dst) != len(qs)*c.n {
		panic("eval: cosine ScoreBlock: dst has the wrong length")
	}
	for j0 := 0; j0 < c.n; j0 += cosineChunk {
		w := min(cosineChunk, c.n-j0)
		for i, q := range qs {
			y := blas32.Vector{N: w, Inc: 1, Data: dst[i*c.n+j0 : i*c.n+j0+w]}
			clear(y.Data)
			for l, a := range c.rows[q*c.dim : (q+1)*c.dim] {
				if a != 0 {
					blas32.Axpy(a, blas32.Vector{N: w, Inc: 1, Data: c.vt[l*c.n+j0 : l*c.n+j0+w]}, y)
				}
			}
		}
	}
}
