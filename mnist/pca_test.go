package mnist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// randomData returns n×d values in [0,1], a fraction zero of them 0.
func randomData(n, d int, zero float64, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*d)
	for i := range x {
		if rng.Float64() >= zero {
			// Unequal scales per column keep the eigenvalues apart.
			x[i] = float32(rng.Float64() * float64(1+i%d) / float64(d))
		}
	}
	return x
}

// TestFitPCAAgainstStatPC compares FitPCA, on both its dense (GEMM) and
// sparse paths, with gonum's SVD-based stat.PC.
func TestFitPCAAgainstStatPC(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		n, d, k int
		zero    float64 // fraction of zeros: above 1-sparseDensity takes the sparse path
		dead    int     // columns always 0, left out of the eigenproblem
		tol     float64
	}{
		{"dense", 300, 12, 5, 0, 0, 1e-9},
		{"sparse", 300, 12, 5, 0.85, 0, 1e-9},
		{"dense many blocks", 2*pcaBlock + 7, 6, 6, 0.1, 0, 1e-9},
		{"sparse many rows", 2*pcaBlock + 7, 6, 3, 0.9, 0, 1e-9},
		{"dense dead columns", 300, 12, 5, 0, 4, 1e-9},
		{"sparse dead columns", 300, 12, 5, 0.85, 4, 1e-9},
	}
	for _, c := range cases {
		x := randomData(c.n, c.d, c.zero, 7)
		for i := range c.n {
			clear(x[i*c.d : i*c.d+c.dead])
		}
		p, err := FitPCA(x, c.n, c.d, c.k)
		if err != nil {
			t.Fatal(err)
		}
		x64 := make([]float64, len(x))
		for i, v := range x {
			x64[i] = float64(v)
		}
		var pc stat.PC
		if !pc.PrincipalComponents(mat.NewDense(c.n, c.d, x64), nil) {
			t.Fatal("stat.PC failed")
		}
		vars := pc.VarsTo(nil) // normalised by n-1
		var vecs mat.Dense
		pc.VectorsTo(&vecs)
		for j := range c.k {
			want := vars[j] * float64(c.n-1) / float64(c.n)
			if !scalar.EqualWithinAbsOrRel(p.Variances[j], want, c.tol, c.tol) {
				t.Errorf("%s: variance %d = %.12g, want %.12g", c.name, j, p.Variances[j], want)
			}
			dot := mat.Dot(p.Components.ColView(j), vecs.ColView(j))
			if math.Abs(math.Abs(dot)-1) > 1e-7 {
				t.Errorf("%s: component %d has |cos| %.10f with stat.PC's", c.name, j, math.Abs(dot))
			}
		}
		for j := range c.d {
			if got, want := p.Mean[j], stat.Mean(mat.Col(nil, j, mat.NewDense(c.n, c.d, x64)), nil); math.Abs(got-want) > 1e-12 {
				t.Errorf("%s: mean %d = %g, want %g", c.name, j, got, want)
			}
		}
	}
}

func TestPCAReconstruct(t *testing.T) {
	t.Parallel()
	const n, d = 50, 8
	x := randomData(n, d, 0.5, 3)

	// All components, with two pixels constant (so two components come
	// from outside the eigenproblem): orthonormal, and exact up to float32
	// rounding.
	for i := range n {
		x[i*d+1], x[i*d+5] = 0, 0
	}
	full, err := FitPCA(x, n, d, d)
	if err != nil {
		t.Fatal(err)
	}
	if e := SquaredError(x, full.Reconstruct(x, n), n); e > 1e-10 {
		t.Errorf("k = d: squared error %g, want 0", e)
	}
	var ftf mat.Dense
	ftf.Mul(full.Components.T(), full.Components)
	if !mat.EqualApprox(&ftf, eye(d), 1e-12) {
		t.Errorf("k = d: WᵀW = %v", mat.Formatted(&ftf))
	}
	if v := full.Variances; v[d-1] != 0 || v[d-2] != 0 || v[d-3] <= 0 {
		t.Errorf("k = d: variances %v, want the last two 0", v)
	}

	// Data on a 2-dimensional affine subspace: 2 components suffice.
	flat := make([]float32, n*d)
	for i := range n {
		a, b := float32(i%7)/7, float32(i%5)/5
		for j := range d {
			flat[i*d+j] = 0.3 + a*float32(j%3) - b*float32(j%2)
		}
	}
	p, err := FitPCA(flat, n, d, 2)
	if err != nil {
		t.Fatal(err)
	}
	if e := SquaredError(flat, p.Reconstruct(flat, n), n); e > 1e-10 {
		t.Errorf("rank-2 data, k = 2: squared error %g, want 0", e)
	}

	// Project then map back by hand agrees with Reconstruct.
	codes := p.Project(flat, n)
	if r, c := codes.Dims(); r != n || c != 2 {
		t.Fatalf("Project dims %dx%d", r, c)
	}
	var back mat.Dense
	back.Mul(codes, p.Components.T())
	rec := p.Reconstruct(flat, n)
	for i := range n {
		for j := range d {
			if got := back.At(i, j) + p.Mean[j]; math.Abs(got-float64(rec[i*d+j])) > 1e-6 {
				t.Fatalf("codes·Wᵀ+m = %g, Reconstruct = %g at (%d,%d)", got, rec[i*d+j], i, j)
			}
		}
	}
	// Orthonormal columns, largest entry positive.
	var wtw mat.Dense
	wtw.Mul(p.Components.T(), p.Components)
	if !mat.EqualApprox(&wtw, eye(2), 1e-12) {
		t.Errorf("WᵀW = %v", mat.Formatted(&wtw))
	}
	for c := range 2 {
		col := mat.Col(nil, c, p.Components)
		if col[floats.MaxIdx(col)] < -floats.Min(col) {
			t.Errorf("component %d: largest entry negative: %v", c, col)
		}
	}
}

// eye returns the n×n identity.
func eye(n int) *mat.DiagDense {
	d := mat.NewDiagDense(n, nil)
	for i := range n {
		d.SetDiag(i, 1)
	}
	return d
}

func TestFitPCAErrors(t *testing.T) {
	t.Parallel()
	x := make([]float32, 12)
	for _, c := range []struct{ n, d, k int }{{3, 4, 0}, {3, 4, 5}, {4, 4, 2}, {0, 4, 1}} {
		if _, err := FitPCA(x, c.n, c.d, c.k); err == nil {
			t.Errorf("FitPCA(n=%d, d=%d, k=%d) on 12 values: no error", c.n, c.d, c.k)
		}
	}
}

func TestSquaredError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		x, y []float32
		n    int
		want float64
	}{
		{[]float32{0, 0}, []float32{0, 0}, 1, 0},
		{[]float32{1, 0, 0, 1}, []float32{0, 0, 1, 1}, 2, 1},        // (1 + 1) / 2
		{[]float32{1, 2, 3}, []float32{0, 0, 0}, 1, 14},             // 1 + 4 + 9
		{[]float32{0.5, 0.5, 0, 0}, []float32{0, 1, 0, 0}, 2, 0.25}, // (0.25 + 0.25) / 2
	}
	for _, c := range cases {
		if got := SquaredError(c.x, c.y, c.n); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("SquaredError(%v, %v, %d) = %g, want %g", c.x, c.y, c.n, got, c.want)
		}
	}
}

// BenchmarkFitPCA fits 30 components to MNIST-like data: 784 pixels, 19%
// of them nonzero (MNIST's density), so the sparse path runs.
func BenchmarkFitPCA(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		x := randomData(n, Dim, 0.81, 1)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				if _, err := FitPCA(x, n, Dim, 30); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
