// Package mat holds the dense float32 matrix that every docsearch model
// reads and writes, the Matrix interface through which trainers read
// their cases a block of rows at a time, and the kernels the trainers
// share: the matrix product (handed to internal/blas: AVX-512 or AVX2
// assembly, OpenBLAS or gonum), row and column sums and fast elementwise
// activations.
//
// # Shapes and ownership
//
// A Dense is Rows x Cols values in row-major order: element (i, j) is
// Data[i*Cols+j]. A Dense is a view: copying the struct shares Data, and
// View and Resize never copy. Functions named XTo write into a
// caller-supplied destination; the others allocate what they return. The
// kernels panic on a shape mismatch, a programmer's mistake (as gonum's
// mat.ErrShape).
package mat

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/blas"
	"github.com/docsearch/docsearch/internal/par"
)

// Matrix is a matrix of training or query cases, one per row, read a
// block of rows at a time. Dense implements it; so do vocab.Matrix (sparse
// word counts) and any view a caller builds, such as two matrices side by
// side.
type Matrix interface {
	// Dims returns the number of rows (cases) and of columns (values per
	// case).
	Dims() (rows, cols int)
	// DenseRowsTo writes the listed rows into dst, one after another;
	// dst holds len(rows)*cols values.
	DenseRowsTo(dst []float32, rows []int)
}

// Dense is a row-major Rows x Cols matrix stored contiguously in Data.
type Dense struct {
	Rows, Cols int
	Data       []float32
}

// New returns a zeroed r x c matrix.
func New(r, c int) Dense { return Dense{Rows: r, Cols: c, Data: make([]float32, r*c)} }

// View wraps data (len >= r*c) as an r x c matrix.
func View(r, c int, data []float32) Dense {
	if len(data) < r*c {
		panic(fmt.Sprintf("mat: View %dx%d over %d values", r, c, len(data)))
	}
	return Dense{Rows: r, Cols: c, Data: data[:r*c]}
}

// NewDense returns an r x c matrix over data, which must hold exactly r*c
// values; nil data allocates a zeroed one.
func NewDense(r, c int, data []float32) *Dense {
	if data == nil {
		data = make([]float32, r*c)
	}
	if len(data) != r*c {
		panic(fmt.Sprintf("mat: NewDense %dx%d over %d values", r, c, len(data)))
	}
	return &Dense{Rows: r, Cols: c, Data: data}
}

// Dims implements Matrix.
func (m Dense) Dims() (rows, cols int) { return m.Rows, m.Cols }

// DenseRowsTo implements Matrix.
func (m Dense) DenseRowsTo(dst []float32, rows []int) {
	for k, i := range rows {
		copy(dst[k*m.Cols:(k+1)*m.Cols], m.Data[i*m.Cols:(i+1)*m.Cols])
	}
}

// Row returns row i, aliasing m.
func (m Dense) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// Resize returns a view of m's storage as r x c, growing it if needed.
// It is how workspaces are reused across minibatches of varying size.
func (m Dense) Resize(r, c int) Dense {
	if cap(m.Data) < r*c {
		return New(r, c)
	}
	return Dense{Rows: r, Cols: c, Data: m.Data[:r*c]}
}

// EachBlock reads the rows of x in order, in blocks of at most n, and
// calls fn with each block's first row index and its values: a view of
// one buffer, reused from call to call.
func EachBlock(x Matrix, n int, fn func(lo int, block Dense)) {
	rows, cols := x.Dims()
	buf := New(min(n, rows), cols)
	idx := make([]int, 0, n)
	for lo := 0; lo < rows; lo += n {
		hi := min(lo+n, rows)
		idx = idx[:0]
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
		b := buf.Resize(hi-lo, cols)
		x.DenseRowsTo(b.Data, idx)
		fn(lo, b)
	}
}

// Mul computes dst = alpha*op(a)*op(b) + beta*dst, where op(x) is x or its
// transpose. It panics on a shape mismatch.
func Mul(dst Dense, a Dense, ta bool, b Dense, tb bool, alpha, beta float32) {
	m, k := a.Rows, a.Cols
	if ta {
		m, k = k, m
	}
	k2, n := b.Rows, b.Cols
	if tb {
		k2, n = n, k2
	}
	if k != k2 || dst.Rows != m || dst.Cols != n {
		panic(fmt.Sprintf("mat: Mul shape mismatch: op(a) %dx%d, op(b) %dx%d, dst %dx%d", m, k, k2, n, dst.Rows, dst.Cols))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		Scale(dst.Data, beta)
		return
	}
	sgemm(ta, tb, m, n, k, alpha, a.Data, a.Cols, b.Data, b.Cols, beta, dst.Data, dst.Cols)
}

