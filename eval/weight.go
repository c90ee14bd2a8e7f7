package eval

import (
	"fmt"
	"math"

	"github.com/docsearch/docsearch/vocab"
)

// TF is a term-frequency transform: the weight a count tf > 0 of a term in
// a document gets before the idf factor.
type TF int

const (
	// TFLog is ln(1 + tf).
	TFLog TF = iota
	// TFRaw is tf itself.
	TFRaw
	// TFSublinear is 1 + ln(tf), scikit-learn's sublinear_tf.
	TFSublinear
)

// Weight returns the transformed count; 0 for tf <= 0.
func (f TF) Weight(tf float64) float64 {
	if tf <= 0 {
		return 0
	}
	switch f {
	case TFLog:
		return math.Log1p(tf)
	case TFRaw:
		return tf
	case TFSublinear:
		return 1 + math.Log(tf)
	}
	panic(fmt.Sprintf("eval: unknown TF %d", int(f)))
}

func (f TF) String() string {
	switch f {
	case TFLog:
		return "log(1+tf)"
	case TFRaw:
		return "tf"
	case TFSublinear:
		return "1+log(tf)"
	}
	return fmt.Sprintf("TF(%d)", int(f))
}

// IDF is an inverse document frequency: the weight of a term that df of the
// N training documents contain.
type IDF int

const (
	// IDFLog is ln(N / df), the textbook idf (Sparck Jones, 1972): a term
	// in every document gets 0. A term no training document contains
	// (df = 0) gets ln N, as if df were 1: seen in none of N documents, it
	// is at least as specific as the rarest term that was seen. With
	// N = 0 every idf is 0.
	IDFLog IDF = iota
	// IDFSmooth is ln((1 + N) / (1 + df)) + 1, scikit-learn's
	// TfidfVectorizer default (smooth_idf=True). The added 1 keeps even a
	// term in every document at weight 1, which flattens the contrast
	// between common and rare terms.
	IDFSmooth
)

// Weights returns the idf of each column of m, with N = m.Rows() and df
// counted over the rows of m.
func (f IDF) Weights(m *vocab.Matrix) []float64 {
	n := float64(m.Rows())
	idf := make([]float64, m.Cols)
	for j, df := range docFreq(m) {
		switch f {
		case IDFLog:
			if n > 0 {
				idf[j] = math.Log(n / float64(max(df, 1)))
			}
		case IDFSmooth:
			idf[j] = math.Log((1+n)/(1+float64(df))) + 1
		default:
			panic(fmt.Sprintf("eval: unknown IDF %d", int(f)))
		}
	}
	return idf
}

func (f IDF) String() string {
	switch f {
	case IDFLog:
		return "log(N/df)"
	case IDFSmooth:
		return "log((1+N)/(1+df))+1"
	}
	return fmt.Sprintf("IDF(%d)", int(f))
}

// Weighting turns counts into term weights, w(d, t) = TF(tf(d, t)) * IDF(t),
// with the idf taken from training documents. The zero value,
// ln(1+tf) * ln(N/df), is the weighting of TFIDF and FitLSA.
type Weighting struct {
	TF  TF
	IDF IDF
}

func (w Weighting) String() string { return w.TF.String() + " x " + w.IDF.String() }

// weigh returns TF(m) * idf for every stored entry of m, each row scaled to
// unit l2 norm when normalize is set (a row of zeros stays zero).
func weigh(m *vocab.Matrix, tf TF, idf []float64, normalize bool) []float64 {
	w := make([]float64, nnz(m))
	for i := range m.Rows() {
		lo, hi := m.Indptr[i], m.Indptr[i+1]
		var ss float64
		for k := lo; k < hi; k++ {
			x := tf.Weight(float64(m.Val[k])) * idf[m.Idx[k]]
			w[k] = x
			ss += x * x
		}
		if normalize && ss > 0 {
			inv := 1 / math.Sqrt(ss)
			for k := lo; k < hi; k++ {
				w[k] *= inv
			}
		}
	}
	return w
}

// DefaultLSAOptions returns the options FitLSA uses for k components:
// ln(1+tf) * ln(N/df) weights throughout; for k < 20 also unit-length rows
// and PCA centring, for k >= 20 neither. These are the recipes of highest
// mean average precision on held-out training data, see the package
// documentation.
func DefaultLSAOptions(k int) LSAOptions {
	if k < 20 {
		return LSAOptions{NormalizeRows: true, Centre: CentrePCA}
	}
	return LSAOptions{}
}
