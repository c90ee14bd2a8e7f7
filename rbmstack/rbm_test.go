package rbmstack

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

func init() { progress.SetOutput(nil) }

// twoPatterns returns n binary cases of 6 units: 111000 or 000111, each bit
// flipped with probability 0.05.
func twoPatterns(n int, seed uint64) *mat.Dense {
	src := rng.New(seed, 9)
	d := mat.NewDense(n, 6, make([]float32, n*6))
	for i := 0; i < n; i++ {
		k := src.IntN(2)
		for j := 0; j < 6; j++ {
			on := (j < 3) == (k == 0)
			if src.Float64() < 0.05 {
				on = !on
			}
			if on {
				d.Data[i*6+j] = 1
			}
		}
	}
	return d
}

// logLik returns the exact mean log-probability of binary data under a
// binary RBM, enumerating the 2^NVis visible states for log Z:
// log p(v) = -F(v) - log Z, F(v) = -b'v - sum_j log(1 + exp(a_j + v'W_j)).
func logLik(r *RBM, d *mat.Dense) float64 {
	free := func(v []float32) float64 {
		f := 0.0
		for i, x := range v {
			f -= float64(r.VisBias[i] * x)
		}
		for j := 0; j < r.NHid; j++ {
			s := float64(r.HidBias[j])
			for i, x := range v {
				s += float64(x * r.W[i*r.NHid+j])
			}
			f -= math.Log1p(math.Exp(s))
		}
		return f
	}
	v := make([]float32, r.NVis)
	var terms []float64
	for s := 0; s < 1<<r.NVis; s++ {
		for i := range v {
			v[i] = float32(s >> i & 1)
		}
		terms = append(terms, -free(v))
	}
	mx := math.Inf(-1)
	for _, t := range terms {
		mx = math.Max(mx, t)
	}
	z := 0.0
	for _, t := range terms {
		z += math.Exp(t - mx)
	}
	logZ := mx + math.Log(z)
	ll := 0.0
	for i := 0; i < d.Rows; i++ {
		ll += -free(d.Row(i)) - logZ
	}
	return ll / float64(d.Rows)
}

func TestCDImprovesExactLikelihood(t *testing.T) {
	t.Parallel()
	data := twoPatterns(1000, 1)
	// The entropy of the data source is log 2 + 6 H(0.05) = 1.89 nats; any
	// model of independent bits with p = 0.5 scores -6 log 2 = -4.16.
	const indep = -6 * math.Ln2
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"cd1", Config{Epochs: 30, LR: 0.1, BatchSize: 20, InitStd: 0.1, Seed: 3}},
		{"cd5", Config{Epochs: 30, LR: 0.1, BatchSize: 20, InitStd: 0.1, CDk: 5, Seed: 3}},
		// PCD needs its learning rate annealed and gentle momentum (Tieleman 2008).
		{"pcd", Config{Epochs: 30, LR: 0.05, BatchSize: 20, InitStd: 0.1, Persistent: true, Anneal: true, FinalMomentum: 0.5, Seed: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Binary, Binary, 6, 4, 0.1, 3)
			before := logLik(r, data)
			tr, err := NewTrainer(r, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.Train(data, "test", nil); err != nil {
				t.Fatal(err)
			}
			after := logLik(r, data)
			t.Logf("exact log-likelihood %.3f -> %.3f nats (independent bits %.3f, source entropy -1.89)", before, after, indep)
			// A model that captured the two patterns is within about one
			// nat of the source entropy, far above independent bits.
			if after < indep+1.5 {
				t.Errorf("log-likelihood after training %.3f, want > %.3f", after, indep+1.5)
			}
		})
	}
}

func TestSamplersStatistics(t *testing.T) {
	t.Parallel()
	const n = 200000
	p := make([]float32, n)
	for i := range p {
		p[i] = 0.3
	}
	m := mat.View(n/100, 100, p)
	out := mat.New(n/100, 100)
	sampleBernoulli(out, m, 42)
	var s float64
	for _, x := range out.Data {
		s += float64(x)
	}
	mean := s / n
	// 5 standard errors of a Bernoulli(0.3) mean over n draws.
	if se := math.Sqrt(0.3 * 0.7 / n); math.Abs(mean-0.3) > 5*se {
		t.Errorf("Bernoulli mean %.4f, want 0.3 +- %.4f", mean, 5*se)
	}
	// Gaussian noise: mean 0, variance 1.
	z := mat.New(n/100, 100)
	addNoise(z, 7)
	var m1, m2 float64
	for _, x := range z.Data {
		m1 += float64(x)
		m2 += float64(x) * float64(x)
	}
	m1 /= n
	m2 = m2/n - m1*m1
	if math.Abs(m1) > 5/math.Sqrt(n) || math.Abs(m2-1) > 5*math.Sqrt(2.0/n) {
		t.Errorf("noise mean %.4f variance %.4f", m1, m2)
	}
	// Multinomial: chi-square of 100,000 draws over 5 categories.
	probs := []float32{0.1, 0.2, 0.3, 0.15, 0.25}
	rows := 1000
	pm := mat.New(rows, 5)
	nn := make([]float32, rows)
	for i := 0; i < rows; i++ {
		copy(pm.Row(i), probs)
		nn[i] = 100
	}
	cnt := mat.New(rows, 5)
	sampleMultinomial(cnt, pm, nn, 11)
	tot := make([]float64, 5)
	for i := 0; i < rows; i++ {
		var rs float32
		for j, c := range cnt.Row(i) {
			tot[j] += float64(c)
			rs += c
		}
		if rs != 100 {
			t.Fatalf("row %d drew %g words, want 100", i, rs)
		}
	}
	chi := 0.0
	for j, pj := range probs {
		e := float64(pj) * 100 * float64(rows)
		chi += (tot[j] - e) * (tot[j] - e) / e
	}
	// 4 degrees of freedom: P(chi2 > 18.47) = 0.001.
	if chi > 18.47 {
		t.Errorf("multinomial chi-square %.2f > 18.47 (p < 0.001)", chi)
	}
}

