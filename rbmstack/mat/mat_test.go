package mat

import (
	"math"
	"math/rand/v2"
	"slices"
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

// expBranchy is Exp as it was before its floor lost its branch: every
// figure pinned by the tests was computed with it, so Exp must equal it
// bit for bit.
func expBranchy(x float32) float32 {
	if x < -87.33 {
		if x != x {
			return x
		}
		return 0
	}
	if x > 88.72 {
		return float32(math.Inf(1))
	}
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	fn := x*log2e + 0.5
	n := int32(fn)
	if fn < 0 {
		n--
	}
	nf := float32(n)
	r := x - nf*ln2hi - nf*ln2lo
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	p = p*r*r + r + 1
	if n < -125 {
		return p * math.Float32frombits(uint32(n+127+64)<<23) * (1.0 / (1 << 64))
	}
	if n > 127 {
		return p * 2 * math.Float32frombits(uint32(n-1+127)<<23)
	}
	return p * math.Float32frombits(uint32(n+127)<<23)
}

// TestExpBitForBit compares Exp with expBranchy on every float32 of
// [-90, 90] whose low 7 mantissa bits are a fixed random pattern (about
// 17 million values, every exponent and the whole range of n), on the
// values where fn is a negative integer or a half, and on the specials.
func TestExpBitForBit(t *testing.T) {
	t.Parallel()
	check := func(x float32) {
		if got, want := Exp(x), expBranchy(x); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("Exp(%g) = %g, want %g", x, got, want)
		}
	}
	low := uint32(rand.New(rand.NewPCG(1, 2)).Uint32() & 0x7f)
	for _, sign := range []uint32{0, 1 << 31} {
		for b := uint32(0); b < math.Float32bits(90); b += 0x80 {
			check(math.Float32frombits(sign | b | low))
		}
	}
	for k := -130; k <= 130; k++ {
		for _, d := range []float32{-0.5, 0, 0.5} {
			x := (float32(k) + d) / 1.44269504088896341
			check(x)
			check(math.Nextafter32(x, -100))
			check(math.Nextafter32(x, 100))
		}
	}
	for _, x := range []float32{0, float32(math.Copysign(0, -1)), -87.33, 88.72, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		got, want := Exp(x), expBranchy(x)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Errorf("Exp(%g) = %g, want %g", x, got, want)
		}
	}
}

// TestSigmoidBitForBit compares sigmoid (the AVX-512 kernel where the CPU
// has it) with sigmoidGo on the grid of TestExpBitForBit, in slices whose
// lengths leave every tail length, and on the specials.
func TestSigmoidBitForBit(t *testing.T) {
	t.Parallel()
	low := uint32(rand.New(rand.NewPCG(3, 4)).Uint32() & 0x7f)
	var xs []float32
	for _, sign := range []uint32{0, 1 << 31} {
		for b := uint32(0); b < math.Float32bits(100); b += 0x80 {
			xs = append(xs, math.Float32frombits(sign|b|low))
		}
	}
	for k := -130; k <= 130; k++ {
		for _, d := range []float32{-0.5, 0, 0.5} {
			x := -(float32(k) + d) / 1.44269504088896341
			xs = append(xs, x, math.Nextafter32(x, -100), math.Nextafter32(x, 100))
		}
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), 87.33, -88.72, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
	got := slices.Clone(xs)
	for lo := 0; lo < len(got); {
		hi := min(len(got), lo+1+lo%37) // pieces of 1 to 37 values
		sigmoid(got[lo:hi])
		lo = hi
	}
	want := slices.Clone(xs)
	sigmoidGo(want)
	for i := range xs {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
			t.Fatalf("sigmoid(%g) = %g, want %g", xs[i], got[i], want[i])
		}
	}
	if !hasAVX512 {
		t.Log("no AVX-512 on this CPU: compared the Go code with itself")
	}
}

// TestMomentumBitForBit compares Momentum with momentumGo on random
// values of every tail length.
func TestMomentumBitForBit(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 70; n++ {
		w, inc, grad := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range w {
			w[i], inc[i], grad[i] = float32(r.NormFloat64()), float32(r.NormFloat64()*1e-3), float32(r.NormFloat64()*1e-2)
		}
		w2, inc2 := slices.Clone(w), slices.Clone(inc)
		Momentum(w, inc, grad, 0.9, 0.05, 2e-4)
		momentumGo(w2, inc2, grad, 0.9, 0.05, 2e-4)
		for i := range w {
			if math.Float32bits(w[i]) != math.Float32bits(w2[i]) || math.Float32bits(inc[i]) != math.Float32bits(inc2[i]) {
				t.Fatalf("n %d, i %d: w %g inc %g, want %g %g", n, i, w[i], inc[i], w2[i], inc2[i])
			}
		}
	}
}

// TestAdamBitForBit compares Adam with adamGo on random values of every
// tail length, moments included, and the Go code with the update as the
// autoencoder trainer wrote it before (sqrt through float64).
func TestAdamBitForBit(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	for n := 0; n < 70; n++ {
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i], g[i] = float32(r.NormFloat64()), float32(r.NormFloat64()*1e-2)
			m[i], v[i] = float32(r.NormFloat64()*1e-3), float32(r.Float64()*1e-4)
		}
		p2, m2, v2 := slices.Clone(p), slices.Clone(m), slices.Clone(v)
		for step := 0; step < 3; step++ {
			Adam(p, g, m, v, 1e-3)
			adamGo(p2, g, m2, v2, 1e-3)
		}
		for i := range p {
			if math.Float32bits(p[i]) != math.Float32bits(p2[i]) || math.Float32bits(m[i]) != math.Float32bits(m2[i]) || math.Float32bits(v[i]) != math.Float32bits(v2[i]) {
				t.Fatalf("n %d, i %d: p %g m %g v %g, want %g %g %g", n, i, p[i], m[i], v[i], p2[i], m2[i], v2[i])
			}
		}
	}
}

// TestSoftmaxBitForBit compares softmax with the loop it replaced (Exp of
// each value less the maximum, summed in order) on rows of every tail
// length, and expShift with Exp on the grid of TestExpBitForBit.
func TestSoftmaxBitForBit(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	for n := 1; n < 70; n++ {
		row := make([]float32, n)
		for j := range row {
			row[j] = float32(r.NormFloat64() * 20)
		}
		want := slices.Clone(row)
		mx := slices.Max(want)
		var s float32
		for j, v := range want {
			e := Exp(v - mx)
			want[j] = e
			s += e
		}
		for j := range want {
			want[j] *= 1 / s
		}
		softmax(row)
		for j := range row {
			if math.Float32bits(row[j]) != math.Float32bits(want[j]) {
				t.Fatalf("n %d, j %d: %g, want %g", n, j, row[j], want[j])
			}
		}
	}
	low := uint32(r.Uint32() & 0x7f)
	var xs []float32
	for _, sign := range []uint32{0, 1 << 31} {
		for b := uint32(0); b < math.Float32bits(100); b += 0x80 {
			xs = append(xs, math.Float32frombits(sign|b|low))
		}
	}
	got := slices.Clone(xs)
	expShift(got, 1.5)
	for i, x := range xs {
		if want := Exp(x - 1.5); math.Float32bits(got[i]) != math.Float32bits(want) {
			t.Fatalf("expShift(%g, 1.5) = %g, want %g", x, got[i], want)
		}
	}
}
