package eval

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestFitLSA compares FitLSAWith with a direct SVD (mat.SVD) of the dense
// weighted matrix (centred with CentrePCA): singular values, the subspace,
// and Transform of the training rows against U_k S_k (less its mean with
// CentreCodes).
func TestFitLSA(t *testing.T) {
	t.Parallel()
	tfs := map[TF]func(float64) float64{
		TFLog:       math.Log1p,
		TFRaw:       func(x float64) float64 { return x },
		TFSublinear: func(x float64) float64 { return 1 + math.Log(x) },
	}
	for _, o := range []LSAOptions{
		{},
		{Weighting: Weighting{TF: TFLog, IDF: IDFSmooth}},
		{Weighting: Weighting{TF: TFRaw}, NormalizeRows: true},
		{Weighting: Weighting{TF: TFSublinear}, Centre: CentreCodes},
		{NormalizeRows: true, Centre: CentrePCA},
	} {
		for _, tc := range []struct {
			n, d, k int
			p       float64
		}{
			{n: 30, d: 15, k: 4, p: 0.3},
			{n: 60, d: 40, k: 10, p: 0.15},
			{n: 12, d: 20, k: 12, p: 0.4}, // k = n: the Krylov space is exhausted
			{n: 20, d: 8, k: 8, p: 0.5},   // k = d
		} {
			if o.Centre == CentrePCA {
				// The centred matrix has rank n-1 at most; the sqrt of a
				// zero eigenvalue is only good to 1e-8.
				tc.k = min(tc.k, tc.n-1)
			}
			name := fmt.Sprintf("%v: %dx%d k=%d", o, tc.n, tc.d, tc.k)
			train := randomCounts(uint64(tc.n*tc.d), tc.n, tc.d, tc.p)
			l, err := FitLSAWith(train, tc.k, o)
			if err != nil {
				t.Fatal(err)
			}

			// Orthonormal components.
			var vtv mat.Dense
			vtv.Mul(l.Components.T(), l.Components)
			if !mat.EqualApprox(&vtv, eye(tc.k), 1e-10) {
				t.Errorf("%s: V'V != I:\n%v", name, mat.Formatted(&vtv))
			}

			// Direct SVD of the weighted (and centred) matrix.
			x := mat.NewDense(tc.n, tc.d, nil)
			for i, row := range dense(train) {
				var ss float64
				for j, v := range row {
					if v != 0 {
						v = tfs[o.Weighting.TF](v) * l.IDF[j]
					}
					x.Set(i, j, v)
					ss += v * v
				}
				if o.NormalizeRows && ss > 0 {
					for j := range row {
						x.Set(i, j, x.At(i, j)/math.Sqrt(ss))
					}
				}
			}
			if o.Centre == CentrePCA {
				for j := range tc.d {
					col := mat.Col(nil, j, x)
					m := floats.Sum(col) / float64(tc.n)
					for i := range tc.n {
						x.Set(i, j, col[i]-m)
					}
				}
			}
			var svd mat.SVD
			if !svd.Factorize(x, mat.SVDThin) {
				t.Fatal("SVD failed")
			}
			sv := svd.Values(nil)
			var u, v mat.Dense
			svd.UTo(&u)
			svd.VTo(&v)
			for c := range tc.k {
				if math.Abs(sv[c]-l.Singular[c]) > 1e-9*sv[0] {
					t.Errorf("%s: singular value %d = %v, want %v", name, c, l.Singular[c], sv[c])
				}
			}
			// Rank-k reconstructions X V_k V_k' agree (sign-free).
			var vk mat.Dense
			vk.CloneFrom(v.Slice(0, tc.d, 0, tc.k))
			var rec, want mat.Dense
			rec.Product(x, l.Components, l.Components.T())
			want.Product(x, &vk, vk.T())
			if !mat.EqualApprox(&rec, &want, 1e-8*sv[0]) {
				t.Errorf("%s: reconstructions differ", name)
			}
			// Transform(train) = U_k S_k, with the component signs of
			// FitLSA: flip u_c where v_c's largest entry is negative.
			// CentreCodes subtracts the column means of U_k S_k.
			codes := l.Transform(train)
			for c := range tc.k {
				col := mat.Col(nil, c, &vk)
				sign := 1.0
				if col[floats.MaxIdx(absTo(make([]float64, tc.d), col))] < 0 {
					sign = -1
				}
				us := make([]float64, tc.n)
				for i := range tc.n {
					us[i] = sign * u.At(i, c) * sv[c]
				}
				if o.Centre == CentreCodes {
					floats.AddConst(-floats.Sum(us)/float64(tc.n), us)
				}
				for i, want := range us {
					if got := float64(codes[i*tc.k+c]); math.Abs(got-want) > 1e-5*sv[0] {
						t.Errorf("%s: code(%d, %d) = %v, want %v", name, i, c, got, want)
					}
				}
			}
		}
	}
}

func TestFitLSABadK(t *testing.T) {
	t.Parallel()
	train := randomCounts(1, 5, 8, 0.5)
	for _, k := range []int{0, -1, 6, 9} {
		if _, err := FitLSA(train, k); !errors.Is(err, ErrComponents) {
			t.Errorf("k=%d: err = %v, want ErrComponents", k, err)
		}
	}
}

// TestLanczosTop checks the top eigenpairs of a random 300x300 positive
// semidefinite matrix of rank 120 against mat.EigenSym.
func TestLanczosTop(t *testing.T) {
	t.Parallel()
	const d, r, k = 300, 120, 25
	rng := rand.New(rand.NewPCG(9, 9))
	b := mat.NewDense(d, r, nil)
	for i := range d {
		for j := range r {
			b.Set(i, j, rng.NormFloat64())
		}
	}
	a := mat.NewSymDense(d, nil)
	a.SymOuterK(1, b)
	vals, vecs := lanczosTop(d, k, func(dst, v []float64) {
		mat.NewVecDense(d, dst).MulVec(a, mat.NewVecDense(d, v))
	})
	var eig mat.EigenSym
	if !eig.Factorize(a, true) {
		t.Fatal("EigenSym failed")
	}
	want := eig.Values(nil)
	for c := range k {
		if w := want[d-1-c]; math.Abs(vals[c]-w) > 1e-9*want[d-1] {
			t.Errorf("eigenvalue %d = %v, want %v", c, vals[c], w)
		}
		// ||A v - lambda v|| small.
		v := mat.NewVecDense(d, mat.Col(nil, c, vecs))
		var av mat.VecDense
		av.MulVec(a, v)
		av.AddScaledVec(&av, -vals[c], v)
		if res := mat.Norm(&av, 2); res > 1e-8*want[d-1] {
			t.Errorf("eigenvector %d: residual %v", c, res)
		}
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}
