package mat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpAccuracy checks Exp against math.Exp over the whole float32 range
// where the result is normal; the bound 2e-7 is a little above float32's
// half-ulp (6e-8) times the three roundings of the reduction.
func TestExpAccuracy(t *testing.T) {
	t.Parallel()
	worst := 0.0
	for x := float32(-87); x < 88.7; x += 0.00037 {
		got := float64(Exp(x))
		want := math.Exp(float64(x))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst = rel
		}
	}
	if worst > 2e-7 {
		t.Errorf("worst relative error %.3g", worst)
	}
	if Exp(-100) != 0 || !math.IsInf(float64(Exp(100)), 1) || !math.IsNaN(float64(Exp(float32(math.NaN())))) {
		t.Error("Exp edge cases")
	}
}

func TestSigmoidSoftmax(t *testing.T) {
	t.Parallel()
	x := []float32{-30, -1, 0, 1, 30}
	Sigmoid(x)
	for i, v := range []float64{-30, -1, 0, 1, 30} {
		if want := 1 / (1 + math.Exp(-v)); math.Abs(float64(x[i])-want) > 1e-6 {
			t.Errorf("sigmoid(%g) = %g, want %g", v, x[i], want)
		}
	}
	m := View(2, 3, []float32{1, 2, 3, 1000, 1000, 1000})
	SoftmaxRows(m)
	e := []float64{math.Exp(1), math.Exp(2), math.Exp(3)}
	s := e[0] + e[1] + e[2]
	for j := 0; j < 3; j++ {
		if math.Abs(float64(m.Data[j])-e[j]/s) > 1e-6 || math.Abs(float64(m.Data[3+j])-1.0/3) > 1e-6 {
			t.Fatalf("softmax %v", m.Data)
		}
	}
}

func TestMulAndColSums(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for _, sh := range [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 9, 300}, {100, 33, 20}} {
		m, k, n := sh[0], sh[1], sh[2]
		a, b := New(m, k), New(k, n)
		for i := range a.Data {
			a.Data[i] = r.Float32() - 0.5
		}
		for i := range b.Data {
			b.Data[i] = r.Float32() - 0.5
		}
		c := New(m, n)
		Mul(c, a, false, b, false, 1, 0)
		// a^T as a (k x m) matrix, to test the transposed path
		at := New(k, m)
		for i := 0; i < m; i++ {
			for j := 0; j < k; j++ {
				at.Data[j*m+i] = a.Data[i*k+j]
			}
		}
		c2 := New(m, n)
		Mul(c2, at, true, b, false, 1, 0)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var want float64
				for l := 0; l < k; l++ {
					want += float64(a.Data[i*k+l]) * float64(b.Data[l*n+j])
				}
				if math.Abs(float64(c.Data[i*n+j])-want) > 1e-4 || math.Abs(float64(c2.Data[i*n+j])-want) > 1e-4 {
					t.Fatalf("%v: C[%d,%d] = %g / %g, want %g", sh, i, j, c.Data[i*n+j], c2.Data[i*n+j], want)
				}
			}
		}
		sums := make([]float32, n)
		ColSumsTo(sums, c, 2, 0)
		for j := 0; j < n; j++ {
			var want float64
			for i := 0; i < m; i++ {
				want += 2 * float64(c.Data[i*n+j])
			}
			if math.Abs(float64(sums[j])-want) > 1e-4 {
				t.Fatalf("colsum %d = %g, want %g", j, sums[j], want)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("shape mismatch did not panic")
		}
	}()
	Mul(New(2, 2), New(2, 3), false, New(2, 2), false, 1, 0)
}

func TestHasNaN(t *testing.T) {
	t.Parallel()
	if HasNaN([]float32{1, 2}) || !HasNaN([]float32{1, float32(math.NaN())}) || !HasNaN([]float32{float32(math.Inf(-1))}) {
		t.Error("HasNaN")
	}
}

func BenchmarkSigmoid(b *testing.B) {
	x := make([]float32, 100*1000)
	b.SetBytes(int64(4 * len(x)))
	b.ReportAllocs()
	for b.Loop() {
		for i := range x {
			x[i] = float32(i%200)/10 - 10
		}
		Sigmoid(x)
	}
	b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
}
