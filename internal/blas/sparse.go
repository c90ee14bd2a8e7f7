package blas

import (
	"math"
	"math/bits"
	"sync"

	"github.com/docsearch/docsearch/internal/par"
)

// A product whose op(A) is mostly zeros, as the word counts of documents
// (a few percent of a 2,000-word vocabulary) and the words sampled from a
// replicated-softmax RBM are, wastes the packed GEMM's work on zero terms.
// sgemmSparse computes it from op(A)'s nonzeros alone, term by term with
// the same fused multiply-adds, and gives the packed GEMM's results bit for
// bit (TestSgemmSparse compares every element):
//
//   - each element of C sums its terms in the order of the inner index, in
//     slices of kc (the packed GEMM's depth blocks) that start from zero; a
//     zero term leaves a sum that started from +0 unchanged, so skipping it
//     changes nothing;
//   - each slice's sum acc is merged into C as the micro-kernel stores it,
//     alpha*acc for beta = 0 and fma(alpha, acc, beta*C) otherwise (beta 1
//     after the first slice), except in the edge tiles (the last m%mr rows
//     and n%nr columns), which the packed GEMM merges with Go's
//     alpha*acc + beta*C.
//
// It runs only on the FMA kernels' backends (go-avx2, go-avx512) and only
// when op(B) is B itself.

// sparseDensity is the share of nonzeros of op(A) above which the packed
// GEMM is faster: a nonzero costs a pass over a row of B (memory-bound
// fused multiply-adds) where the packed GEMM does a dense term at several
// times the rate.
const sparseDensity = 1.0 / 8

// sparseMinFlops is the size (2mnk) below which scanning op(A) is not worth
// it.
const sparseMinFlops = 1 << 20

// wideTerms is the mean number of terms a row of op(A) below which each
// term is a pass over a whole row of B, rather than over column blocks
// of sparseCols with the sums in registers (sparseRow64), which pays per
// block.
const wideTerms = 8

// sparseCols is the width of the column blocks of B and C: a block of B
// (k × sparseCols) stays in L2 while the rows of A pass over it.
const sparseCols = 64 // sparseRow64's width

// csr holds op(A)'s nonzeros row by row: row i's are idx[ptr[i]:ptr[i+1]]
// (inner indices, ascending) and val[ptr[i]:ptr[i+1]].
type csr struct {
	ptr  []int32
	idx  []int32
	val  []float32
	next []int32  // scratch of the transposed fill
	mask []uint64 // nonzero bits of one row of A
	rows []uint64 // those of every row of A (transposed fill)
}

var csrPool = sync.Pool{New: func() any { return new(csr) }}

// sparseRows returns op(A)'s nonzeros, or false when there are more than
// sparseDensity of its m*k elements (it stops reading A as soon as there
// are).
func sparseRows(s *csr, tA bool, m, k int, a []float32, lda int) bool {
	limit := int(sparseDensity * float64(m) * float64(k))
	s.ptr = append(s.ptr[:0], make([]int32, m+1)...)
	s.idx, s.val = s.idx[:0], s.val[:0]
	if !tA {
		for i := range m {
			row := a[i*lda : i*lda+k]
			for w, bitsW := range s.nonzeros(row) {
				for ; bitsW != 0; bitsW &= bitsW - 1 {
					p := w*64 + bits.TrailingZeros64(bitsW)
					s.idx = append(s.idx, int32(p))
					s.val = append(s.val, row[p])
				}
			}
			if len(s.idx) > limit {
				return false
			}
			s.ptr[i+1] = int32(len(s.idx))
		}
		return true
	}
	// op(A) = Aᵀ: row i of op(A) is column i of A (k×m). Count, then fill
	// in order of p, so that each row's indices ascend.
	s.rows = s.rows[:0]
	nnz := 0
	for p := range k {
		masks := s.nonzeros(a[p*lda : p*lda+m])
		for w, bitsW := range masks {
			for ; bitsW != 0; bitsW &= bitsW - 1 {
				s.ptr[w*64+bits.TrailingZeros64(bitsW)+1]++
				nnz++
			}
		}
		if nnz > limit {
			return false
		}
		s.rows = append(s.rows, masks...)
	}
	for i := range m {
		s.ptr[i+1] += s.ptr[i]
	}
	s.idx = append(s.idx, make([]int32, nnz)...)
	s.val = append(s.val, make([]float32, nnz)...)
	s.next = append(s.next[:0], s.ptr[:m]...)
	nw := ceilDiv(m, 64)
	for p := range k {
		row := a[p*lda : p*lda+m]
		for w, bitsW := range s.rows[p*nw : (p+1)*nw] {
			for ; bitsW != 0; bitsW &= bitsW - 1 {
				i := w*64 + bits.TrailingZeros64(bitsW)
				q := s.next[i]
				s.idx[q], s.val[q] = int32(p), row[i]
				s.next[i]++
			}
		}
	}
	return true
}

// nonzeros writes to s.mask the nonzero bits of x (a -0 counts: its term
// adds nothing, as a zero's) and returns them, 64 values a word.
func (s *csr) nonzeros(x []float32) []uint64 {
	nw := ceilDiv(len(x), 64)
	s.mask = append(s.mask[:0], make([]uint64, nw)...)
	full := len(x) / 64
	if full > 0 {
		nonzeroMask(full, &x[0], &s.mask[0])
	}
	for j := full * 64; j < len(x); j++ {
		if math.Float32bits(x[j]) != 0 {
			s.mask[full] |= 1 << (j % 64)
		}
	}
	return s.mask
}

