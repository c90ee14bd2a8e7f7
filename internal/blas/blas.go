package blas

import (
	"os"

	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// EnvBackend is the environment variable that overrides the backend choice
// (see the package documentation).
const EnvBackend = "DOCSEARCH_BLAS"

// backend identifies one Sgemm implementation.
type backend int

const (
	backendGonum backend = iota
	backendAVX2
	backendAVX512
	backendOpenBLAS
)

func (b backend) String() string {
	switch b {
	case backendAVX2:
		return "go-avx2"
	case backendAVX512:
		return "go-avx512"
	case backendOpenBLAS:
		return "openblas"
	default:
		return "gonum"
	}
}

// available reports whether this binary and CPU can run b.
func (b backend) available() bool {
	switch b {
	case backendAVX2:
		return hasAVX2
	case backendAVX512:
		return hasAVX512
	case backendOpenBLAS:
		return haveOpenBLAS
	default:
		return true
	}
}

// active is the backend Sgemm uses, fixed at start-up.
var active = selectBackend(os.Getenv(EnvBackend))

// selectBackend picks the fastest available backend unless env names another
// available one.
func selectBackend(env string) backend {
	for _, b := range []backend{backendGonum, backendAVX2, backendAVX512, backendOpenBLAS} {
		if env == b.String() && b.available() {
			return b
		}
	}
	switch {
	case haveOpenBLAS:
		return backendOpenBLAS
	case hasAVX512:
		return backendAVX512
	case hasAVX2:
		return backendAVX2
	default:
		return backendGonum
	}
}

// Backend names the active Sgemm implementation: "go-avx512", "go-avx2",
// "gonum" or "openblas".
func Backend() string { return active.String() }

// Panic messages, identical to gonum's.
const (
	mLT0   = "blas: m < 0"
	nLT0   = "blas: n < 0"
	kLT0   = "blas: k < 0"
	badLdA = "blas: bad leading dimension of A"
	badLdB = "blas: bad leading dimension of B"
	badLdC = "blas: bad leading dimension of C"
	shortA = "blas: insufficient length of a"
	shortB = "blas: insufficient length of b"
	shortC = "blas: insufficient length of c"
	badLen = "blas: x and y lengths differ"
)

// Sgemm computes C = alpha * op(A) * op(B) + beta * C for row-major float32
// matrices, where op(X) = Xᵀ if the matching flag tA or tB is set and X
// otherwise. C is m×n, op(A) is m×k and op(B) is k×n; lda, ldb and ldc are
// the row strides of the stored A (m×k, or k×m if tA), B (k×n, or n×k if tB)
// and C. When beta == 0, C is overwritten without being read.
// Sgemm panics on negative sizes, short strides or short slices.
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmWith(active, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmWith is Sgemm on a given backend, for tests and benchmarks.
func sgemmWith(be backend, tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkSgemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	switch be {
	case backendAVX2:
		if !trySparse(&avx2Kernels, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
			sgemmGo(&avx2Kernels, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}
	case backendAVX512:
		if !trySparse(&avx512Kernels, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
			sgemmGo(&avx512Kernels, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}
	case backendOpenBLAS:
		sgemmOpenBLAS(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	default:
		gonum.Implementation{}.Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

func trans(t bool) gblas.Transpose {
	if t {
		return gblas.Trans
	}
	return gblas.NoTrans
}

// checkSgemm panics, with gonum's messages, unless the arguments describe
// matrices that lie inside a, b and c.
func checkSgemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	if (tA && lda < max(1, m)) || (!tA && lda < max(1, k)) {
		panic(badLdA)
	}
	if (tB && ldb < max(1, k)) || (!tB && ldb < max(1, n)) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return
	}
	if (tA && len(a) < (k-1)*lda+m) || (!tA && len(a) < (m-1)*lda+k) {
		panic(shortA)
	}
	if (tB && len(b) < (n-1)*ldb+k) || (!tB && len(b) < (k-1)*ldb+n) {
		panic(shortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}
}

// scaleC sets C = beta * C over the m×n window (C = 0 when beta == 0, without
// reading C).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// Sdot returns the dot product sum_i x[i]*y[i]. It panics if len(x) != len(y).
func Sdot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(badLen)
	}
	return sdot(x, y)
}

// Saxpy computes y += alpha * x. It panics if len(x) != len(y).
func Saxpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic(badLen)
	}
	if alpha == 0 {
		return
	}
	saxpy(alpha, x, y)
}

func sdotGo(x, y []float32) float32 {
	var s0, s1, s2, s3 float32
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func saxpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}
