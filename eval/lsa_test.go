package eval

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestFitLSA compares FitLSA with a direct SVD (mat.SVD) of the dense
// log(1+tf)*idf matrix: singular values, the subspace, and Transform of the
// training rows against U_k S_k.
func TestFitLSA(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, d, k int
		p       float64
	}{
		{n: 30, d: 15, k: 4, p: 0.3},
		{n: 60, d: 40, k: 10, p: 0.15},
		{n: 12, d: 20, k: 12, p: 0.4}, // k = n: the Krylov space is exhausted
		{n: 20, d: 8, k: 8, p: 0.5},   // k = d
	} {
		train := randomCounts(uint64(tc.n*tc.d), tc.n, tc.d, tc.p)
		l, err := FitLSA(train, tc.k)
		if err != nil {
			t.Fatal(err)
		}

		// Orthonormal components.
		var vtv mat.Dense
		vtv.Mul(l.Components.T(), l.Components)
		if !mat.EqualApprox(&vtv, eye(tc.k), 1e-10) {
			t.Errorf("%dx%d k=%d: V'V != I:\n%v", tc.n, tc.d, tc.k, mat.Formatted(&vtv))
		}

		// Direct SVD.
		x := mat.NewDense(tc.n, tc.d, nil)
		for i, row := range dense(train) {
			for j, v := range row {
				x.Set(i, j, math.Log1p(v)*l.IDF[j])
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
				t.Errorf("%dx%d k=%d: singular value %d = %v, want %v", tc.n, tc.d, tc.k, c, l.Singular[c], sv[c])
			}
		}
		// Rank-k reconstructions X V_k V_k' agree (sign-free).
		var vk mat.Dense
		vk.CloneFrom(v.Slice(0, tc.d, 0, tc.k))
		var rec, want mat.Dense
		rec.Product(x, l.Components, l.Components.T())
		want.Product(x, &vk, vk.T())
		if !mat.EqualApprox(&rec, &want, 1e-8*sv[0]) {
			t.Errorf("%dx%d k=%d: reconstructions differ", tc.n, tc.d, tc.k)
		}
		// Transform(train) = U_k S_k, with the component signs of FitLSA:
		// flip u_c where v_c's largest entry is negative.
		codes := l.Transform(train)
		for c := range tc.k {
			col := mat.Col(nil, c, &vk)
			sign := 1.0
			if col[floats.MaxIdx(absTo(make([]float64, tc.d), col))] < 0 {
				sign = -1
			}
			for i := range tc.n {
				want := sign * u.At(i, c) * sv[c]
				if got := float64(codes[i*tc.k+c]); math.Abs(got-want) > 1e-5*sv[0] {
					t.Errorf("%dx%d k=%d: code(%d, %d) = %v, want %v", tc.n, tc.d, tc.k, i, c, got, want)
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
