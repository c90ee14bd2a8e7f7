package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sparseSlice returns n values, each nonzero with probability density:
// small whole counts when counts is set (as word counts), else normal.
func sparseSlice(rng *rand.Rand, n int, density float64, counts bool) []float32 {
	s := make([]float32, n)
	for i := range s {
		if rng.Float64() < density {
			if counts {
				s[i] = float32(1 + rng.IntN(3))
			} else {
				s[i] = float32(rng.NormFloat64())
			}
		}
	}
	return s
}

// TestSgemmSparse checks that a product with a mostly-zero op(A) gives the
// packed GEMM's results bit for bit on each FMA backend: shapes with edge
// tiles in both directions, several depth slices (k > kcMax), both
// transposes of A, and every alpha, beta pair of scalars (with C's prior
// values kept when beta != 0); and that a dense op(A) is left to the
// packed GEMM.
func TestSgemmSparse(t *testing.T) {
	t.Parallel()
	shapes := [][3]int{{100, 2000, 500}, {2000, 100, 500}, {103, 700, 77}, {61, 300, 1000}, {7, 2100, 45}}
	if testing.Short() {
		shapes = [][3]int{{103, 700, 77}, {61, 300, 100}}
	}
	for _, ks := range []*kernelSet{&avx2Kernels, &avx512Kernels} {
		if ks.nr == 16 && !hasAVX2 || ks.nr == 32 && !hasAVX512 {
			continue
		}
		for si, s := range shapes {
			m, k, n := s[0], s[1], s[2]
			for _, tA := range []bool{false, true} {
				rng := rand.New(rand.NewPCG(uint64(si), uint64(ks.nr)))
				a := sparseSlice(rng, m*k, 0.04, si%2 == 0)
				b := randSlice(rng, k*n)
				c0 := randSlice(rng, m*n)
				for i := 0; i < len(c0); i += 7 {
					c0[i] = float32(math.Copysign(0, -1)) // a -0 that +0 would turn to +0
				}
				lda := k
				if tA {
					lda = m
				}
				// 0.01 and 0.7, unlike the powers of two, round when
				// multiplied: fused and unfused merges differ.
				for _, alpha := range []float32{1, -0.5, 2, 0.01, -0.3} {
					for _, beta := range []float32{0, 1, -0.5, 0.7} {
						want := append([]float32(nil), c0...)
						sgemmGo(ks, tA, false, m, n, k, alpha, a, lda, b, n, beta, want, n)
						got := append([]float32(nil), c0...)
						if !trySparse(ks, tA, false, m, n, k, alpha, a, lda, b, n, beta, got, n) {
							t.Fatalf("nr %d %dx%dx%d tA %v: a 4%% dense A was not taken as sparse", ks.nr, m, k, n, tA)
						}
						if i := firstDiff(got, want); i >= 0 {
							t.Errorf("nr %d %dx%dx%d tA %v alpha %g beta %g: C[%d,%d] = %x, packed GEMM %x",
								ks.nr, m, k, n, tA, alpha, beta, i/n, i%n, math.Float32bits(got[i]), math.Float32bits(want[i]))
						}
					}
				}
				dense := randSlice(rng, m*k)
				if trySparse(ks, tA, false, m, n, k, 1, dense, lda, b, n, 0, make([]float32, m*n), n) {
					t.Errorf("nr %d %dx%dx%d tA %v: a dense A was taken as sparse", ks.nr, m, k, n, tA)
				}
			}
		}
	}
}

// firstDiff returns the first index where a and b differ in their bits, or -1.
func firstDiff(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// BenchmarkSgemmSparse runs the products of replicated-softmax training
// with 4% of op(A) nonzero (word counts), sparse path against the packed
// GEMM; GFLOP/s counts the dense product's 2mnk flops.
func BenchmarkSgemmSparse(b *testing.B) {
	ks := &avx2Kernels
	if hasAVX512 {
		ks = &avx512Kernels
	}
	if !hasAVX2 {
		b.Skip("no FMA kernels")
	}
	for _, s := range []struct {
		name    string
		tA      bool
		m, k, n int
	}{
		{"100x2000x500", false, 100, 2000, 500},
		{"2000x100x500_AT", true, 2000, 100, 500},
	} {
		rng := rand.New(rand.NewPCG(1, 1))
		a := sparseSlice(rng, s.m*s.k, 0.04, true)
		bb := randSlice(rng, s.k*s.n)
		c := make([]float32, s.m*s.n)
		lda := s.k
		if s.tA {
			lda = s.m
		}
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		for _, path := range []string{"sparse", "packed"} {
			b.Run(fmt.Sprintf("%s/%s", s.name, path), func(b *testing.B) {
				for b.Loop() {
					if path == "packed" || !trySparse(ks, s.tA, false, s.m, s.n, s.k, 1, a, lda, bb, s.n, 0, c, s.n) {
						sgemmGo(ks, s.tA, false, s.m, s.n, s.k, 1, a, lda, bb, s.n, 0, c, s.n)
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
