package vocab

import (
	"fmt"
	"slices"
)

// Matrix is a compressed-sparse-row matrix of term counts: row i holds the
// counts of document i over the vocabulary's Cols terms.
//
// Row i occupies Idx[Indptr[i]:Indptr[i+1]] and Val[Indptr[i]:Indptr[i+1]];
// column indices within a row are strictly increasing. The zero value is an
// empty matrix with no columns; use NewMatrix to fix the width.
type Matrix struct {
	Cols   int
	Indptr []int
	Idx    []int32
	Val    []float32
}

// NewMatrix returns an empty matrix with cols columns.
func NewMatrix(cols int) *Matrix {
	return &Matrix{Cols: cols, Indptr: []int{0}}
}

// Rows returns the number of rows.
func (m *Matrix) Rows() int {
	if len(m.Indptr) == 0 {
		return 0
	}
	return len(m.Indptr) - 1
}

// Dims returns the number of rows and columns.
func (m *Matrix) Dims() (r, c int) { return m.Rows(), m.Cols }

// Row returns the column indices and values of row i. The slices alias m.
func (m *Matrix) Row(i int) (idx []int32, val []float32) {
	lo, hi := m.Indptr[i], m.Indptr[i+1]
	return m.Idx[lo:hi], m.Val[lo:hi]
}

// Append adds a row. idx must be strictly increasing and below Cols; it
// panics otherwise, as a shape error is a programming mistake.
func (m *Matrix) Append(v Vector) {
	if len(m.Indptr) == 0 {
		m.Indptr = []int{0}
	}
	for k, j := range v.Idx {
		if int(j) >= m.Cols || j < 0 || (k > 0 && j <= v.Idx[k-1]) {
			panic(fmt.Sprintf("vocab: bad column index %d at position %d (cols %d)", j, k, m.Cols))
		}
	}
	m.Idx = append(m.Idx, v.Idx...)
	m.Val = append(m.Val, v.Val...)
	m.Indptr = append(m.Indptr, len(m.Idx))
}

// RowSum returns the sum of the values in row i (the document length in
// vocabulary words, for counts).
func (m *Matrix) RowSum(i int) float32 {
	_, val := m.Row(i)
	var s float32
	for _, x := range val {
		s += x
	}
	return s
}

// DenseRowsTo writes the rows listed in rows into dst, densely, one row
// of Cols values after another; dst must have len(rows)*Cols elements.
func (m *Matrix) DenseRowsTo(dst []float32, rows []int) {
	if len(dst) != len(rows)*m.Cols {
		panic("vocab: DenseRowsTo: dst has the wrong length")
	}
	clear(dst)
	for r, i := range rows {
		off := r * m.Cols
		idx, val := m.Row(i)
		for k, j := range idx {
			dst[off+int(j)] = val[k]
		}
	}
}

// Subset returns a new matrix holding the listed rows, in order.
func (m *Matrix) Subset(rows []int) *Matrix {
	out := NewMatrix(m.Cols)
	for _, i := range rows {
		idx, val := m.Row(i)
		out.Append(Vector{Idx: idx, Val: val})
	}
	return out
}

// Vector is a sparse vector of term counts with strictly increasing indices.
type Vector struct {
	Idx []int32
	Val []float32
}

// VectorFromCounts builds a Vector from a map of term index to count,
// sorting the indices.
func VectorFromCounts(counts map[int32]float32) Vector {
	v := Vector{Idx: make([]int32, 0, len(counts)), Val: make([]float32, 0, len(counts))}
	for j := range counts {
		v.Idx = append(v.Idx, j)
	}
	slices.Sort(v.Idx)
	for _, j := range v.Idx {
		v.Val = append(v.Val, counts[j])
	}
	return v
}

// Sum returns the sum of the values (document length in vocabulary words).
func (v Vector) Sum() float32 {
	var s float32
	for _, x := range v.Val {
		s += x
	}
	return s
}
