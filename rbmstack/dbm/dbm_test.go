package dbm

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/internal/testcase"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

func sched(epochs, batch int, lr float32) rbmstack.Schedule {
	return rbmstack.Schedule{Epochs: epochs, BatchSize: batch, LR: lr}
}

func b2f(u float64) float32 {
	if u < 0.5 {
		return 1
	}
	return 0
}

// pretrain returns the DBM composed from modified RBMs of sizes pretrained
// on data with cfg.
func pretrain(t *testing.T, data *mat.Dense, sizes []int, cfg rbm.Config) *DBM {
	t.Helper()
	p, err := NewPretrainer(data, sizes, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	d, err := p.DBM()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// jointTrain trains d on data with cfg.
func jointTrain(t *testing.T, d *DBM, data *mat.Dense, cfg Config) *Trainer {
	t.Helper()
	tr, err := NewTrainer(d, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return tr
}

// randomDBM returns a DBM of the given widths with weights N(0, std^2)
// and biases N(0, bstd^2).
func randomDBM(sizes []int, std, bstd float32, seed uint64) *DBM {
	d := New(sizes, std, seed)
	src := rng.New(seed, 77)
	for _, b := range d.B {
		for i := range b {
			b[i] = float32(src.Norm()) * bstd
		}
	}
	return d
}

// enumerate calls fn for every joint state of d (all units, at most 2^20)
// with -E(h).
func enumerate(d *DBM, fn func(h [][]float64, negE float64)) {
	L := d.Layers()
	total := 0
	for _, n := range d.Sizes {
		total += n
	}
	if total > 20 {
		panic("enumerate: model too large")
	}
	h := make([][]float64, L+1)
	for l := range h {
		h[l] = make([]float64, d.Sizes[l])
	}
	for s := 0; s < 1<<total; s++ {
		bit := 0
		for l := range h {
			for j := range h[l] {
				h[l][j] = float64(s >> bit & 1)
				bit++
			}
		}
		fn(h, negEnergy(d, h))
	}
}

// negEnergy returns -E(h) in float64.
func negEnergy(d *DBM, h [][]float64) float64 {
	var e float64
	for l := range h {
		for j, x := range h[l] {
			e += x * float64(d.B[l][j])
		}
		if l+1 < len(h) {
			n := d.Sizes[l+1]
			for i, x := range h[l] {
				if x == 0 {
					continue
				}
				for k, y := range h[l+1] {
					e += x * y * float64(d.W[l][i*n+k])
				}
			}
		}
	}
	return e
}

// exactLogPStar returns log sum_h exp(-E(v, h)) by enumerating the hidden
// units (at most 2^20 states).
func exactLogPStar(d *DBM, v []float32) float64 {
	L := d.Layers()
	total := 0
	for _, n := range d.Sizes[1:] {
		total += n
	}
	h := make([][]float64, L+1)
	h[0] = make([]float64, len(v))
	for i, x := range v {
		h[0][i] = float64(x)
	}
	for l := 1; l <= L; l++ {
		h[l] = make([]float64, d.Sizes[l])
	}
	terms := make([]float64, 0, 1<<total)
	for s := 0; s < 1<<total; s++ {
		bit := 0
		for l := 1; l <= L; l++ {
			for j := range h[l] {
				h[l][j] = float64(s >> bit & 1)
				bit++
			}
		}
		terms = append(terms, negEnergy(d, h))
	}
	return logSumExp(terms)
}

// dbmLogLik returns the exact mean log-probability of the rows of data.
func dbmLogLik(t *testing.T, d *DBM, data *mat.Dense) float64 {
	t.Helper()
	logZ, err := d.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	var s float64
	for i := 0; i < data.Rows; i++ {
		s += exactLogPStar(d, data.Row(i))
	}
	return s/float64(data.Rows) - logZ
}

func TestComposeAveragesSharedBiases(t *testing.T) {
	t.Parallel()
	a := rbm.New(rbm.Binary, rbm.Binary, 3, 2, 0.1, 1)
	b := rbm.New(rbm.Binary, rbm.Binary, 2, 4, 0.1, 2)
	a.VisBias = []float32{1, 2, 3}
	a.HidBias = []float32{1, 3}
	b.VisBias = []float32{3, -1}
	b.HidBias = []float32{5, 6, 7, 8}
	d, err := Compose([]*rbm.RBM{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if d.Sizes[0] != 3 || d.Sizes[1] != 2 || d.Sizes[2] != 4 {
		t.Fatalf("sizes %v", d.Sizes)
	}
	if d.B[1][0] != 2 || d.B[1][1] != 1 || d.B[0][2] != 3 || d.B[2][3] != 8 || d.W[1][5] != b.W[5] {
		t.Errorf("biases %v, want [1 2 3] [2 1] [5 6 7 8]", d.B)
	}
	if _, err := Compose([]*rbm.RBM{a, a}); err == nil {
		t.Error("mismatched sizes accepted")
	}
}

func TestMeanFieldFixedPoint(t *testing.T) {
	t.Parallel()
	d := randomDBM([]int{8, 6, 4}, 0.4, 0.5, 3)
	logZ, err := d.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	data := mat.NewDense(5, 8, make([]float32, 40))
	src := rng.New(4, 4)
	for i := range data.Data {
		data.Data[i] = b2f(src.Float64())
	}
	v := mat.View(5, 8, data.Data)
	mu := []mat.Dense{mat.New(5, 6), mat.New(5, 4)}
	res := d.MeanField(v, mu, 100)
	if res > 1e-5 {
		t.Fatalf("mean-field residual after 100 sweeps %g, want < 1e-5", res)
	}
	// The fixed-point equations hold in float64.
	for i := 0; i < 5; i++ {
		for j := 0; j < 6; j++ {
			in := float64(d.B[1][j])
			for a := 0; a < 8; a++ {
				in += float64(v.Row(i)[a] * d.W[0][a*6+j])
			}
			for k := 0; k < 4; k++ {
				in += float64(mu[1].Row(i)[k] * d.W[1][j*4+k])
			}
			if got := float64(mu[0].Row(i)[j]); math.Abs(got-1/(1+math.Exp(-in))) > 1e-5 {
				t.Errorf("case %d: mu1[%d] = %.7f, sigmoid(input) = %.7f", i, j, got, 1/(1+math.Exp(-in)))
			}
		}
	}
	// Mean-field marginals against the exact posterior p(h|v): with weights
	// of sd 0.4 the units are weakly coupled, so they agree to a few
	// hundredths; the bound never exceeds the exact log p(v).
	var worst float64
	for i := 0; i < 5; i++ {
		exact := [2][]float64{make([]float64, 6), make([]float64, 4)}
		var z float64
		vi := v.Row(i)
		sub := randomDBMFixedV(d, vi)
		enumerate(sub, func(h [][]float64, negE float64) {
			w := math.Exp(negE)
			z += w
			for j, x := range h[0] {
				exact[0][j] += w * x
			}
			for k, x := range h[1] {
				exact[1][k] += w * x
			}
		})
		for l := 0; l < 2; l++ {
			for j, e := range exact[l] {
				worst = math.Max(worst, math.Abs(e/z-float64(mu[l].Row(i)[j])))
			}
		}
		bound := d.LogProbBound(mat.NewDense(1, 8, append([]float32(nil), vi...)), logZ, 100)
		lp := exactLogPStar(d, vi) - logZ
		if bound > lp+1e-4 || bound < lp-0.5 {
			t.Errorf("case %d: bound %.5f, exact log p(v) %.5f", i, bound, lp)
		}
	}
	t.Logf("largest |mean-field - exact posterior marginal| %.4f", worst)
	if worst > 0.05 {
		t.Errorf("mean-field marginals differ from the exact ones by %.4f", worst)
	}
}

// randomDBMFixedV returns the DBM over the hidden layers of d given v:
// h^1 gets the extra bias v W[0]; layers shift down by one.
func randomDBMFixedV(d *DBM, v []float32) *DBM {
	c := &DBM{Sizes: d.Sizes[1:], W: d.W[1:]}
	b1 := append([]float32(nil), d.B[1]...)
	n := d.Sizes[1]
	for i, x := range v {
		for j := range b1 {
			b1[j] += x * d.W[0][i*n+j]
		}
	}
	c.B = append([][]float32{b1}, d.B[2:]...)
	return c
}

func TestGibbsMatchesExactMarginals(t *testing.T) {
	t.Parallel()
	d := randomDBM([]int{5, 4, 3}, 1, 0.5, 6)
	L := d.Layers()
	exact := make([][]float64, L+1)
	for l := range exact {
		exact[l] = make([]float64, d.Sizes[l])
	}
	var z float64
	enumerate(d, func(h [][]float64, negE float64) {
		w := math.Exp(negE)
		z += w
		for l := range h {
			for j, x := range h[l] {
				exact[l][j] += w * x
			}
		}
	})
	// M independent chains, 50 burn-in sweeps, then each chain's mean over
	// T sweeps; the chain means are independent, so their spread gives the
	// standard error.
	const M, burn, T = 1000, 50, 40
	s := make([]mat.Dense, L+1)
	p := make([]mat.Dense, L+1)
	sum := make([]mat.Dense, L+1)
	src := rng.New(7, 7)
	for l := range s {
		s[l] = mat.New(M, d.Sizes[l])
		p[l] = mat.New(M, d.Sizes[l])
		sum[l] = mat.New(M, d.Sizes[l])
		for i := range s[l].Data {
			s[l].Data[i] = b2f(src.Float64())
		}
	}
	d.gibbs(s, p, burn, src)
	for range T {
		d.gibbs(s, p, 1, src)
		for l := range s {
			mat.Axpy(1.0/T, s[l].Data, sum[l].Data)
		}
	}
	for l := range s {
		for j := 0; j < d.Sizes[l]; j++ {
			var m1, m2 float64
			for i := 0; i < M; i++ {
				x := float64(sum[l].Row(i)[j])
				m1 += x
				m2 += x * x
			}
			m1 /= M
			se := math.Sqrt((m2/M - m1*m1) / M)
			want := exact[l][j] / z
			// 5 standard errors: a false alarm has probability about 6e-7
			// per unit.
			if math.Abs(m1-want) > 5*se+1e-9 {
				t.Errorf("layer %d unit %d: Gibbs mean %.4f, exact %.4f (se %.4f)", l, j, m1, want, se)
			}
		}
	}
}

func TestTrainingImprovesExactLikelihood(t *testing.T) {
	t.Parallel()
	data := testcase.TwoPatterns(1000, 1)
	// Independent fair bits score -6 log 2 = -4.16 nats; the source has
	// entropy 1.89 (rbm_test.go). A model that captured the two patterns is
	// within about one nat of it.
	const indep = -6 * math.Ln2
	t.Run("joint", func(t *testing.T) {
		t.Parallel()
		d := New([]int{6, 4, 3}, 0.1, 1)
		before := dbmLogLik(t, d, data)
		tr, err := NewTrainer(d, data, Config{Schedule: sched(20, 20, 0.05), Particles: 50, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		var stats []rbmstack.Event
		if err := tr.Train(context.Background(), func(e rbmstack.Event) error {
			if e.Kind == rbmstack.EpochEnd {
				stats = append(stats, e)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		after := dbmLogLik(t, d, data)
		t.Logf("exact log-likelihood %.3f -> %.3f nats by joint training from random weights (independent bits %.3f, source entropy -1.89)", before, after, indep)
		if len(stats) != 20 || stats[19].LR > 0.05/20*1.01 || stats[19].Epoch != 20 {
			t.Errorf("last epoch stats %+v, want epoch 20 with the rate decayed below 0.05/20", stats[len(stats)-1])
		}
		if after < before+1 || after < indep+1.5 {
			t.Errorf("log-likelihood %.3f after joint training, %.3f before; want above both and above %.3f", after, before, indep+1.5)
		}
		if f := tr.Fantasy(); f.Rows != 50 || f.Cols != 6 || mat.HasNaN(f.Data) {
			t.Errorf("fantasy particles %dx%d", f.Rows, f.Cols)
		}
	})
	t.Run("pretrained", func(t *testing.T) {
		t.Parallel()
		d := pretrain(t, data, []int{6, 4, 3}, rbm.Config{Schedule: sched(10, 20, 0.05), InitStd: 0.1, Seed: 1})
		pre := dbmLogLik(t, d, data)
		// The paper's rate; a larger one makes the sharply bimodal
		// pretrained model swing between the modes while the persistent
		// chains lag behind (0.02 loses 0.6 nats before it recovers).
		jointTrain(t, d, data, Config{Schedule: sched(10, 20, 0.005), Particles: 50, Seed: 2})
		after := dbmLogLik(t, d, data)
		t.Logf("exact log-likelihood: composed from the modified RBMs %.3f, after joint training %.3f nats", pre, after)
		// Pretraining alone already models the two patterns, and joint
		// training keeps them. It does not keep the likelihood: over six
		// pretraining and two joint-training seeds (rng.Named streams) the
		// change ranged from -0.77 to +0.02 nats (median -0.10), so the
		// earlier bound of 0.02 held for one stream only.
		if pre < indep+1.5 || after < indep+1.5 {
			t.Errorf("log-likelihood %.3f pretrained, %.3f after joint training", pre, after)
		}
	})
}
func TestReproducibleWithSeed(t *testing.T) {
	t.Parallel()
	data := testcase.TwoPatterns(200, 3)
	train := func(seed uint64) (*DBM, *AISResult) {
		d := pretrain(t, data, []int{6, 5, 4, 3}, rbm.Config{Schedule: sched(2, 20, 0), InitStd: 0.1, Seed: seed})
		s := sched(2, 20, 0.02)
		s.Tau = 50
		jointTrain(t, d, data, Config{Schedule: s, Particles: 30, Seed: seed})
		res, err := d.AIS(context.Background(), AISConfig{Runs: 20, Betas: 100, BaseVisBias: BaseRateBias(data), Seed: seed}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return d, res
	}
	a, ra := train(5)
	b, rb := train(5)
	c, _ := train(6)
	same := func(x, y *DBM) bool {
		for l := range x.W {
			for i := range x.W[l] {
				if x.W[l][i] != y.W[l][i] {
					return false
				}
			}
		}
		for l := range x.B {
			for i := range x.B[l] {
				if x.B[l][i] != y.B[l][i] {
					return false
				}
			}
		}
		return true
	}
	if !same(a, b) || ra.LogZ != rb.LogZ {
		t.Errorf("same seed, different results (log Z %v and %v)", ra.LogZ, rb.LogZ)
	}
	if same(a, c) {
		t.Error("different seeds, same weights")
	}
}

func TestDivergenceIsCaught(t *testing.T) {
	t.Parallel()
	d := New([]int{6, 4, 3}, 1, 1)
	for i := range d.W[0] {
		d.W[0][i] = float32(math.Inf(1))
	}
	tr, err := NewTrainer(d, testcase.TwoPatterns(40, 1), Config{Schedule: sched(2, 10, 0), Particles: 10})
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Train(context.Background(), nil)
	if !errors.Is(err, rbmstack.ErrDiverged) || !strings.Contains(err.Error(), "epoch 1") {
		t.Errorf("got %v, want ErrDiverged naming epoch 1", err)
	}
}

func TestConfigValidateListsAll(t *testing.T) {
	t.Parallel()
	err := Config{Schedule: rbmstack.Schedule{Epochs: -1, BatchSize: -1, LR: -1, Tau: -1, Momentum: 2, WeightDecay: 3}, Particles: -1, Gibbs: -1, MeanField: -1}.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, f := range []string{"Epochs", "BatchSize", "LR", "Tau", "momentum", "WeightDecay", "Particles", "Gibbs", "MeanField"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error does not name %s: %v", f, err)
		}
	}
	var c Config
	c.EnsureDefaults()
	if err := c.Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
}
