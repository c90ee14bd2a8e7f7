//go:build openblas && cgo

package blas

import "github.com/docsearch/docsearch/internal/blas/openblas"

// haveOpenBLAS reports whether the OpenBLAS backend is compiled in (build
// tag openblas, with cgo).
const haveOpenBLAS = true

func sgemmOpenBLAS(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 || alpha == 0 {
		// a or b may be empty; reference BLAS only scales C here.
		scaleC(m, n, beta, c, ldc)
		return
	}
	openblas.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
