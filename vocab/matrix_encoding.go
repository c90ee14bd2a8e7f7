package vocab

import (
	"math"

	"github.com/docsearch/docsearch/internal/binenc"
)

// matrixFormat is a stored Matrix: Cols, the number of rows and of
// nonzeros, the Rows+1 row pointers, the column indices (uint32 each) and
// the values (float32). The first indexes stored the same fields under the
// magic "DSCSR001" with no version; UnmarshalBinary still reads them.
var matrixFormat = binenc.Format{Name: "count matrix", Magic: "DSCOUNTS", Version: 1}

const legacyMatrixMagic = "DSCSR001"

// MarshalBinary encodes the matrix in the binenc frame "DSCOUNTS".
func (m *Matrix) MarshalBinary() ([]byte, error) {
	rows := m.Rows()
	w := matrixFormat.NewWriter()
	w.U32(uint32(m.Cols))
	w.U32(uint32(rows))
	w.U32(uint32(len(m.Idx)))
	for i := 0; i <= rows; i++ {
		p := 0
		if len(m.Indptr) > 0 {
			p = m.Indptr[i]
		}
		w.U32(uint32(p))
	}
	for _, j := range m.Idx {
		w.U32(uint32(j))
	}
	w.RawF32s(m.Val)
	return w.Seal(), nil
}

// UnmarshalBinary decodes data written by MarshalBinary (or by the first
// docsearch, "DSCSR001"); damaged data give an error wrapping ErrCorrupt,
// never a panic.
func (m *Matrix) UnmarshalBinary(data []byte) error {
	var rd *binenc.Reader
	var err error
	if len(data) >= len(legacyMatrixMagic) && string(data[:len(legacyMatrixMagic)]) == legacyMatrixMagic {
		rd, err = binenc.OpenUnversioned(matrixFormat.Name, legacyMatrixMagic, data)
	} else {
		rd, err = matrixFormat.Open(data)
	}
	if err != nil {
		return err
	}
	cols := rd.Int("columns", math.MaxInt32)
	rows := rd.Int("rows", rd.Left()/4)
	nnz := rd.Int("nonzeros", rd.Left()/8)
	if rd.Failed() {
		return rd.Err()
	}
	out := Matrix{Cols: cols, Indptr: make([]int, rows+1), Idx: make([]int32, nnz)}
	for i := range out.Indptr {
		out.Indptr[i] = rd.Int("row pointer", nnz)
		if i > 0 && out.Indptr[i] < out.Indptr[i-1] {
			rd.Fail("row pointer %d decreases", i)
		}
	}
	if out.Indptr[0] != 0 || out.Indptr[rows] != nnz {
		rd.Fail("row pointers span %d to %d of %d nonzeros", out.Indptr[0], out.Indptr[rows], nnz)
	}
	for k := range out.Idx {
		out.Idx[k] = int32(rd.Int("column", cols-1))
	}
	out.Val = rd.RawF32s(nnz)
	if out.Val == nil {
		out.Val = []float32{}
	}
	if err := rd.Err(); err != nil {
		return err
	}
	*m = out
	return nil
}
