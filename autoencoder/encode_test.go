package autoencoder

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/docsearch/docsearch/rbmstack/mat"
)

// TestEncodeSparseMatchesEncode: the one-row sparse path gives Encode's
// code to float32 rounding, with and without input rescaling.
func TestEncodeSparseMatchesEncode(t *testing.T) {
	t.Parallel()
	for _, inputLen := range []float32{0, 100} {
		n, err := New([]int{300, 40, 20, 5, 20, 40, 300},
			[]Act{Sigmoid, Sigmoid, Linear, Sigmoid, Sigmoid, Softmax}, SoftmaxCE, 0.3, 7)
		if err != nil {
			t.Fatal(err)
		}
		n.InputLen, n.Code = inputLen, 2
		r := rand.New(rand.NewPCG(1, 2))
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
					t.Fatalf("InputLen %v, trial %d: code %v, Encode gives %v", inputLen, trial, got, want)
				}
			}
		}
	}
}