// topicDocs makes n documents over 100 words from 4 topics, each topic
// putting 90% of its mass on its own 25 words; lengths 5 to 300 words.
func topicDocs(n int, seed uint64) (*mat.Dense, []int) {
	src := rng.New(seed, 5)
	d := mat.NewDense(n, 100, make([]float32, n*100))
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		k := src.IntN(4)
		labels[i] = k
		length := 5 + src.IntN(296)
		row := d.Row(i)
		for w := 0; w < length; w++ {
			var j int
			if src.Float64() < 0.9 {
				j = k*25 + src.IntN(25)
			} else {
				j = src.IntN(100)
			}
			row[j]++
		}
	}
	return d, labels
}

// nnAccuracy returns the fraction of rows whose cosine nearest neighbour
// has the same label.
func nnAccuracy(x *mat.Dense, labels []int) float64 {
	norm := func(v []float32) float64 {
		s := 0.0
		for _, a := range v {
			s += float64(a) * float64(a)
		}
		return math.Sqrt(s) + 1e-12
	}
	// centre, as codes are compared after removing the mean.
	mean := make([]float64, x.Cols)
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			mean[j] += float64(v) / float64(x.Rows)
		}
	}
	c := mat.NewDense(x.Rows, x.Cols, make([]float32, len(x.Data)))
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			c.Data[i*x.Cols+j] = v - float32(mean[j])
		}
	}
	ok := 0
	for i := 0; i < c.Rows; i++ {
		best, bj := math.Inf(-1), -1
		ni := norm(c.Row(i))
		for j := 0; j < c.Rows; j++ {
			if j == i {
				continue
			}
			s := 0.0
			for k, a := range c.Row(i) {
				s += float64(a) * float64(c.Row(j)[k])
			}
			s /= ni * norm(c.Row(j))
			if s > best {
				best, bj = s, j
			}
		}
		if labels[bj] == labels[i] {
			ok++
		}
	}
	return float64(ok) / float64(c.Rows)
}

