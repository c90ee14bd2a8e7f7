package blas

import (
	"runtime"
	"sync"

	"github.com/docsearch/docsearch/internal/par"
)

// Register and cache blocking of the packed GEMM (see doc.go). The micro-kernel
// computes an mr×nr tile of C from an mr×kc panel of op(A) and a kc×nr panel
// of op(B), nr = 16 (AVX2) or 32 (AVX-512). The kc×nr B panel (16 or 32 KiB)
// stays in L1 while the mc×kc block of A (144 KiB) stays in L2; the kc×nc
// block of B streams from L2/L3.
const (
	mr    = 6
	nrMax = 32
	kcMax = 256  // multiple of 8 (the transposing packers work on 8×8 blocks)
	mcMax = 144  // multiple of mr
	ncMax = 2048 // multiple of nrMax

	// minChunk is the smallest slice of C's split dimension one task takes:
	// each task repacks the whole other operand, which costs about one
	// element copy per 2*minChunk flops (< 3% at 256).
	minChunk = 256
	// parallelFlops is the size (2mnk) below which one goroutine does it all.
	parallelFlops = 1 << 21
)

// kernelSet selects a micro-kernel by the width nr of its B panels: 16 for
// kern6x16 (AVX2), 32 for kern6x32 (AVX-512).
type kernelSet struct{ nr int }

var (
	avx2Kernels   = kernelSet{nr: 16}
	avx512Kernels = kernelSet{nr: 32}
)

// kern runs the micro-kernel on a B panel whose rows are ldb apart (nr
// when packed; only the AVX-512 kernel reads B in place). The calls are
// direct, not through a function value, so that the compiler sees they do
// not let c escape.
func (ks *kernelSet) kern(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
	if ks.nr == 32 {
		kern6x32(kc, a, b, ldb, c, ldc, alpha, beta)
	} else {
		kern6x16(kc, a, b, c, ldc, alpha, beta)
	}
}

// inPlaceB reports whether g's micro-kernels read B where it lies instead
// of from packed panels: when B is not transposed, the kernel can (AVX-512),
// and op(A) has few rows, so that packing would cost a copy of the B block
// for every mcMax or fewer rows of A (at 100 rows, a sixth of the time of
// the 100x2000x500 product of training). Strides of a multiple of 1 KiB are
// packed all the same: their rows would fall into a few cache sets.
func (g *gemmArgs) inPlaceB(m int) bool {
	return !g.tB && g.ks.nr == 32 && m <= mcMax && g.ldb%256 != 0
}

// gemmArgs is one Sgemm call, already checked, with m, n, k > 0, alpha != 0.
type gemmArgs struct {
	ks          *kernelSet
	tA, tB      bool
	m, n, k     int
	alpha, beta float32
	a, b, c     []float32
	lda, ldb    int
	ldc         int
}

// scratch holds the packing buffers of one goroutine.
type scratch struct {
	a []float32 // mcMax×kcMax, as mr-row panels, plus slack for packAN6
	b []float32 // kcMax×ncMax, as nr-column panels
}

// Buffers above 32 KiB are page aligned by the Go allocator, so the packed
// panels start on cache-line boundaries.
var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		a: make([]float32, mcMax*kcMax+8),
		b: make([]float32, kcMax*ncMax),
	}
}}

// sgemmGo is the packed GEMM, after the arguments are checked and m, n > 0.
func sgemmGo(ks *kernelSet, tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	g := gemmArgs{ks: ks, tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	workers := runtime.GOMAXPROCS(0)
	if workers == 1 || 2*float64(m)*float64(n)*float64(k) < parallelFlops {
		s := scratchPool.Get().(*scratch)
		g.block(s, 0, m, 0, n)
		scratchPool.Put(s)
		return
	}
	// Split the longer side of C into chunks: a multiple of the tile, about
	// minChunk or more, 1 to 4 per worker so that a busy core does not hold
	// up the others.
	splitN := n >= m
	d, unit := m, mr
	if splitN {
		d, unit = n, ks.nr
	}
	chunks := workers * min(max(d/(minChunk*workers), 1), 4)
	size := roundUp(ceilDiv(d, chunks), unit)
	chunks = ceilDiv(d, size)
	if chunks == 1 {
		s := scratchPool.Get().(*scratch)
		g.block(s, 0, m, 0, n)
		scratchPool.Put(s)
		return
	}
	j := jobPool.Get().(*job)
	j.g, j.splitN, j.size = g, splitN, size
	par.Run(chunks, j)
	j.g = gemmArgs{} // drop the caller's slices
	jobPool.Put(j)
}

// job is one parallel Sgemm, cut into chunks of C (see internal/par for
// how the cores share them).
type job struct {
	g      gemmArgs
	splitN bool
	size   int
}

var jobPool = sync.Pool{New: func() any { return new(job) }}

// Do computes chunk i.
func (j *job) Do(i int) {
	s := scratchPool.Get().(*scratch)
	lo := i * j.size
	if j.splitN {
		j.g.block(s, 0, j.g.m, lo, min(lo+j.size, j.g.n))
	} else {
		j.g.block(s, lo, min(lo+j.size, j.g.m), 0, j.g.n)
	}
	scratchPool.Put(s)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
func roundUp(a, b int) int { return ceilDiv(a, b) * b }

// block computes the window C[i0:i1, j0:j1] with the loops of Goto's
// algorithm: jc over nc-wide column blocks, pc over kc-deep slices of the
// product (pack op(B)), ic over mc-high row blocks (pack op(A)), then the
// macro-kernel over micro-panels.
func (g *gemmArgs) block(s *scratch, i0, i1, j0, j1 int) {
	m, n, k := i1-i0, j1-j0, g.k
	kc := min(roundUp(ceilDiv(k, ceilDiv(k, kcMax)), 8), kcMax)
	mc := roundUp(ceilDiv(m, ceilDiv(m, mcMax)), mr)
	nc := roundUp(ceilDiv(n, ceilDiv(n, ncMax)), g.ks.nr)
	inPlace := g.inPlaceB(m)
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			beta := g.beta
			if pc > 0 {
				beta = 1
			}
			g.packB(s.b, pc, kcb, j0+jc, ncb, inPlace)
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				g.packA(s.a, i0+ic, mcb, pc, kcb)
				g.macro(s, kcb, mcb, ncb, i0+ic, j0+jc, pc, beta, inPlace)
			}
		}
	}
}

