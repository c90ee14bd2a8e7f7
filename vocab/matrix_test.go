package vocab

import (
	"slices"
	"testing"
)

// testMatrix returns the 3 x 4 matrix
//
//	[1 0 2 0]
//	[0 0 0 0]
//	[0 3 0 4]
func testMatrix() *Matrix {
	m := NewMatrix(4)
	m.Append(Vector{Idx: []int32{0, 2}, Val: []float32{1, 2}})
	m.Append(Vector{})
	m.Append(Vector{Idx: []int32{1, 3}, Val: []float32{3, 4}})
	return m
}

func TestMatrixAppendRow(t *testing.T) {
	t.Parallel()
	m := testMatrix()
	if r, c := m.Dims(); r != 3 || c != 4 {
		t.Fatalf("Dims() = %d, %d, want 3, 4", r, c)
	}
	if want := []int{0, 2, 2, 4}; !slices.Equal(m.Indptr, want) {
		t.Errorf("Indptr = %v, want %v", m.Indptr, want)
	}
	rows := []struct {
		idx []int32
		val []float32
		sum float32
	}{
		{[]int32{0, 2}, []float32{1, 2}, 3},
		{[]int32{}, []float32{}, 0},
		{[]int32{1, 3}, []float32{3, 4}, 7},
	}
	for i, w := range rows {
		idx, val := m.Row(i)
		if !slices.Equal(idx, w.idx) || !slices.Equal(val, w.val) {
			t.Errorf("Row(%d) = %v %v, want %v %v", i, idx, val, w.idx, w.val)
		}
		if s := m.RowSum(i); s != w.sum {
			t.Errorf("RowSum(%d) = %v, want %v", i, s, w.sum)
		}
	}
	if s := (Vector{Idx: []int32{1, 3}, Val: []float32{3, 4}}).Sum(); s != 7 {
		t.Errorf("Vector.Sum() = %v, want 7", s)
	}

	// The zero Matrix has no rows and takes empty rows.
	var z Matrix
	if z.Rows() != 0 {
		t.Errorf("zero Matrix has %d rows", z.Rows())
	}
	z.Append(Vector{})
	if z.Rows() != 1 {
		t.Errorf("zero Matrix after Append has %d rows, want 1", z.Rows())
	}
}

func TestMatrixAppendPanics(t *testing.T) {
	t.Parallel()
	bad := map[string]Vector{
		"beyond Cols": {Idx: []int32{4}, Val: []float32{1}},
		"negative":    {Idx: []int32{-1}, Val: []float32{1}},
		"decreasing":  {Idx: []int32{2, 1}, Val: []float32{1, 1}},
		"repeated":    {Idx: []int32{1, 1}, Val: []float32{1, 1}},
		"zero Matrix": {Idx: []int32{0}, Val: []float32{1}},
	}
	for name, v := range bad {
		m := NewMatrix(4)
		if name == "zero Matrix" {
			m = &Matrix{}
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Append(%s) did not panic", name)
				}
			}()
			m.Append(v)
		}()
		if m.Rows() != 0 || len(m.Idx) != 0 {
			t.Errorf("Append(%s) left a row behind", name)
		}
	}
}

func TestMatrixDenseRowsTo(t *testing.T) {
	t.Parallel()
	m := testMatrix()
	dst := make([]float32, 3*4)
	for i := range dst {
		dst[i] = -1 // DenseRowsTo overwrites every element
	}
	m.DenseRowsTo(dst, []int{2, 0, 1})
	want := []float32{
		0, 3, 0, 4,
		1, 0, 2, 0,
		0, 0, 0, 0,
	}
	if !slices.Equal(dst, want) {
		t.Errorf("DenseRowsTo = %v, want %v", dst, want)
	}
	m.DenseRowsTo(nil, nil) // no rows: fine
	defer func() {
		if recover() == nil {
			t.Error("DenseRowsTo with a short dst did not panic")
		}
	}()
	m.DenseRowsTo(make([]float32, 4), []int{0, 1})
}

func TestMatrixSubset(t *testing.T) {
	t.Parallel()
	m := testMatrix()
	s := m.Subset([]int{2, 2, 1})
	if r, c := s.Dims(); r != 3 || c != 4 {
		t.Fatalf("Subset dims %d x %d, want 3 x 4", r, c)
	}
	for k, i := range []int{2, 2, 1} {
		gi, gv := s.Row(k)
		wi, wv := m.Row(i)
		if !slices.Equal(gi, wi) || !slices.Equal(gv, wv) {
			t.Errorf("Subset row %d = %v %v, want row %d of m: %v %v", k, gi, gv, i, wi, wv)
		}
	}
	// The subset owns its storage.
	s.Val[0] = 100
	if _, v := m.Row(2); v[0] != 3 {
		t.Error("writing the subset changed the matrix")
	}
	if e := m.Subset(nil); e.Rows() != 0 || e.Cols != 4 {
		t.Errorf("empty Subset: %d rows, %d cols", e.Rows(), e.Cols)
	}
}
