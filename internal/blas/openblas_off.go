//go:build !(openblas && cgo)

package blas

// haveOpenBLAS reports whether the OpenBLAS backend is compiled in (build
// tag openblas, with cgo).
const haveOpenBLAS = false

func sgemmOpenBLAS(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	panic("blas: OpenBLAS backend not built in (build tag openblas)")
}
