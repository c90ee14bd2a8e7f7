// Package blas is the float32 matrix-product backend of the project: every
// dense product of the RBMs and autoencoders goes through Sgemm.
//
// All matrices are row-major. Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C,   op(X) = X or Xᵀ,
//
// with C m×n, op(A) m×k and op(B) k×n; lda, ldb and ldc are row strides
// (>= the stored width). The caller owns all three buffers; Sgemm writes only
// the m×n window of C. As in reference BLAS, beta == 0 means C is not read, so
// it may hold garbage (NaN) on entry, and alpha == 0 or k == 0 means A and B
// are not read. Shape and stride errors are programmer mistakes and panic
// with the same "blas: ..." messages as gonum. Sgemm is safe for concurrent
// use on disjoint outputs.
//
// # Backends
//
// Backend reports which implementation is active:
//
//   - "go-avx512" and "go-avx2": the default on amd64, chosen at start-up by
//     CPUID (AVX-512F, else AVX2+FMA). A Goto/BLIS style GEMM: blocks of
//     op(A) and op(B) are packed into contiguous panels (the packing absorbs
//     the transposes) and an assembly micro-kernel computes 6×32 (Z
//     registers) or 6×16 (Y registers) tiles of C with VFMADD231PS. C is cut
//     into column or row chunks that the cores take from a shared counter
//     (helper goroutines poll for the next product for 200µs before they
//     block, and the caller polls for the others' last chunks: waking an
//     idle core cost as much as a batch-100 product here); packing buffers come from a sync.Pool, so steady-state calls do not
//     allocate. Results differ from gonum's in the last bits only (another
//     summation order).
//   - "gonum": gonum.org/v1/gonum/blas/gonum, pure Go; used on other CPUs
//     and architectures, and with the build tag purego.
//   - "openblas": cblas_sgemm from the system OpenBLAS, the default when
//     built with the tag openblas (needs cgo and libopenblas-dev):
//     go test -tags openblas ./internal/blas/
//
// The environment variable DOCSEARCH_BLAS, read once at start-up, overrides
// the choice with one of the names above: DOCSEARCH_BLAS=gonum forces the
// gonum fallback (to compare results or speed), DOCSEARCH_BLAS=go-avx2 the
// AVX2 kernel on an AVX-512 machine or over OpenBLAS. A name this binary or
// CPU cannot run, or an unknown one, leaves the default in place.
//
// Saxpy (behind rbmstack/mat.Axpy, in the optimizer and up-down updates) and Sdot
// are level-1 helpers with AVX2 versions on the same CPUs.
package blas
