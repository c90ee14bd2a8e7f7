package autoencoder

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/docsearch/docsearch/rbmstack/mat"
)

// TestEncodeSparseMatchesEncode: the one-row sparse path gives Encode's
// code to float32 rounding, with and without input rescaling and input
// weights.
func TestEncodeSparseMatchesEncode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		inputLen float32
		weighed  bool
	}{{0, false}, {100, false}, {0, true}, {100, true}} {
		inputLen := c.inputLen
		n, err := New([]int{300, 40, 20, 5, 20, 40, 300},
			[]Act{Sigmoid, Sigmoid, Linear, Sigmoid, Sigmoid, Softmax}, SoftmaxCE, 0.3, 7)
		if err != nil {
			t.Fatal(err)
		}
		n.InputLen, n.Code = inputLen, 2
		r := rand.New(rand.NewPCG(1, 2))
		if c.weighed {
			n.InputWeights = make([]float32, 300)
			for j := range n.InputWeights {
				n.InputWeights[j] = 3 * r.Float32()
			}
		}
		for trial := range 20 {
			dense := make([]float32, 300)
			var idx []int32
			var val []float32
			for j := range dense {
				if r.IntN(10) == 0 || (trial == 0 && j < 2) {
					dense[j] = float32(1 + r.IntN(4))
					idx = append(idx, int32(j))
					val = append(val, dense[j])
				}
			}
			if trial == 1 { // an empty input: the code of no words
				clear(dense)
				idx, val = nil, nil
			}
			want := n.Encode(mat.NewDense(1, 300, dense)).Data
			got := n.EncodeSparse(idx, val)
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("InputLen %v, weights %v, trial %d: code %v, Encode gives %v", inputLen, c.weighed, trial, got, want)
				}
			}
		}
	}
}

// TestInputWeights: a weighted input j is ln(1 + x_j) * InputWeights[j],
// so a count of e-1 with weight 2 encodes as the input 2 of the
// unweighted net, in both encoders.
func TestInputWeights(t *testing.T) {
	t.Parallel()
	n, err := New([]int{3, 2, 3}, []Act{Linear, Softmax}, SoftmaxCE, 0.3, 7)
	if err != nil {
		t.Fatal(err)
	}
	n.Code = 0
	plain := n.Encode(mat.NewDense(1, 3, []float32{0, 2, 0})).Data
	n.InputWeights = []float32{5, 2, 7}
	dense := n.Encode(mat.NewDense(1, 3, []float32{0, float32(math.E - 1), 0})).Data
	sparse := n.EncodeSparse([]int32{1}, []float32{float32(math.E - 1)})
	for i := range plain {
		if math.Abs(float64(dense[i]-plain[i])) > 1e-5 || math.Abs(float64(sparse[i]-plain[i])) > 1e-5 {
			t.Fatalf("weighted codes %v (Encode) and %v (EncodeSparse), want %v", dense, sparse, plain)
		}
	}
	if c := n.Clone(); len(c.InputWeights) != 3 || c.InputWeights[2] != 7 {
		t.Fatalf("Clone lost the input weights: %v", c.InputWeights)
	}
}
