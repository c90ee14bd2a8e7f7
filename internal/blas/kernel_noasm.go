//go:build !amd64 || purego

package blas

const (
	hasAVX2   = false
	hasAVX512 = false
)

func kern6x16(kc int, a, b, c *float32, ldc int, alpha, beta float32) {
	kernGo(kc, a, b, 16, c, ldc, alpha, beta, 16)
}

func kern6x32(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
	kernGo(kc, a, b, ldb, c, ldc, alpha, beta, 32)
}

func packBN(kc int, src *float32, ldb int, dst *float32, w int) { packBNGo(kc, src, ldb, dst, w) }

func packBT(kc8 int, src *float32, ldb int, dst *float32, w int) { packBTGo(kc8, src, ldb, dst, w) }

func packAN6(kc8 int, src *float32, lda int, dst *float32) { packAN6Go(kc8, src, lda, dst) }

func packAT6(kc int, src *float32, lda int, dst *float32) { packAT6Go(kc, src, lda, dst) }

func sdot(x, y []float32) float32 { return sdotGo(x, y) }

func saxpy(alpha float32, x, y []float32) { saxpyGo(alpha, x, y) }

// saxpyFMA is never called without the FMA kernels (sgemmSparse runs on
// their backends only).
func saxpyFMA(alpha float32, x, y []float32) {
	panic("blas: saxpyFMA without FMA kernels")
}

func sparseRow64(n int, idx *int32, val *float32, b *float32, ldb int, acc *float32) {
	panic("blas: sparseRow64 without FMA kernels")
}

func sscalTo(alpha float32, x, y []float32) {
	panic("blas: sscalTo without FMA kernels")
}

func nonzeroMask(nw int, x *float32, mask *uint64) {
	panic("blas: nonzeroMask without FMA kernels")
}
