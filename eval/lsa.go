package eval

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/docsearch/docsearch/vocab"
)

// ErrComponents is returned by FitLSA when the number of components is not
// between 1 and min(documents, vocabulary size).
var ErrComponents = errors.New("eval: LSA component count out of range")

// Centring says whether and how LSA centres the documents.
type Centring int

const (
	// CentreNone compares the codes X V_K as they are, like scikit-learn's
	// TruncatedSVD.
	CentreNone Centring = iota
	// CentreCodes keeps the uncentred SVD and subtracts the training
	// documents' mean code from every code, so that cosines measure
	// directions from the centre of the collection, not from the origin.
	CentreCodes
	// CentrePCA takes the SVD of the centred training matrix X - 1 mu'
	// (mu: the mean training row), which is principal component analysis,
	// and codes are (x - mu) V_K.
	CentrePCA
)

func (c Centring) String() string {
	switch c {
	case CentreNone:
		return "none"
	case CentreCodes:
		return "codes"
	case CentrePCA:
		return "pca"
	}
	return fmt.Sprintf("Centring(%d)", int(c))
}

// LSAOptions are the choices that decide how strong an LSA baseline is.
// The zero value is ln(1+tf) * ln(N/df) weights, rows not normalized, codes
// not centred.
type LSAOptions struct {
	// Weighting turns counts into the rows x of X.
	Weighting Weighting
	// NormalizeRows scales every weighted row to unit l2 norm, before the
	// SVD and in Transform.
	NormalizeRows bool
	// Centre chooses the centring of the codes.
	Centre Centring
}

func (o LSAOptions) String() string {
	return fmt.Sprintf("%v, normalize rows %v, centre %v", o.Weighting, o.NormalizeRows, o.Centre)
}

// LSA is latent semantic analysis (Deerwester et al., 1990): a truncated SVD
// X ~ U_K S_K V_K' of the weighted training matrix X (documents x
// vocabulary), see LSAOptions. Codes are x V_K - Mean, and for the training
// documents equal U_K S_K (less Mean).
type LSA struct {
	// K is the number of components.
	K int
	// Options are the options the model was fitted with.
	Options LSAOptions
	// Components holds V_K, vocabulary x K, orthonormal columns ordered by
	// decreasing singular value; each column's entry of largest magnitude
	// is positive.
	Components *mat.Dense
	// IDF holds Options.Weighting.IDF of the training matrix, one per
	// vocabulary word.
	IDF []float64
	// Singular holds the K singular values, decreasing (of the centred
	// matrix with CentrePCA).
	Singular []float64
	// Mean is the training documents' mean code mu V_K, subtracted by
	// Transform; nil with CentreNone.
	Mean []float64
}

// lanczosTol is the relative residual ||A v - lambda v|| / lambda_max at
// which an eigenpair of A = X'X is accepted.
const lanczosTol = 1e-10

// FitLSA computes the k-component LSA of the training counts with the
// full-strength options DefaultLSAOptions(k).
func FitLSA(train *vocab.Matrix, k int) (*LSA, error) {
	return FitLSAWith(train, k, DefaultLSAOptions(k))
}