// macro runs the micro-kernel over the packed mcb×kcb block of A and the
// kcb×ncb block of B at rows pc.. (packed, or in place for its full panels),
// updating C[ci:ci+mcb, cj:cj+ncb]. Edge tiles are computed into a local
// tile and merged with scalar code.
func (g *gemmArgs) macro(s *scratch, kcb, mcb, ncb, ci, cj, pc int, beta float32, inPlace bool) {
	c, ldc, alpha := g.c, g.ldc, g.alpha
	ks := g.ks
	nr := ks.nr
	for jr := 0; jr < ncb; jr += nr {
		nrr := min(nr, ncb-jr)
		bp, ldb := &s.b[jr*kcb], nr
		if inPlace && nrr == nr {
			bp, ldb = &g.b[pc*g.ldb+cj+jr], g.ldb
		}
		for ir := 0; ir < mcb; ir += mr {
			mrr := min(mr, mcb-ir)
			ap := &s.a[ir*kcb]
			off := (ci+ir)*ldc + cj + jr
			if mrr == mr && nrr == nr {
				ks.kern(kcb, ap, bp, ldb, &c[off], ldc, alpha, beta)
				continue
			}
			var t [mr * nrMax]float32
			ks.kern(kcb, ap, bp, ldb, &t[0], nr, 1, 0)
			for r := range mrr {
				row := c[off+r*ldc : off+r*ldc+nrr]
				tr := t[r*nr : r*nr+nrr]
				if beta == 0 {
					for j := range row {
						row[j] = alpha * tr[j]
					}
				} else {
					for j := range row {
						row[j] = alpha*tr[j] + beta*row[j]
					}
				}
			}
		}
	}
}

// packA packs op(A)[i0:i0+mc, p0:p0+kc] into dst as mr-row panels; panel r
// holds element (i, p) at r*mr*kc + p*mr + i%mr. Rows past mc are zero.
func (g *gemmArgs) packA(dst []float32, i0, mc, p0, kc int) {
	a, lda := g.a, g.lda
	for ir := 0; ir < mc; ir += mr {
		mrr := min(mr, mc-ir)
		d := dst[ir*kc : ir*kc+mr*kc]
		i := i0 + ir
		switch {
		case !g.tA && mrr == mr:
			kc8 := kc &^ 7
			if kc8 > 0 {
				// Writes 2 values past step kc8 (dst has slack at the end).
				packAN6(kc8, &a[i*lda+p0], lda, &d[0])
			}
			for p := kc8; p < kc; p++ {
				o := d[p*mr : p*mr+mr]
				for r := range o {
					o[r] = a[(i+r)*lda+p0+p]
				}
			}
		case g.tA && mrr == mr:
			packAT6(kc, &a[p0*lda+i], lda, &d[0])
		default: // last, partial panel: rows past mrr are zero
			packEdge(d, a, i, p0, mrr, mr, kc, lda, !g.tA)
		}
	}
}

// packB packs op(B)[p0:p0+kc, j0:j0+nc] into dst as nr-column panels; panel
// holds element (p, j) at (j/nr)*nr*kc + p*nr + j%nr. Columns past nc are zero.
// With inPlace it packs only the last panel if partial: the kernel reads the
// full ones in place.
func (g *gemmArgs) packB(dst []float32, p0, kc, j0, nc int, inPlace bool) {
	b, ldb, nr := g.b, g.ldb, g.ks.nr
	kc8 := kc &^ 7
	for jr := 0; jr < nc; jr += nr {
		nrr := min(nr, nc-jr)
		d := dst[jr*kc : jr*kc+nr*kc]
		j := j0 + jr
		switch {
		case inPlace && nrr == nr: // read in place by the kernel
		case !g.tB && nrr == nr:
			packBN(kc, &b[p0*ldb+j], ldb, &d[0], nr)
		case g.tB && nrr == nr:
			if kc8 > 0 {
				packBT(kc8, &b[j*ldb+p0], ldb, &d[0], nr)
			}
			for p := kc8; p < kc; p++ {
				o := d[p*nr : p*nr+nr]
				for q := range o {
					o[q] = b[(j+q)*ldb+p0+p]
				}
			}
		default: // last, partial panel: columns past nrr are zero
			packEdge(d, b, j, p0, nrr, nr, kc, ldb, g.tB)
		}
	}
}

// packEdge packs a partial panel: w of its lanes from the matrix x, the rest
// zero: d[p*width+q] = X[q0+q][p0+p] for q < w, where X is x (stride ldx) if
// rowsAreLanes, else its transpose.
func packEdge(d, x []float32, q0, p0, w, width, kc, ldx int, rowsAreLanes bool) {
	for p := range kc {
		clear(d[p*width+w : p*width+width])
	}
	if rowsAreLanes {
		for q := range w {
			row := x[(q0+q)*ldx+p0 : (q0+q)*ldx+p0+kc]
			for p, v := range row {
				d[p*width+q] = v
			}
		}
		return
	}
	for p := range kc {
		copy(d[p*width:p*width+w], x[(p0+p)*ldx+q0:(p0+p)*ldx+q0+w])
	}
}
