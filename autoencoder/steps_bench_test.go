package autoencoder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// stepData returns n rows of cols values: for counts, about 60 words per
// row drawn from a Zipf distribution (exponent 1.1) over a per-row random
// shift of the vocabulary, median length 100; otherwise MNIST-like pixels,
// zero with probability 0.81 and uniform in (0, 1] else.
func stepData(n, cols int, counts bool) *mat.Dense {
	rng := rand.New(rand.NewPCG(uint64(cols), uint64(n)))
	d := mat.NewDense(n, cols, make([]float32, n*cols))
	if !counts {
		for i := range d.Data {
			if rng.Float64() < 0.19 {
				d.Data[i] = float32(1 - rng.Float64())
			}
		}
		return d
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(cols-1))
	for i := range n {
		row := d.Row(i)
		shift := rng.IntN(cols)
		length := max(1, int(math.Exp(math.Log(100)+0.5*rng.NormFloat64())))
		for range length {
			row[(int(zipf.Uint64())+shift)%cols]++
		}
	}
	return d
}

// deep returns the widths and activations of the autoencoder unrolled from
// an encoder of the given widths (sigmoid hidden layers, linear code) with
// output act.
func deep(enc []int, out Act) ([]int, []Act) {
	sizes := append([]int(nil), enc...)
	for i := len(enc) - 2; i >= 0; i-- {
		sizes = append(sizes, enc[i])
	}
	L := len(enc) - 1
	acts := make([]Act, 2*L)
	for i := range acts {
		acts[i] = Sigmoid
	}
	acts[L-1], acts[2*L-1] = Linear, out
	return sizes, acts
}

// BenchmarkAdamStep measures one fine-tuning step (forward, backward and
// the Adam update) of the paper's autoencoders: MNIST 784-1000-500-250-30
// unrolled (logistic cross-entropy) and 20 Newsgroups 2000-500-250-125-10
// unrolled (softmax output, cross-entropy against word proportions, inputs
// rescaled to 100 words). bench/torch_steps.py times the same steps in
// PyTorch.
func BenchmarkAdamStep(b *testing.B) {
	for _, tc := range []struct {
		name  string
		enc   []int
		loss  Loss
		batch int
	}{
		{"mnist-784-1000-500-250-30", []int{784, 1000, 500, 250, 30}, LogisticCE, 100},
		{"mnist-784-1000-500-250-30", []int{784, 1000, 500, 250, 30}, LogisticCE, 1000},
		{"news-2000-500-250-125-10", []int{2000, 500, 250, 125, 10}, SoftmaxCE, 100},
	} {
		b.Run(fmt.Sprintf("%s/batch=%d", tc.name, tc.batch), func(b *testing.B) {
			sizes, acts := deep(tc.enc, tc.loss.output())
			n, err := New(sizes, acts, tc.loss, 0.05, 1)
			if err != nil {
				b.Fatal(err)
			}
			n.Code = len(tc.enc) - 2
			if tc.loss == SoftmaxCE {
				n.InputLen = 100
			}
			// Ten batches of fresh rows, as in an epoch.
			data := stepData(10*tc.batch, tc.enc[0], tc.loss == SoftmaxCE)
			t, err := NewTrainer(n, Reconstruction(data, tc.loss), Config{Method: Adam, Schedule: rbmstack.Schedule{BatchSize: tc.batch}, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			rows := make([]int, data.Rows)
			for i := range rows {
				rows[i] = i
			}
			b.ReportAllocs()
			lo := 0
			for b.Loop() {
				t.adamBatch(rows[lo:lo+tc.batch], t.Cfg.LR)
				if lo += tc.batch; lo+tc.batch > len(rows) {
					lo = 0
				}
			}
			b.ReportMetric(float64(b.N*tc.batch)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