// FitLSAWith computes the k-component LSA of the training counts with the
// options o. The top k eigenpairs of X'X (vocabulary x vocabulary; X'X -
// n mu mu' with CentrePCA) are found by Lanczos iteration with full
// reorthogonalization, using only sparse products with X, from a fixed
// random start, so the result is deterministic.
func FitLSAWith(train *vocab.Matrix, k int, o LSAOptions) (*LSA, error) {
	n, d := train.Rows(), train.Cols
	if k < 1 || k > min(n, d) {
		return nil, fmt.Errorf("%w: k = %d with %d documents and %d words", ErrComponents, k, n, d)
	}
	idf := o.Weighting.IDF.Weights(train)
	w := weigh(train, o.Weighting.TF, idf, o.NormalizeRows)
	var mu []float64 // mean row of X
	if o.Centre != CentreNone {
		mu = make([]float64, d)
		for p, c := range train.Idx[:len(w)] {
			mu[c] += w[p]
		}
		floats.Scale(1/float64(n), mu)
	}
	apply := func(dst, v []float64) { // dst = X'X v (- n mu mu'v)
		clear(dst)
		for i := range n {
			lo, hi := train.Indptr[i], train.Indptr[i+1]
			idx, val := train.Idx[lo:hi], w[lo:hi]
			var t float64
			for j, c := range idx {
				t += val[j] * v[c]
			}
			if t == 0 {
				continue
			}
			for j, c := range idx {
				dst[c] += t * val[j]
			}
		}
		if o.Centre == CentrePCA {
			floats.AddScaled(dst, -float64(n)*floats.Dot(mu, v), mu)
		}
	}
	vals, vecs := lanczosTop(d, k, apply)
	l := &LSA{K: k, Options: o, Components: vecs, IDF: idf, Singular: make([]float64, k)}
	for i, v := range vals {
		l.Singular[i] = math.Sqrt(max(v, 0))
	}
	if mu != nil {
		l.Mean = make([]float64, k)
		mat.NewVecDense(k, l.Mean).MulVec(vecs.T(), mat.NewVecDense(d, mu))
	}
	return l, nil
}

// Transform returns the codes of docs, n x K row-major: x V_K - Mean, with
// x the weighted row of each document (like TruncatedSVD.transform with
// CentreNone). It panics if docs has a different vocabulary size.
func (l *LSA) Transform(docs *vocab.Matrix) []float32 {
	d, k := l.Components.Dims()
	if docs.Cols != d {
		panic(fmt.Sprintf("eval: LSA.Transform: %d columns, the model has %d", docs.Cols, d))
	}
	raw := l.Components.RawMatrix()
	w := weigh(docs, l.Options.Weighting.TF, l.IDF, l.Options.NormalizeRows)
	n := docs.Rows()
	out := make([]float32, n*k)
	acc := make([]float64, k)
	for i := range n {
		clear(acc)
		for p := docs.Indptr[i]; p < docs.Indptr[i+1]; p++ {
			floats.AddScaled(acc, w[p], raw.Data[int(docs.Idx[p])*raw.Stride:int(docs.Idx[p])*raw.Stride+k])
		}
		if l.Mean != nil {
			floats.Sub(acc, l.Mean)
		}
		for c, x := range acc {
			out[i*k+c] = float32(x)
		}
	}
	return out
}

// lanczosTop returns the k largest eigenvalues (decreasing) and their
// eigenvectors (d x k) of the symmetric positive semidefinite d x d operator
// apply(dst, v): dst = A v. It runs the Lanczos iteration with full
// reorthogonalization (classical Gram-Schmidt, twice), restarting with a
// fresh random vector orthogonal to the basis if the Krylov space becomes
// invariant, and grows the basis until the top k Ritz pairs have relative
// residuals below lanczosTol or the basis spans the whole space. Eigenvector
// signs are fixed so that each vector's entry of largest magnitude is
// positive.
func lanczosTop(d, k int, apply func(dst, v []float64)) ([]float64, *mat.Dense) {
	basis, alpha, beta := lanczosBasis(d, k, apply)
	return ritzPairs(basis, alpha, beta, k)
}

// lanczosBasis runs the Lanczos iteration of lanczosTop and returns the
// orthonormal basis and the tridiagonal matrix T = basis^T A basis: its
// diagonal alpha and off-diagonal beta (len(alpha)-1 entries).
func lanczosBasis(d, k int, apply func(dst, v []float64)) (basis [][]float64, alpha, beta []float64) {
	rng := rand.New(rand.NewPCG(0x15a, 0x2006))
	var (
		anorm     float64 // running estimate of ||A||
		eig       mat.EigenSym
		nextCheck = k
	)
	basis = append(basis, randomUnit(rng, d, nil))
	w := make([]float64, d)
	for {
		j := len(basis) - 1
		apply(w, basis[j])
		a := floats.Dot(basis[j], w)
		alpha = append(alpha, a)
		reorthogonalize(w, basis)
		b := floats.Norm(w, 2)
		anorm = max(anorm, math.Abs(a)+b)
		m := len(basis)
		if m == d {
			break
		}
		if b <= 1e-12*anorm {
			// Invariant subspace: continue in its complement.
			beta = append(beta, 0)
			basis = append(basis, randomUnit(rng, d, basis))
			continue
		}
		if m >= nextCheck {
			nextCheck = m + max(5, m/8)
			tridiagEigen(&eig, alpha, beta)
			if ritzConverged(&eig, k, b) {
				break
			}
		}
		beta = append(beta, b)
		q := make([]float64, d)
		floats.ScaleTo(q, 1/b, w)
		basis = append(basis, q)
	}
	return basis, alpha, beta[:len(basis)-1]
}