func TestReplicatedSoftmaxLearnsTopics(t *testing.T) {
	t.Parallel()
	docs, labels := topicDocs(800, 1)
	sc := StackConfig{Visible: Softmax, DocLen: 100, Layers: []LayerSpec{{
		Hidden: 20, Kind: Binary,
		Config: Config{Epochs: 15, LR: 1, LRHidBias: 0.01, CDk: 3, SampleVisible: true, InitStd: 0.05, Seed: 1},
	}}}
	s, err := TrainStack(docs, sc, nil, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Transform(docs, 1)
	acc := nnAccuracy(h, labels)
	t.Logf("nearest-neighbour topic accuracy of the hidden means: %.3f (chance 0.25)", acc)
	if acc < 0.9 {
		t.Errorf("accuracy %.3f, want >= 0.9", acc)
	}
	for j, a := range s.Layers[0].HidBias {
		if math.Abs(float64(a)) > 1 {
			t.Errorf("hidden bias %d ran away to %g", j, a)
		}
	}
}

func TestStackWithLinearTop(t *testing.T) {
	t.Parallel()
	docs, labels := topicDocs(600, 2)
	base := Config{Epochs: 10, LR: 0.1, InitStd: 0.1, Seed: 2}
	sc := StackConfig{Visible: Softmax, DocLen: 100, Layers: []LayerSpec{
		{Hidden: 30, Kind: Binary, Config: Config{Epochs: 10, LR: 1, LRHidBias: 0.01, CDk: 3, SampleVisible: true, InitStd: 0.05, Seed: 2}},
		{Hidden: 20, Kind: Binary, Config: withSample(base)},
		{Hidden: 4, Kind: Linear, Config: Config{Epochs: 20, LR: 0.005, InitStd: 0.1, SampleInput: true, Seed: 2}},
	}}
	var layersDone []int
	s, err := TrainStack(docs, sc, nil, Hooks{Layer: func(l int, _ *Stack) error { layersDone = append(layersDone, l); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Sizes(); len(got) != 4 || got[3] != 4 {
		t.Fatalf("sizes %v", got)
	}
	if len(layersDone) != 3 {
		t.Errorf("layer hook called %d times", len(layersDone))
	}
	code := s.Transform(docs, 3)
	acc := nnAccuracy(code, labels)
	t.Logf("4-D linear code nearest-neighbour accuracy %.3f (chance 0.25)", acc)
	if acc < 0.8 {
		t.Errorf("accuracy %.3f, want >= 0.8", acc)
	}
	// Resuming after the first layer reproduces the same stack.
	s2, err := TrainStack(docs, sc, &Checkpoint{Stack: &Stack{Layers: s.Layers[:1]}}, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := s.MarshalBinary()
	b2, _ := s2.MarshalBinary()
	if !bytes.Equal(b1, b2) {
		t.Errorf("resumed stack differs from the uninterrupted one")
	}
}

func withSample(c Config) Config { c.SampleInput = true; return c }

func TestReproducibleWithSeed(t *testing.T) {
	t.Parallel()
	data := twoPatterns(300, 4)
	train := func(seed uint64) []byte {
		sc := StackConfig{Visible: Binary, Layers: []LayerSpec{
			{Hidden: 5, Config: Config{Epochs: 3, BatchSize: 10, Seed: seed}},
			{Hidden: 3, Kind: Linear, Config: Config{Epochs: 3, BatchSize: 10, LR: 0.01, SampleInput: true, Seed: seed}},
		}}
		s, err := TrainStack(data, sc, nil, Hooks{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.MarshalBinary()
		return b
	}
	a, b, c := train(1), train(1), train(2)
	if !bytes.Equal(a, b) {
		t.Error("two runs with seed 1 differ")
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 1 and 2 give identical stacks")
	}
}

func TestDivergenceIsCaught(t *testing.T) {
	t.Parallel()
	data := twoPatterns(200, 5)
	r := New(Binary, Linear, 6, 3, 0.1, 1)
	tr, err := NewTrainer(r, Config{Epochs: 50, LR: 50, WeightDecay: -1, Momentum: 0.9, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Train(data, "rbm 3 (6-3)", nil)
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("err = %v, want ErrDiverged", err)
	}
	if !strings.Contains(err.Error(), "rbm 3") || !strings.Contains(err.Error(), "epoch") {
		t.Errorf("error %q does not name the layer and epoch", err)
	}
}

func TestConfigValidateListsAll(t *testing.T) {
	t.Parallel()
	c := Config{Epochs: -1, BatchSize: -5, LR: -1, LRHidBias: 1, Momentum: 2, FinalMomentum: 0.9, CDk: 1, InitStd: 0.1}
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"Epochs", "BatchSize", "LR", "momentum"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	sc := StackConfig{Visible: Binary, Layers: []LayerSpec{{Hidden: 0, Kind: Linear}, {Hidden: 3}}}
	err = sc.Validate()
	if err == nil || !strings.Contains(err.Error(), "layer 1") {
		t.Errorf("stack Validate = %v", err)
	}
}

func TestMarshalRoundTripAndCorruption(t *testing.T) {
	t.Parallel()
	s := &Stack{Layers: []*RBM{New(Softmax, Binary, 7, 4, 0.1, 1), New(Binary, Linear, 4, 2, 0.1, 2)}}
	s.Layers[0].DocLen = 100
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Stack
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	b2, _ := got.MarshalBinary()
	if !bytes.Equal(b, b2) {
		t.Fatal("round trip changed the stack")
	}
	for n := 0; n < len(b); n++ {
		if err := new(Stack).UnmarshalBinary(b[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: err = %v", n, err)
		}
	}
	for i := 0; i < len(b); i++ {
		c := append([]byte(nil), b...)
		c[i] ^= 0x10
		if err := new(Stack).UnmarshalBinary(c); err == nil {
			t.Fatalf("bit flip at byte %d not detected", i)
		}
	}
}

func TestPrepareRescalesDocuments(t *testing.T) {
	t.Parallel()
	r := New(Softmax, Binary, 4, 2, 0.1, 1)
	r.DocLen = 100
	raw := mat.View(3, 4, []float32{1, 1, 2, 0, 0, 0, 0, 0, 10, 0, 0, 30})
	v, p := mat.New(3, 4), mat.New(3, 4)
	scale := r.Prepare(raw, v, p, make([]float32, 3))
	want := []float32{25, 25, 50, 0, 0, 0, 0, 0, 25, 0, 0, 75}
	for i, w := range want {
		if math.Abs(float64(v.Data[i]-w)) > 1e-4 || math.Abs(float64(p.Data[i]-w/100)) > 1e-6 {
			t.Fatalf("v %v p %v, want v %v", v.Data, p.Data, want)
		}
	}
	if scale[0] != 100 || scale[1] != 0 || scale[2] != 100 {
		t.Errorf("scale %v", scale)
	}
}

func FuzzUnmarshal(f *testing.F) {
	s := &Stack{Layers: []*RBM{New(Binary, Binary, 3, 2, 0.1, 1)}}
	b, _ := s.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Stack
		_ = s.UnmarshalBinary(data)
	})
}