// AddRowVec adds v to every row of m.
func AddRowVec(m Dense, v []float32) {
	if len(v) != m.Cols {
		panic("mat: AddRowVec length mismatch")
	}
	par.Rows(m.Rows, m.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := m.Row(i)
			for j := range r {
				r[j] += v[j]
			}
		}
	})
}

// AddScaledRowVec adds s[i]*v to row i of m.
func AddScaledRowVec(m Dense, s []float32, v []float32) {
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		si := s[i]
		for j := range r {
			r[j] += si * v[j]
		}
	}
}

// ColSumsTo sets dst = beta*dst + alpha*(sum of m's rows).
func ColSumsTo(dst []float32, m Dense, alpha, beta float32) {
	if len(dst) != m.Cols {
		panic("mat: ColSumsTo length mismatch")
	}
	// Columns in float32 blocks of 8 rows summed into float64 partials:
	// no allocation, and the float32 error stays at 8 terms. The blocks of
	// columns go to the cores (the sums do not depend on how).
	nb := (m.Cols + colBlock - 1) / colBlock
	grain := nb
	if m.Rows*m.Cols >= par.Grain {
		grain = 1
	}
	par.For(nb, grain, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			colSums(dst, m, b*colBlock, min((b+1)*colBlock, m.Cols), alpha, beta)
		}
	})
}

// colSums is ColSumsTo for the columns [j0, j1), at most colBlock of them.
func colSums(dst []float32, m Dense, j0, j1 int, alpha, beta float32) {
	var acc [colBlock]float64
	a := acc[:j1-j0]
	for i0 := 0; i0 < m.Rows; i0 += 8 {
		var part [colBlock]float32
		p := part[:j1-j0]
		for i := i0; i < min(i0+8, m.Rows); i++ {
			// p += row: Saxpy's fused 1*x + p is the plain sum, on
			// vectors.
			blas.Saxpy(1, m.Data[i*m.Cols+j0:i*m.Cols+j1], p)
		}
		for j, x := range p {
			a[j] += float64(x)
		}
	}
	for j := j0; j < j1; j++ {
		dst[j] = beta*dst[j] + alpha*float32(a[j-j0])
	}
}

const colBlock = 256

// Scale multiplies x by s in place.
func Scale(x []float32, s float32) {
	if s == 0 {
		clear(x)
		return
	}
	for i := range x {
		x[i] *= s
	}
}

// Axpy sets y += alpha*x (blas.Saxpy: AVX2 where the CPU has it).
func Axpy(alpha float32, x, y []float32) { blas.Saxpy(alpha, x, y) }

// Sub sets dst = a - b.
func Sub(dst, a, b []float32) {
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// HasNaN reports whether x holds a NaN or an infinity.
func HasNaN(x []float32) bool {
	for _, v := range x {
		if v != v || v > math.MaxFloat32 || v < -math.MaxFloat32 {
			return true
		}
	}
	return false
}

// Sigmoid sets x[i] = 1/(1+exp(-x[i])) in place, on all cores for large x.
func Sigmoid(x []float32) {
	par.For(len(x), par.Grain, func(lo, hi int) {
		sigmoid(x[lo:hi])
	})
}

func sigmoid(x []float32) {
	if hasAVX512 && len(x) >= 16 {
		n := len(x) &^ 15
		sigmoid16(&x[0], n)
		x = x[n:]
	}
	sigmoidGo(x)
}

// sigmoidGo is sigmoid in Go, the definition sigmoid16 follows.
func sigmoidGo(x []float32) {
	for i, v := range x {
		x[i] = 1 / (1 + Exp(-v))
	}
}

// Momentum sets inc[i] = mom*inc[i] + lr*(grad[i] - wd*w[i]) and then
// w[i] += inc[i]: a step of gradient ascent with momentum and L2 weight
// decay, the same float32 results on every CPU.
func Momentum(w, inc, grad []float32, mom, lr, wd float32) {
	if len(inc) != len(w) || len(grad) != len(w) {
		panic("mat: Momentum length mismatch")
	}
	if hasAVX512 && len(w) >= 16 {
		n := len(w) &^ 15
		momentum16(&w[0], &inc[0], &grad[0], n, mom, lr, wd)
		w, inc, grad = w[n:], inc[n:], grad[n:]
	}
	momentumGo(w, inc, grad, mom, lr, wd)
}

// Adam applies the update of Adam (Kingma & Ba 2015, Algorithm 1, with
// beta1 0.9, beta2 0.999, epsilon 1e-8) to the parameters p with gradient
// g, first and second moments m and v, and rate lr (already corrected for
// the moments' bias): m = 0.9m + 0.1g, v = 0.999v + 0.001g^2,
// p -= lr*m/(sqrt(v) + 1e-8). The same float32 results on every CPU.
func Adam(p, g, m, v []float32, lr float32) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic("mat: Adam length mismatch")
	}
	if hasAVX512 && len(p) >= 16 {
		n := len(p) &^ 15
		adam16(&p[0], &g[0], &m[0], &v[0], n, lr)
		p, g, m, v = p[n:], g[n:], m[n:], v[n:]
	}
	adamGo(p, g, m, v, lr)
}

