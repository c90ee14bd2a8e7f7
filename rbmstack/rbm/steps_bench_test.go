package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/vocab"
)

// stepCases is the number of training cases the step benchmarks cycle
// through: ten batches of 100, so that a step reads fresh rows as in an
// epoch while the data stays small.
const stepCases = 1000

// mnistLike returns n rows of 784 pixels: zero with probability 0.81 and
// otherwise uniform in (0, 1], which gives MNIST's mean intensity of about
// 0.1 and its share of nonzero pixels (about 19%).
func mnistLike(n int) *mat.Dense {
	rng := rand.New(rand.NewPCG(784, uint64(n)))
	d := mat.NewDense(n, 784, make([]float32, n*784))
	for i := range d.Data {
		if rng.Float64() < 0.19 {
			d.Data[i] = float32(1 - rng.Float64())
		}
	}
	return d
}

// countsLike returns n documents over cols words with about 60 distinct
// words each: lengths log-normal with median 100 words, words drawn from a
// Zipf distribution (exponent 1.1) over a random permutation per document
// class (20 classes), as in eval's synthetic corpus. 20 Newsgroups over
// 2000 words has a median of 60 words per document.
func countsLike(n, cols int) *vocab.Matrix {
	rng := rand.New(rand.NewPCG(uint64(cols), uint64(n)))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(cols-1))
	const classes = 20
	perms := make([][]int, classes)
	for c := range perms {
		perms[c] = rng.Perm(cols)
	}
	m := vocab.NewMatrix(cols)
	counts := make(map[int32]float32)
	for range n {
		c := rng.IntN(classes)
		length := max(1, int(math.Exp(math.Log(100)+0.5*rng.NormFloat64())))
		clear(counts)
		for range length {
			counts[int32(perms[c][zipf.Uint64()])]++
		}
		m.Append(vocab.VectorFromCounts(counts))
	}
	return m
}

// benchStep runs t.step on consecutive batches of data and reports
// samples/s (training cases per second).
func benchStep(b *testing.B, t *Trainer, data mat.Matrix) {
	b.Helper()
	n, _ := data.Dims()
	bs := t.Cfg.BatchSize
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	b.ReportAllocs()
	lo := 0
	for b.Loop() {
		t.step(rows[lo:lo+bs], t.Cfg.LR, t.Cfg.LRHidBias)
		if lo += bs; lo+bs > n {
			lo = 0
		}
	}
	b.ReportMetric(float64(b.N*bs)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkCDStep measures one contrastive-divergence update (positive
// phase, k Gibbs steps, gradients and the momentum update) of the stack's
// bottom layers: the binary 784x1000 RBM of MNIST and the replicated-softmax
// 2000x500 RBM of 20 Newsgroups (RECIPES.md: documents rescaled to 100
// words, reconstructions sampled, CD-3; cd=1 matches the PyTorch reference
// of bench/torch_steps.py).
func BenchmarkCDStep(b *testing.B) {
	mnist := mnistLike(stepCases)
	docs := countsLike(stepCases, 2000)
	for _, tc := range []struct {
		name       string
		vis        Kind
		nvis, nhid int
		cdk        int
		data       mat.Matrix
	}{
		{"binary-784x1000", Binary, 784, 1000, 1, mnist},
		{"softmax-2000x500", Softmax, 2000, 500, 1, docs},
		{"softmax-2000x500", Softmax, 2000, 500, 3, docs},
	} {
		b.Run(fmt.Sprintf("%s/cd=%d/batch=100", tc.name, tc.cdk), func(b *testing.B) {
			r := New(tc.vis, Binary, tc.nvis, tc.nhid, 0.05, 1)
			cfg := Config{Schedule: rbmstack.Schedule{BatchSize: 100}, CDk: tc.cdk, Seed: 1}
			if tc.vis == Softmax {
				r.DocLen = 100
				cfg.LR, cfg.LRHidBias, cfg.SampleVisible = 1, 0.01, true
			}
			r.InitVisBias(tc.data)
			t, err := NewTrainer(r, tc.data, cfg)
			if err != nil {
				b.Fatal(err)
			}
			benchStep(b, t, tc.data)
		})
	}
}
