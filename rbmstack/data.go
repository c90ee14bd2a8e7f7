package rbmstack

import "fmt"

// Data is a matrix of training cases, read a minibatch at a time. The
// document path passes sparse count matrices (vocab.Matrix); the MNIST path
// and the upper layers of a stack pass Dense.
type Data interface {
	// Dims returns the number of cases and the number of values per case.
	Dims() (rows, cols int)
	// DenseRowsTo writes the listed rows into dst, one after another.
	DenseRowsTo(dst []float32, rows []int)
}

// Dense is a row-major in-memory Data.
type Dense struct {
	Rows, Cols int
	Data       []float32
}

// NewDense wraps data (rows*cols values) as Dense.
func NewDense(rows, cols int, data []float32) *Dense {
	if len(data) != rows*cols {
		panic(fmt.Sprintf("rbmstack: NewDense %dx%d over %d values", rows, cols, len(data)))
	}
	return &Dense{Rows: rows, Cols: cols, Data: data}
}

// Dims implements Data.
func (d *Dense) Dims() (int, int) { return d.Rows, d.Cols }

// Row returns row i, aliasing d.
func (d *Dense) Row(i int) []float32 { return d.Data[i*d.Cols : (i+1)*d.Cols] }

// DenseRowsTo implements Data.
func (d *Dense) DenseRowsTo(dst []float32, rows []int) {
	for k, i := range rows {
		copy(dst[k*d.Cols:(k+1)*d.Cols], d.Data[i*d.Cols:(i+1)*d.Cols])
	}
}
