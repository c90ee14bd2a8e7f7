package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// backends lists the backends this binary and CPU can run.
func backends() []backend {
	var bs []backend
	for _, b := range []backend{backendAVX512, backendAVX2, backendGonum, backendOpenBLAS} {
		if b.available() {
			bs = append(bs, b)
		}
	}
	return bs
}

// unitRoundoff is u = 2^-24, the float32 unit roundoff.
const unitRoundoff = 1.0 / (1 << 24)

// gemmCase is one Sgemm call; stride padding pads each leading dimension.
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float32
	pad         int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,%dx%dx%d,alpha=%g,beta=%g,pad=%d", tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.pad)
}

// check runs tc on backend be against a float64 triple loop.
//
// Tolerance: a float32 dot product of k terms, summed in any order, with or
// without FMA, satisfies |fl(x·y) - x·y| <= gamma_k * sum|x_i||y_i| with
// gamma_k = k*u/(1-k*u) (Higham, Accuracy and Stability of Numerical
// Algorithms, 2nd ed., eq. 3.5). Scaling by alpha, multiplying C by beta and
// the final add cost up to 3 more roundings, so we allow gamma_{k+3} times
// |alpha|*sum_p |a_ip||b_pj| + |beta||c_ij|. This bound holds for any correct
// blocking or summation order; a wrong element, index or missing term is off
// by O(|a||b|), far above it.
func check(t *testing.T, be backend, tc gemmCase, rng *rand.Rand) {
	t.Helper()
	m, n, k := tc.m, tc.n, tc.k
	ar, ac := m, k
	if tc.tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tc.tB {
		br, bc = n, k
	}
	lda, ldb, ldc := max(1, ac)+tc.pad, max(1, bc)+tc.pad, max(1, n)+tc.pad
	a := randSlice(rng, max(0, (ar-1)*lda+ac))
	b := randSlice(rng, max(0, (br-1)*ldb+bc))
	c := randSlice(rng, max(0, (m-1)*ldc+n)+tc.pad) // pad: slack after the end
	const sentinel = 12345
	for i := range c {
		if i%ldc >= n || i >= (m-1)*ldc+n {
			c[i] = sentinel
		} else if tc.beta == 0 {
			c[i] = float32(math.NaN()) // must be overwritten, not read
		}
	}
	// op(A) as m rows of k and op(B)ᵀ as n rows of k, in float64.
	a64, bt64 := make([]float64, m*k), make([]float64, n*k)
	for i := range m {
		for p := range k {
			if tc.tA {
				a64[i*k+p] = float64(a[p*lda+i])
			} else {
				a64[i*k+p] = float64(a[i*lda+p])
			}
		}
	}
	for j := range n {
		for p := range k {
			if tc.tB {
				bt64[j*k+p] = float64(b[j*ldb+p])
			} else {
				bt64[j*k+p] = float64(b[p*ldb+j])
			}
		}
	}
	want := make([]float64, m*n)
	bound := make([]float64, m*n)
	gamma := float64(k+3) * unitRoundoff / (1 - float64(k+3)*unitRoundoff)
	for i := range m {
		ai := a64[i*k : i*k+k]
		for j := range n {
			bj := bt64[j*k : j*k+k]
			var s, abs float64
			for p, x := range ai {
				s += x * bj[p]
				abs += math.Abs(x * bj[p])
			}
			want[i*n+j] = float64(tc.alpha) * s
			bound[i*n+j] = gamma * math.Abs(float64(tc.alpha)) * abs
			if tc.beta != 0 {
				cv := float64(c[i*ldc+j])
				want[i*n+j] += float64(tc.beta) * cv
				bound[i*n+j] += gamma * math.Abs(float64(tc.beta)*cv)
			}
		}
	}
	sgemmWith(be, tc.tA, tc.tB, m, n, k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	bad := 0
	for i := range c {
		r, j := i/ldc, i%ldc
		if j >= n || r >= m {
			if c[i] != sentinel {
				t.Fatalf("%v %v: wrote outside C at (%d,%d): %g", be, tc, r, j, c[i])
			}
			continue
		}
		got, w := float64(c[i]), want[r*n+j]
		if !(math.Abs(got-w) <= bound[r*n+j]) {
			t.Errorf("%v %v: C[%d,%d] = %g, want %g (tolerance %g)", be, tc, r, j, got, w, bound[r*n+j])
			if bad++; bad > 5 {
				t.FailNow()
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

var scalars = []float32{0, 1, -0.5, 2}

// TestSgemmSmall covers every transpose pair over a ladder of odd sizes
// around the 6×16 tile, cycling through all alpha, beta pairs in {0,1,-0.5,2}.
func TestSgemmSmall(t *testing.T) {
	t.Parallel()
	sizes := []int{1, 2, 3, 5, 6, 7, 8, 9, 12, 13, 15, 16, 17}
	if raceEnabled || testing.Short() {
		sizes = []int{1, 5, 6, 7, 16, 17}
	}
	for _, be := range backends() {
		t.Run(be.String(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(1, 2))
			ci := 0
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					for _, m := range sizes {
						for _, n := range sizes {
							for _, k := range sizes {
								ab := ci % 16
								ci++
								tc := gemmCase{tA: tA, tB: tB, m: m, n: n, k: k,
									alpha: scalars[ab/4], beta: scalars[ab%4], pad: ci % 4 * 3}
								check(t, be, tc, rng)
							}
						}
					}
				}
			}
		})
	}
}

// TestSgemmLarge, with shapes {m, k, n}, covers the cache blocks (k > kcMax with k%8 != 0, m >
// mcMax, n > ncMax), the row and column splits across goroutines, and k == 0.
func TestSgemmLarge(t *testing.T) {
	t.Parallel()
	shapes := [][3]int{
		{50, 300, 700}, {700, 300, 50}, {301, 263, 517}, {7, 2100, 33},
		{1100, 30, 50}, {145, 31, 9}, {40, 40, 0}, {1, 1000, 300}, {1000, 1, 300},
	}
	if raceEnabled || testing.Short() {
		shapes = [][3]int{{50, 60, 700}, {700, 60, 50}, {40, 300, 50}, {40, 40, 0}}
	}
	for _, be := range backends() {
		t.Run(be.String(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(3, 4))
			ci := 0
			for _, s := range shapes {
				for tr := range 4 {
					ab := (ci * 7) % 16
					ci++
					check(t, be, gemmCase{tA: tr&1 != 0, tB: tr&2 != 0, m: s[0], n: s[2], k: s[1],
						alpha: scalars[ab/4], beta: scalars[ab%4], pad: ci % 3 * 5}, rng)
				}
			}
		})
	}
}

// TestSgemmConcurrent runs parallel-sized products from several goroutines
// at once, sharing the helper goroutines and pools (run it with -race).
func TestSgemmConcurrent(t *testing.T) {
	t.Parallel()
	be := backendAVX512
	if !be.available() {
		be = backendAVX2
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 5))
			for i := range 3 {
				check(t, be, gemmCase{tA: i == 1, tB: g%2 == 1, m: 130 + g, n: 300 + 17*i, k: 70, alpha: 1, beta: 0}, rng)
			}
		}()
	}
	wg.Wait()
}