// randomUnit returns a random unit vector of length d orthogonal to basis.
func randomUnit(rng *rand.Rand, d int, basis [][]float64) []float64 {
	for {
		v := make([]float64, d)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		reorthogonalize(v, basis)
		if nv := floats.Norm(v, 2); nv > 1e-8 {
			floats.Scale(1/nv, v)
			return v
		}
	}
}

// ritzPairs returns the k largest eigenvalues of the tridiagonal matrix
// (alpha, beta), decreasing, and their Ritz vectors in the space of basis
// (d x k), each signed so that its entry of largest magnitude is positive.
func ritzPairs(basis [][]float64, alpha, beta []float64, k int) ([]float64, *mat.Dense) {
	m, d := len(basis), len(basis[0])
	var eig mat.EigenSym
	tridiagEigen(&eig, alpha, beta)
	var s mat.Dense
	eig.VectorsTo(&s)
	ev := eig.Values(nil) // ascending
	vals := make([]float64, k)
	vecs := mat.NewDense(d, k, nil)
	raw := vecs.RawMatrix()
	col := make([]float64, d)
	for c := range k {
		src := m - 1 - c
		vals[c] = ev[src]
		clear(col)
		for i, q := range basis {
			floats.AddScaled(col, s.At(i, src), q)
		}
		big := floats.MaxIdx(absTo(make([]float64, d), col))
		if col[big] < 0 {
			floats.Scale(-1, col)
		}
		for i, x := range col {
			raw.Data[i*raw.Stride+c] = x
		}
	}
	return vals, vecs
}

// reorthogonalize removes from v its components along the orthonormal
// vectors of basis, by classical Gram-Schmidt done twice ("twice is
// enough", Giraud et al., 2005).
func reorthogonalize(v []float64, basis [][]float64) {
	for range 2 {
		for _, q := range basis {
			floats.AddScaled(v, -floats.Dot(q, v), q)
		}
	}
}

// tridiagEigen factorizes the symmetric tridiagonal matrix with diagonal
// alpha and off-diagonal beta (len(alpha)-1 entries) into eig.
func tridiagEigen(eig *mat.EigenSym, alpha, beta []float64) {
	m := len(alpha)
	t := mat.NewSymDense(m, nil)
	for i, a := range alpha {
		t.SetSym(i, i, a)
		if i+1 < m {
			t.SetSym(i, i+1, beta[i])
		}
	}
	if !eig.Factorize(t, true) {
		panic("eval: eigendecomposition of the Lanczos matrix failed")
	}
}

// ritzConverged reports whether the k largest Ritz pairs in eig have
// residual b * |last component of the Ritz vector| below lanczosTol times
// the largest Ritz value.
func ritzConverged(eig *mat.EigenSym, k int, b float64) bool {
	vals := eig.RawValues()
	m := len(vals)
	if m < k {
		return false
	}
	q := eig.RawQ()
	top := math.Abs(vals[m-1])
	for c := m - k; c < m; c++ {
		if b*math.Abs(q.At(m-1, c)) > lanczosTol*top {
			return false
		}
	}
	return true
}

// absTo writes |v| into dst and returns it.
func absTo(dst, v []float64) []float64 {
	for i, x := range v {
		dst[i] = math.Abs(x)
	}
	return dst
}
