package blas

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShapes are the products of training, as op(A) m×k times op(B) k×n.
var benchShapes = []struct {
	name    string
	tA, tB  bool
	m, k, n int
}{
	{"100x784x1000", false, false, 100, 784, 1000},   // visible -> hidden, batch 100
	{"100x1000x784_BT", false, true, 100, 1000, 784}, // hidden -> visible, times Wᵀ
	{"784x100x1000_AT", true, false, 784, 100, 1000}, // weight gradient Vᵀ H
	{"100x2000x500", false, false, 100, 2000, 500},
	{"100x500x2000_BT", false, true, 100, 500, 2000}, // replicated softmax: hidden -> visible
	{"2000x100x500_AT", true, false, 2000, 100, 500}, // replicated softmax: weight gradient
	{"1000x2000x500", false, false, 1000, 2000, 500},
	{"2000x100x500", false, false, 2000, 100, 500},
	{"256x256x256", false, false, 256, 256, 256},
	{"1024x1024x1024", false, false, 1024, 1024, 1024},
}

// BenchmarkSgemm runs every shape on every available backend, named
// "<backend>/<m>x<k>x<n>", and reports GFLOP/s (2mnk flops per call).
func BenchmarkSgemm(b *testing.B) {
	for _, be := range backends() {
		for _, s := range benchShapes {
			b.Run(fmt.Sprintf("%v/%s", be, s.name), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				a, bb := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
				c := make([]float32, s.m*s.n)
				lda, ldb := s.k, s.n
				if s.tA {
					lda = s.m
				}
				if s.tB {
					ldb = s.k
				}
				b.ReportAllocs()
				b.SetBytes(int64(4 * (s.m*s.k + s.k*s.n + s.m*s.n)))
				for b.Loop() {
					sgemmWith(be, s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkSdot(b *testing.B) {
	for _, n := range []int{16, 256, 4096} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			x, y := randSlice(rng, n), randSlice(rng, n)
			b.SetBytes(int64(8 * n))
			var s float32
			for b.Loop() {
				s += Sdot(x, y)
			}
			_ = s
		})
	}
}

func BenchmarkSaxpy(b *testing.B) {
	for _, n := range []int{16, 256, 4096} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			x, y := randSlice(rng, n), randSlice(rng, n)
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				Saxpy(1e-3, x, y)
			}
		})
	}
}
