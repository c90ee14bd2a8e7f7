//go:build amd64 && !purego

package blas

import "golang.org/x/sys/cpu"

// hasAVX2 and hasAVX512 report whether the CPU (and OS) support the AVX2+FMA
// and the AVX-512F assembly.
var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F
)

// kern6x16 computes the 6×16 tile C = alpha*A*B + beta*C from a packed 6×kc
// panel a and kc×16 panel b (C is not read when beta == 0); ldc is in
// elements. AVX2+FMA. See kernGo.
//
//go:noescape
func kern6x16(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// kern6x32 is kern6x16 for a 6×32 tile and a kc×32 panel b whose rows
// are ldb elements apart: 32 for a packed panel, the matrix's own stride
// when B is read where it lies. AVX-512F.
//
//go:noescape
func kern6x32(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// packBN copies kc rows of w (16 or 32) values, ldb apart, into dst
// contiguously.
//
//go:noescape
func packBN(kc int, src *float32, ldb int, dst *float32, w int)

// packBT transposes w (a multiple of 8) rows, ldb apart, of kc8 (a multiple
// of 8) values into dst: dst[p*w+q] = src[q*ldb+p].
//
//go:noescape
func packBT(kc8 int, src *float32, ldb int, dst *float32, w int)

// packAN6 packs kc8 (a multiple of 8) steps of 6 rows of a row-major A,
// lda apart: dst[p*6+r] = src[r*lda+p]. It writes 2 values past
// dst[kc8*6-1], which the caller must own and overwrite afterwards.
//
//go:noescape
func packAN6(kc8 int, src *float32, lda int, dst *float32)

// packAT6 packs kc steps of 6 consecutive values, lda apart:
// dst[p*6+r] = src[p*lda+r].
//
//go:noescape
func packAT6(kc int, src *float32, lda int, dst *float32)

//go:noescape
func sdotAVX2(n int, x, y *float32) float32

//go:noescape
func saxpyAVX2(n int, alpha float32, x, y *float32)

func sdot(x, y []float32) float32 {
	if !hasAVX2 || len(x) < 16 {
		return sdotGo(x, y)
	}
	return sdotAVX2(len(x), &x[0], &y[0])
}

func saxpy(alpha float32, x, y []float32) {
	if !hasAVX2 || len(x) < 16 {
		saxpyGo(alpha, x, y)
		return
	}
	saxpyAVX2(len(x), alpha, &x[0], &y[0])
}

// sparseRow64 sets acc[0:64] to the sum over t < n of val[t] times the 64
// values of B's row idx[t] (rows ldb elements apart) from b on, with fused
// multiply-adds in order of t from +0. AVX2+FMA.
//
//go:noescape
func sparseRow64(n int, idx *int32, val *float32, b *float32, ldb int, acc *float32)

// nonzeroMask sets bit q of mask[w] iff the bits of x[64w+q] are not all
// zero (a -0 counts), for w < nw. AVX2.
//
//go:noescape
func nonzeroMask(nw int, x *float32, mask *uint64)

// sscalToAVX2 sets y[i] = alpha*x[i]; x and y may be the same. AVX2.
//
//go:noescape
func sscalToAVX2(n int, alpha float32, x, y *float32)

// sscalTo sets y = alpha*x element by element (needs hasAVX2).
func sscalTo(alpha float32, x, y []float32) {
	if len(x) > 0 {
		sscalToAVX2(len(x), alpha, &x[0], &y[0])
	}
}

// saxpyFMA sets y = fma(alpha, x, y) element by element with the FMA
// instruction, the micro-kernels' arithmetic (needs hasAVX2).
func saxpyFMA(alpha float32, x, y []float32) {
	if len(x) > 0 {
		saxpyAVX2(len(x), alpha, &x[0], &y[0])
	}
}
