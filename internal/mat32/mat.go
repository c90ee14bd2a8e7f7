// Package mat32 holds the float32 dense-matrix kernels shared by the RBMs
// and the autoencoders: a row-major matrix view, the matrix product (handed
// to internal/blas), and fast elementwise activations.
//
// Ownership: a Mat is a view; Data is shared, never copied implicitly.
// Functions named XTo write into a caller-supplied destination.
package mat32

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/blas"
	"github.com/docsearch/docsearch/internal/par"
)

// Mat is a row-major Rows x Cols matrix stored contiguously in Data.
type Mat struct {
	Rows, Cols int
	Data       []float32
}

// New returns a zeroed r x c matrix.
func New(r, c int) Mat { return Mat{Rows: r, Cols: c, Data: make([]float32, r*c)} }

// View wraps data (len >= r*c) as an r x c matrix.
func View(r, c int, data []float32) Mat {
	if len(data) < r*c {
		panic(fmt.Sprintf("mat32: View %dx%d over %d values", r, c, len(data)))
	}
	return Mat{Rows: r, Cols: c, Data: data[:r*c]}
}

// Row returns row i, aliasing m.
func (m Mat) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// Resize returns a view of m's storage as r x c, growing it if needed.
// It is how workspaces are reused across minibatches of varying size.
func (m Mat) Resize(r, c int) Mat {
	if cap(m.Data) < r*c {
		return New(r, c)
	}
	return Mat{Rows: r, Cols: c, Data: m.Data[:r*c]}
}

// Mul computes dst = alpha*op(a)*op(b) + beta*dst, where op(x) is x or its
// transpose. It panics on a shape mismatch.
func Mul(dst Mat, a Mat, ta bool, b Mat, tb bool, alpha, beta float32) {
	m, k := a.Rows, a.Cols
	if ta {
		m, k = k, m
	}
	k2, n := b.Rows, b.Cols
	if tb {
		k2, n = n, k2
	}
	if k != k2 || dst.Rows != m || dst.Cols != n {
		panic(fmt.Sprintf("mat32: Mul shape mismatch: op(a) %dx%d, op(b) %dx%d, dst %dx%d", m, k, k2, n, dst.Rows, dst.Cols))
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
func AddRowVec(m Mat, v []float32) {
	if len(v) != m.Cols {
		panic("mat32: AddRowVec length mismatch")
	}
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for j := range r {
			r[j] += v[j]
		}
	}
}

// AddScaledRowVec adds s[i]*v to row i of m.
func AddScaledRowVec(m Mat, s []float32, v []float32) {
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		si := s[i]
		for j := range r {
			r[j] += si * v[j]
		}
	}
}

// ColSumsTo sets dst = beta*dst + alpha*(sum of m's rows).
func ColSumsTo(dst []float32, m Mat, alpha, beta float32) {
	if len(dst) != m.Cols {
		panic("mat32: ColSumsTo length mismatch")
	}
	// Columns in float32 blocks of 8 rows summed into float64 partials:
	// no allocation, and the float32 error stays at 8 terms.
	for j0 := 0; j0 < m.Cols; j0 += colBlock {
		j1 := min(j0+colBlock, m.Cols)
		var acc [colBlock]float64
		a := acc[:j1-j0]
		for i0 := 0; i0 < m.Rows; i0 += 8 {
			var part [colBlock]float32
			p := part[:j1-j0]
			for i := i0; i < min(i0+8, m.Rows); i++ {
				r := m.Data[i*m.Cols+j0 : i*m.Cols+j1]
				for j, x := range r {
					p[j] += x
				}
			}
			for j, x := range p {
				a[j] += float64(x)
			}
		}
		for j := j0; j < j1; j++ {
			dst[j] = beta*dst[j] + alpha*float32(a[j-j0])
		}
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

// elementwise work below this many values runs on one goroutine.
const parGrain = 1 << 14

// Sigmoid sets x[i] = 1/(1+exp(-x[i])) in place, on all cores for large x.
func Sigmoid(x []float32) {
	par.For(len(x), parGrain, func(lo, hi int) {
		sigmoid(x[lo:hi])
	})
}

func sigmoid(x []float32) {
	for i, v := range x {
		x[i] = 1 / (1 + Exp(-v))
	}
}

// SoftmaxRows replaces each row of m by its softmax.
func SoftmaxRows(m Mat) {
	par.For(m.Rows, max(1, parGrain/max(1, m.Cols)), func(lo, hi int) {
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
	var s float32
	for j, v := range r {
		e := Exp(v - mx)
		r[j] = e
		s += e
	}
	inv := 1 / s
	for j := range r {
		r[j] *= inv
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
	n := int32(fn)
	if fn < 0 {
		n-- // floor
	}
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
