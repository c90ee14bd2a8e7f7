package rbm

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/internal/testcase"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

func logLik(r *RBM, d *mat.Dense) float64 {
	return testcase.LogLik(r.NVis, r.NHid, r.W, r.VisBias, r.HidBias, d)
}

func sched(epochs, batch int, lr float32) rbmstack.Schedule {
	return rbmstack.Schedule{Epochs: epochs, BatchSize: batch, LR: lr}
}

func train(t *testing.T, r *RBM, data mat.Matrix, cfg Config) *Trainer {
	t.Helper()
	tr, err := NewTrainer(r, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestCDImprovesExactLikelihood(t *testing.T) {
	t.Parallel()
	data := testcase.TwoPatterns(1000, 1)
	// The entropy of the data source is log 2 + 6 H(0.05) = 1.89 nats; any
	// model of independent bits with p = 0.5 scores -6 log 2 = -4.16.
	const indep = -6 * math.Ln2
	pcd := sched(30, 20, 0.05)
	pcd.Decay, pcd.Momentum = rbmstack.Linear, 0.5
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"cd1", Config{Schedule: sched(30, 20, 0.1), Seed: 3}},
		{"cd5", Config{Schedule: sched(30, 20, 0.1), CDk: 5, Seed: 3}},
		// PCD needs its learning rate annealed and gentle momentum (Tieleman 2008).
		{"pcd", Config{Schedule: pcd, Persistent: true, Seed: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Binary, Binary, 6, 4, 0.1, 3)
			before := logLik(r, data)
			train(t, r, data, tc.cfg)
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
	out := mat.New(n/100, 100)
	SampleBernoulli(out, mat.View(n/100, 100, p), 42)
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

func TestReproducibleWithSeed(t *testing.T) {
	t.Parallel()
	data := testcase.TwoPatterns(300, 4)
	run := func(seed uint64) []byte {
		r := New(Binary, Binary, 6, 5, 0.1, seed)
		train(t, r, data, Config{Schedule: sched(3, 10, 0.1), SampleInput: true, Seed: seed})
		return MarshalLayers([]*RBM{r})
	}
	a, b, c := run(1), run(1), run(2)
	if !bytes.Equal(a, b) {
		t.Error("two runs with seed 1 differ")
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 1 and 2 give identical RBMs")
	}
}

func TestDivergenceIsCaught(t *testing.T) {
	t.Parallel()
	data := testcase.TwoPatterns(200, 5)
	s := sched(50, 0, 50)
	s.WeightDecay, s.Momentum, s.InitialMomentum = -1, 0.9, 0.9
	tr, err := NewTrainer(New(Binary, Linear, 6, 3, 0.1, 1), data, Config{Schedule: s, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr.Stage = "rbm 3 (6-3)"
	err = tr.Train(context.Background(), nil)
	if !errors.Is(err, rbmstack.ErrDiverged) {
		t.Fatalf("err = %v, want ErrDiverged", err)
	}
	if !strings.Contains(err.Error(), "rbm 3") || !strings.Contains(err.Error(), "epoch") {
		t.Errorf("error %q does not name the layer and epoch", err)
	}
}

// TestNewTrainerListsEveryProblem: the configuration's and the data's
// problems come back together.
func TestNewTrainerListsEveryProblem(t *testing.T) {
	t.Parallel()
	s := sched(-1, -5, -1)
	s.Momentum = 2
	_, err := NewTrainer(New(Binary, Binary, 6, 4, 0.1, 1), mat.NewDense(0, 5, nil), Config{Schedule: s, CDk: 2000})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"Epochs", "BatchSize", "LR", "momentum", "CDk", "5 columns", "no training cases"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestLayersRoundTripAndCorruption(t *testing.T) {
	t.Parallel()
	layers := []*RBM{New(Softmax, Binary, 7, 4, 0.1, 1), New(Binary, Linear, 4, 2, 0.1, 2)}
	layers[0].DocLen = 100
	b := MarshalLayers(layers)
	got, err := UnmarshalLayers(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, MarshalLayers(got)) {
		t.Fatal("round trip changed the layers")
	}
	for n := 0; n < len(b); n++ {
		if _, err := UnmarshalLayers(b[:n]); !errors.Is(err, rbmstack.ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: err = %v", n, err)
		}
	}
	for i := 0; i < len(b); i++ {
		c := append([]byte(nil), b...)
		c[i] ^= 0x10
		if _, err := UnmarshalLayers(c); err == nil {
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

// TestScaledMeansEqualDoubledWeights: an RBM trained with UpScale or
// DownScale 2 computes the conditionals of an RBM with doubled weights on
// that side.
func TestScaledMeansEqualDoubledWeights(t *testing.T) {
	t.Parallel()
	r := New(Binary, Binary, 5, 3, 0.5, 1)
	for i := range r.VisBias {
		r.VisBias[i] = 0.1 * float32(i)
	}
	r2 := r.Clone()
	for i := range r2.W {
		r2.W[i] *= 2
	}
	v := mat.View(2, 5, []float32{1, 0, 1, 1, 0, 0, 1, 0, 0, 1})
	h := mat.View(2, 3, []float32{1, 0, 1, 0, 1, 1})
	got, want := mat.New(2, 3), mat.New(2, 3)
	r.hidMeans(v, nil, 2, got)
	r2.HidMeans(v, nil, want)
	gotV, wantV := mat.New(2, 5), mat.New(2, 5)
	r.visMeans(h, 2, gotV)
	r2.VisMeans(h, wantV)
	for i := range got.Data {
		if math.Abs(float64(got.Data[i]-want.Data[i])) > 1e-6 {
			t.Fatalf("up-scaled hidden means %v, doubled weights %v", got.Data, want.Data)
		}
	}
	for i := range gotV.Data {
		if math.Abs(float64(gotV.Data[i]-wantV.Data[i])) > 1e-6 {
			t.Fatalf("down-scaled visible means %v, doubled weights %v", gotV.Data, wantV.Data)
		}
	}
}

// TestResumeMidTraining kills training after each epoch (the state saved
// by rbmstack.Resume is all that survives) and resumes until it
// finishes: the RBM must be bit-identical to an uninterrupted run's.
func TestResumeMidTraining(t *testing.T) {
	t.Parallel()
	data := testcase.TwoPatterns(200, 7)
	s := sched(4, 20, 0.1)
	s.Decay = rbmstack.Linear
	cfg := Config{Schedule: s, SampleInput: true, Persistent: true, Seed: 2}
	want := New(Binary, Binary, 6, 4, 0.1, 1)
	train(t, want, data, cfg)
	var store testcase.Store
	var got *RBM
	kills := 0
	for ; got == nil && kills <= 10; kills++ {
		r := New(Binary, Binary, 6, 4, 0.1, 1)
		tr, err := NewTrainer(r, data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = rbmstack.Resume(context.Background(), tr, &store, testcase.KillAfter(1))
		if err == nil {
			got = r
		} else if !errors.Is(err, testcase.ErrKilled) {
			t.Fatal(err)
		}
	}
	if kills != 5 {
		t.Fatalf("%d runs, want 5: one per epoch killed and one that finishes", kills)
	}
	if !bytes.Equal(MarshalLayers([]*RBM{got}), MarshalLayers([]*RBM{want})) {
		t.Error("resumed RBM differs from the uninterrupted one")
	}
}

// TestTrainerStateRefusesOtherConfig: a trainer state restored into a
// trainer of another configuration or RBM is refused naming both, one in a
// retired format as written by an older docsearch.
func TestTrainerStateRefusesOtherConfig(t *testing.T) {
	data := testcase.RandomBinary(50, 8, 3)
	tr := train(t, New(Binary, Binary, 8, 4, 0.1, 1), data, Config{Schedule: sched(2, 0, 0.1), Seed: 1})
	st, err := tr.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewTrainer(New(Binary, Binary, 8, 4, 0.1, 1), data, Config{Schedule: sched(2, 0, 0.05), Seed: 1})
	if err := other.RestoreState(st); !errors.Is(err, rbmstack.ErrMismatch) || !strings.Contains(err.Error(), "LR:0.05") {
		t.Errorf("other LR: %v", err)
	}
	wide, _ := NewTrainer(New(Binary, Binary, 8, 5, 0.1, 1), data, Config{Schedule: sched(2, 0, 0.1), Seed: 1})
	if err := wide.RestoreState(st); !errors.Is(err, rbmstack.ErrMismatch) || !strings.Contains(err.Error(), "8-4") {
		t.Errorf("other shape: %v", err)
	}
	same, _ := NewTrainer(New(Binary, Binary, 8, 4, 0.1, 1), data, Config{Schedule: sched(2, 0, 0.1), Seed: 1})
	if err := same.RestoreState(st); err != nil || same.Epoch() != 2 {
		t.Errorf("same config: %v, epoch %d", err, same.Epoch())
	}
	old := binenc.Format{Name: "old", Magic: "DSRBMTR3", Version: 1}.NewWriter()
	old.String("{}")
	if err := other.RestoreState(old.Seal()); !errors.Is(err, rbmstack.ErrVersion) || !strings.Contains(err.Error(), "older docsearch") {
		t.Errorf("old format: %v", err)
	}
}

func FuzzUnmarshalLayers(f *testing.F) {
	f.Add(MarshalLayers([]*RBM{New(Binary, Binary, 3, 2, 0.1, 1)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = UnmarshalLayers(data)
		if len(data) >= 4 {
			_, _ = UnmarshalLayers(testcase.Reseal(data[:len(data)-4]))
		}
	})
}