// TestKernels checks the assembly against the portable Go routines.
func TestKernels(t *testing.T) {
	t.Parallel()
	if !hasAVX2 {
		t.Skip("no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(6, 7))
	same := func(x, y []float32) bool { return fmt.Sprint(x) == fmt.Sprint(y) }
	// Each kernel with a packed B panel (rows w apart) and, for the AVX-512
	// kernel, B read in place (rows 45 apart).
	type kernel struct {
		w, ldb int
		kern   func(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)
	}
	kerns := []kernel{{16, 16, func(kc int, a, b *float32, _ int, c *float32, ldc int, alpha, beta float32) {
		kern6x16(kc, a, b, c, ldc, alpha, beta)
	}}}
	if hasAVX512 {
		kerns = append(kerns, kernel{32, 32, kern6x32}, kernel{32, 45, kern6x32})
	}
	for _, kc := range []int{1, 2, 3, 4, 5, 8, 9, 255, 256} {
		for _, k := range kerns {
			w := k.w
			a, b := randSlice(rng, mr*kc), randSlice(rng, (kc-1)*k.ldb+w)
			for _, beta := range []float32{0, 1, -0.5} {
				const ldc = 37
				c1 := randSlice(rng, (mr-1)*ldc+w)
				c2 := append([]float32(nil), c1...)
				k.kern(kc, &a[0], &b[0], k.ldb, &c1[0], ldc, 1.5, beta)
				kernGo(kc, &a[0], &b[0], k.ldb, &c2[0], ldc, 1.5, beta, w)
				for i := range c1 {
					// Same products, different summation order (FMA).
					if d := math.Abs(float64(c1[i] - c2[i])); d > 1e-4*math.Sqrt(float64(kc)) {
						t.Fatalf("kern6x%d ldb=%d kc=%d beta=%g: [%d] = %g, want %g", w, k.ldb, kc, beta, i, c1[i], c2[i])
					}
				}
			}
		}
		const ld = 41
		src := randSlice(rng, ld*(kc+nrMax))
		for _, w := range []int{16, 32} {
			d1, d2 := make([]float32, w*kc), make([]float32, w*kc)
			packBN(kc, &src[0], ld, &d1[0], w)
			packBNGo(kc, &src[0], ld, &d2[0], w)
			if !same(d1, d2) {
				t.Fatalf("packBN kc=%d w=%d differs", kc, w)
			}
			if kc8 := kc &^ 7; kc8 > 0 {
				clear(d1)
				clear(d2)
				packBT(kc8, &src[0], ld, &d1[0], w)
				packBTGo(kc8, &src[0], ld, &d2[0], w)
				if !same(d1, d2) {
					t.Fatalf("packBT kc8=%d w=%d differs", kc8, w)
				}
			}
		}
		d1, d2 := make([]float32, mr*kc+2), make([]float32, mr*kc+2)
		packAT6(kc, &src[0], ld, &d1[0])
		packAT6Go(kc, &src[0], ld, &d2[0])
		if !same(d1, d2) {
			t.Fatalf("packAT6 kc=%d differs", kc)
		}
		if kc8 := kc &^ 7; kc8 > 0 {
			packAN6(kc8, &src[0], ld, &d1[0])
			packAN6Go(kc8, &src[0], ld, &d2[0])
			if !same(d1[:mr*kc8], d2[:mr*kc8]) {
				t.Fatalf("packAN6 kc8=%d differs", kc8)
			}
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	t.Parallel()
	s := make([]float32, 100)
	cases := []struct {
		name    string
		want    string
		tA, tB  bool
		m, n, k int
		a, b, c []float32
		lda     int
		ldb     int
		ldc     int
	}{
		{"m<0", mLT0, false, false, -1, 2, 2, s, s, s, 2, 2, 2},
		{"n<0", nLT0, false, false, 2, -1, 2, s, s, s, 2, 2, 2},
		{"k<0", kLT0, false, false, 2, 2, -1, s, s, s, 2, 2, 2},
		{"lda", badLdA, false, false, 2, 3, 4, s, s, s, 3, 3, 3},
		{"ldaT", badLdA, true, false, 5, 3, 4, s, s, s, 4, 3, 3},
		{"ldb", badLdB, false, false, 2, 3, 4, s, s, s, 4, 2, 3},
		{"ldbT", badLdB, false, true, 2, 3, 4, s, s, s, 4, 3, 3},
		{"ldc", badLdC, false, false, 2, 3, 4, s, s, s, 4, 3, 2},
		{"shortA", shortA, false, false, 3, 3, 4, s[:8], s, s, 4, 3, 3},
		{"shortB", shortB, false, false, 3, 3, 4, s, s[:11], s, 4, 3, 3},
		{"shortC", shortC, false, false, 3, 3, 4, s, s, s[:8], 4, 3, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc)
		})
	}
}

func TestSelectBackend(t *testing.T) {
	t.Parallel()
	def := selectBackend("")
	if got := selectBackend("gonum"); got != backendGonum {
		t.Errorf("selectBackend(gonum) = %v", got)
	}
	if got := selectBackend("no-such"); got != def {
		t.Errorf("selectBackend(no-such) = %v, want default %v", got, def)
	}
	if hasAVX2 && selectBackend("go-avx2") != backendAVX2 {
		t.Errorf("selectBackend(go-avx2) = %v", selectBackend("go-avx2"))
	}
	want := backendAVX2
	switch {
	case haveOpenBLAS:
		want = backendOpenBLAS
	case hasAVX512:
		want = backendAVX512
	}
	if hasAVX2 && def != want {
		t.Errorf("default backend %v, want %v", def, want)
	}
}

// TestEnvGonum re-runs this test binary with DOCSEARCH_BLAS=gonum and checks
// that the child process reports and uses the gonum backend.
func TestEnvGonum(t *testing.T) {
	if os.Getenv("BLAS_TEST_CHILD") == "1" {
		fmt.Printf("backend=%s\n", Backend())
		m, n, k := 3, 4, 5
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range a {
			a[i] = float32(i)
		}
		for i := range b {
			b[i] = 1
		}
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		fmt.Printf("c=%v\n", c)
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnvGonum$", "-test.v")
	cmd.Env = append(os.Environ(), "BLAS_TEST_CHILD=1", EnvBackend+"=gonum")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "backend=gonum\n") {
		t.Errorf("child did not select gonum:\n%s", out)
	}
	if !strings.Contains(string(out), "c=[10 10 10 10 35 35 35 35 60 60 60 60]") {
		t.Errorf("child computed a wrong product:\n%s", out)
	}
}

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	if active != backendAVX2 && active != backendAVX512 {
		t.Skip("backend", active)
	}
	m, n, k := 100, 784, 300
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	f := func() { Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n) }
	f()
	if allocs := testing.AllocsPerRun(20, f); allocs > 0 {
		t.Errorf("Sgemm allocates %v times per call", allocs)
	}
}

func TestLevel1(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 9))
	for n := range 100 {
		x, y := randSlice(rng, n), randSlice(rng, n)
		var want, abs float64
		for i := range x {
			want += float64(x[i]) * float64(y[i])
			abs += math.Abs(float64(x[i]) * float64(y[i]))
		}
		// Same bound as check: gamma_n * sum|x||y|.
		gamma := float64(n+1) * unitRoundoff / (1 - float64(n+1)*unitRoundoff)
		if got := Sdot(x, y); math.Abs(float64(got)-want) > gamma*abs {
			t.Errorf("Sdot n=%d = %g, want %g", n, got, want)
		}
		y2 := append([]float32(nil), y...)
		Saxpy(-1.5, x, y2)
		for i := range y2 {
			w := float64(y[i]) - 1.5*float64(x[i])
			// Two roundings at most (one with FMA).
			if math.Abs(float64(y2[i])-w) > 2*unitRoundoff*(math.Abs(float64(y[i]))+math.Abs(1.5*float64(x[i]))) {
				t.Errorf("Saxpy n=%d [%d] = %g, want %g", n, i, y2[i], w)
			}
		}
	}
}
