//go:build amd64 && !purego

package mat

import "golang.org/x/sys/cpu"

// hasAVX512 reports whether the CPU (and OS) support the AVX-512F kernels.
var hasAVX512 = cpu.X86.HasAVX512F

// sigmoid16 is sigmoidGo over x[0:n], n a multiple of 16, 16 values at a
// time with the same float32 operations in the same order, so that its
// results are those of sigmoidGo bit for bit (TestSigmoidBitForBit).
// AVX-512F.
//
//go:noescape
func sigmoid16(x *float32, n int)

// momentum16 is momentumGo over the first n values, n a multiple of 16,
// with the same operations in the same order. AVX-512F.
//
//go:noescape
func momentum16(w, inc, grad *float32, n int, mom, lr, wd float32)

// adam16 is adamGo over the first n values, n a multiple of 16, with the
// same operations in the same order. AVX-512F.
//
//go:noescape
func adam16(p, grad, m, v *float32, n int, lr float32)

// expShift16 sets x[i] = Exp(x[i] - shift) over x[0:n], n a multiple of
// 16, as Exp does it. AVX-512F.
//
//go:noescape
func expShift16(x *float32, n int, shift float32)