// adamGo is Adam in Go, the definition adam16 follows.
func adamGo(p, g, m, v []float32, lr float32) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	for i := range p {
		gi := g[i]
		mi := b1*m[i] + (1-b1)*gi
		vi := b2*v[i] + (1-b2)*gi*gi
		m[i], v[i] = mi, vi
		p[i] -= lr * mi / (float32(math.Sqrt(float64(vi))) + eps)
	}
}

// momentumGo is Momentum in Go, the definition momentum16 follows.
func momentumGo(w, inc, grad []float32, mom, lr, wd float32) {
	for i := range w {
		inc[i] = mom*inc[i] + lr*(grad[i]-wd*w[i])
		w[i] += inc[i]
	}
}

// SoftmaxRows replaces each row of m by its softmax.
func SoftmaxRows(m Dense) {
	par.Rows(m.Rows, m.Cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			softmax(m.Row(i))
		}
	})
}

func softmax(r []float32) {
	mx := float32(math.Inf(-1))
	for _, v := range r {
		if v > mx {
			mx = v
		}
	}
	expShift(r, mx)
	var s float32
	for _, e := range r {
		s += e
	}
	inv := 1 / s
	for j := range r {
		r[j] *= inv
	}
}

// expShift sets x[i] = Exp(x[i] - shift).
func expShift(x []float32, shift float32) {
	if hasAVX512 && len(x) >= 16 {
		n := len(x) &^ 15
		expShift16(&x[0], n, shift)
		x = x[n:]
	}
	for i, v := range x {
		x[i] = Exp(v - shift)
	}
}

// Exp returns e**x in float32 with a relative error below 2e-7 over the
// range where the result is a normal float32; below -87.3 it returns 0 and
// above 88.7 +Inf. It is Cody-Waite range reduction, x = n*ln2 + r with
// |r| <= ln2/2, and a degree-6 Taylor-type polynomial for e**r, about twice
// as fast as float64 math.Exp.
func Exp(x float32) float32 {
	if x < -87.33 {
		if x != x {
			return x
		}
		return 0
	}
	if x > 88.72 {
		return float32(math.Inf(1))
	}
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	fn := x*log2e + 0.5
	// floor for fn not a negative integer, where it is one less; fn is
	// never -0, so its sign bit says fn < 0, without a branch (its outcome
	// on the pre-activations of sigmoid units is a coin flip).
	n := int32(fn) - int32(math.Float32bits(fn)>>31)
	nf := float32(n)
	r := x - nf*ln2hi - nf*ln2lo
	// e**r on [-0.35, 0.35], Horner form (Cephes expf coefficients).
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	p = p*r*r + r + 1
	// scale by 2**n (n in [-126, 128]); split to stay within exponent range.
	if n < -125 {
		return p * math.Float32frombits(uint32(n+127+64)<<23) * (1.0 / (1 << 64))
	}
	if n > 127 {
		return p * 2 * math.Float32frombits(uint32(n-1+127)<<23)
	}
	return p * math.Float32frombits(uint32(n+127)<<23)
}

// sgemm is the matrix-product backend (row-major): internal/blas picks
// OpenBLAS, the AVX2 assembly kernel or gonum.
var sgemm = blas.Sgemm