// trySparse computes the product with sgemmSparse and reports true when
// op(A) is sparse enough; otherwise it leaves C alone and reports false.
func trySparse(ks *kernelSet, tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) bool {
	// The packed GEMM's kernels are Go code without FMA otherwise.
	if !hasAVX2 || tB || k == 0 || alpha == 0 || 2*float64(m)*float64(n)*float64(k) < sparseMinFlops {
		return false
	}
	// The nonzeros are counted and indexed in int32.
	if sparseDensity*float64(m)*float64(k) >= math.MaxInt32 || k > math.MaxInt32 {
		return false
	}
	s := csrPool.Get().(*csr)
	defer csrPool.Put(s)
	if !sparseRows(s, tA, m, k, a, lda) {
		return false
	}
	sgemmSparse(ks, s, m, n, k, alpha, b, ldb, beta, c, ldc)
	return true
}

// accPool holds the sums of one task of sgemmSparse.
var accPool sync.Pool

// sgemmSparse is the product from op(A)'s nonzeros s (see above). Each task
// goes over column blocks of C, and within one block over its rows, so
// that the block of B serves them all from cache.
func sgemmSparse(ks *kernelSet, s *csr, m, n, k int, alpha float32, b []float32, ldb int, beta float32, c []float32, ldc int) {
	kc := min(roundUp(ceilDiv(k, ceilDiv(k, kcMax)), 8), kcMax)
	mFull, nFull := m/mr*mr, n/ks.nr*ks.nr
	// Rows per task: at least par.Grain multiply-adds and stores.
	grain := max(1, par.Grain/((int(s.ptr[m])/m+ceilDiv(k, kc))*n+1))
	// Few terms a row: one block as wide as C, each term a pass over a
	// whole row of B; else blocks of sparseCols, the sums in registers.
	bw := sparseCols
	if int(s.ptr[m]) < wideTerms*m {
		bw = n
	}
	par.For(m, grain, func(lo, hi int) {
		ap, _ := accPool.Get().(*[]float32)
		if ap == nil || len(*ap) < max(bw, sparseCols) {
			buf := make([]float32, max(bw, sparseCols))
			ap = &buf
		}
		acc := *ap
		for j0 := 0; j0 < n; j0 += bw {
			w := min(bw, n-j0)
			for i := lo; i < hi; i++ {
				idx, val := s.idx[s.ptr[i]:s.ptr[i+1]], s.val[s.ptr[i]:s.ptr[i+1]]
				crow := c[i*ldc+j0 : i*ldc+j0+w]
				if len(idx) == 0 && emptyRow(crow, k, kc, alpha, beta) {
					continue
				}
				// Columns [j0, full) of this row are in full tiles.
				full := 0
				if i < mFull {
					full = min(w, max(0, nFull-j0))
				}
				t := 0
				for p0 := 0; p0 < k; p0 += kc {
					t0 := t
					for t < len(idx) && int(idx[t]) < p0+kc {
						t++
					}
					a := acc[:w]
					switch {
					case w == sparseCols:
						sparseRow64(t-t0, idxAt(idx, t0), valAt(val, t0), &b[j0], ldb, &a[0])
					case w < sparseCols && n >= sparseCols:
						// The last, narrower block: the kernel's 64
						// columns ending at n, of which the last w are
						// this block's (the others are recomputed, not
						// merged again).
						js := n - sparseCols
						sparseRow64(t-t0, idxAt(idx, t0), valAt(val, t0), &b[js], ldb, &acc[0])
						a = acc[j0-js : sparseCols]
					default:
						clear(a)
						for q := t0; q < t; q++ {
							p := int(idx[q])
							saxpyFMA(val[q], b[p*ldb+j0:p*ldb+j0+w], a)
						}
					}
					bb := beta
					if p0 > 0 {
						bb = 1
					}
					merge(crow, a, full, alpha, bb)
				}
			}
		}
		accPool.Put(ap)
	})
}

// idxAt and valAt return &x[i], or nil past the end (sparseRow64 reads
// nothing then).
func idxAt(x []int32, i int) *int32 {
	if i < len(x) {
		return &x[i]
	}
	return nil
}

func valAt(x []float32, i int) *float32 {
	if i < len(x) {
		return &x[i]
	}
	return nil
}

// emptyRow stores the row c of a product whose op(A) row has no nonzero
// when that is cheaper than merging zero sums, and reports whether it
// did: every slice merges alpha*0 (z), so with beta 0 the row becomes z,
// and with beta 1 and z = -0 it stays as it is (c + -0 = c, bit for bit).
func emptyRow(c []float32, k, kc int, alpha, beta float32) bool {
	z := alpha * 0
	neg := math.Signbit(float64(z))
	switch {
	case beta == 0 && k <= kc && !neg:
		clear(c)
	case beta == 1 && neg:
	default:
		return false
	}
	return true
}

// merge stores one depth slice's sums acc into the row c as the packed
// GEMM does: its first full elements as the micro-kernel, the rest as the
// edge tiles' Go code.
func merge(c, acc []float32, full int, alpha, beta float32) {
	if beta == 0 {
		sscalTo(alpha, acc, c)
		return
	}
	if beta != 1 {
		sscalTo(beta, c[:full], c[:full])
	}
	saxpyFMA(alpha, acc[:full], c[:full])
	for j := full; j < len(c); j++ {
		c[j] = alpha*acc[j] + beta*c[j]
	}
}
