package mnist

import (
	"context"
	"fmt"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/internal/checkpoint"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/dbm"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// DBMOptions configure RunDBM. Zero fields take the defaults of
// EnsureDefaults, which depend on the profile.
type DBMOptions struct {
	Common
	// Sizes are the hidden widths, two or three layers; default 500, 1000
	// (the paper's 784-500-1000 DBM).
	Sizes []int
	// Epochs of joint training; default 30 for the Paper profile, else the
	// budget's TopEpochs. The paper runs 300,000 updates (500 epochs): 30
	// epochs (18,000 updates) is what fits 2 cores in about half an hour.
	Epochs int
	// FineTuneEpochs of the classifier; default the budget's.
	FineTuneEpochs int
	// MeanField sweeps of the mean-field fixed point; default 10.
	MeanField int
	// AISRuns and AISBetas size the AIS estimate of log Z: default 100 runs
	// of 14,500 betas (the paper's schedule) for the Paper profile, 50 runs
	// of 2,000 betas otherwise.
	AISRuns, AISBetas int
	// AISChains is the parity of the layers AIS runs its chains over, the
	// other parity summed out: "odd" (h^1, the default; see
	// dbm.AISConfig.OddChains) or "even" (v and h^2).
	AISChains string
	// AISBase is the base model's hidden layers: "data" (the default),
	// units on as often as the model's mean-field posteriors on the first
	// 10,000 training images (dbm.DBM.BaseRateHidBias), or "uniform"
	// (Salakhutdinov & Murray's). On the paper profile's model, 100 runs
	// of 14,500 temperatures: log-weight s.d. 0.73 nats and an effective
	// sample size of 63.8 (data, odd) against 24.5 nats and 1.0 (uniform,
	// even), whose log Z was 105 nats too low.
	AISBase string
	// Classifier is how the classifier on [v, q(h^2)] is fine-tuned.
	Classifier
}

// EnsureDefaults fills zero fields.
func (o *DBMOptions) EnsureDefaults() {
	o.Classifier.ensureDefaults()
	o.Common.ensureDefaults(QuickDBM)
	paper := o.Profile == Paper
	pick := func(v *int, quick, paperV int) {
		if *v == 0 {
			*v = quick
			if paper {
				*v = paperV
			}
		}
	}
	if len(o.Sizes) == 0 {
		o.Sizes = []int{500, 1000}
	}
	pick(&o.Epochs, o.Budget.TopEpochs, 30)
	pick(&o.FineTuneEpochs, o.Budget.FineTuneEpochs, o.Budget.FineTuneEpochs)
	pick(&o.MeanField, 10, 10)
	pick(&o.AISRuns, 50, 100)
	pick(&o.AISBetas, 2000, 14500)
	if o.AISChains == "" {
		o.AISChains = "odd"
	}
	if o.AISBase == "" {
		o.AISBase = "data"
	}
}

// Validate reports every problem at once.
func (o DBMOptions) Validate() error {
	p := o.check()
	checkSizes(p, "sizes", o.Sizes)
	if len(o.Sizes) < 2 || len(o.Sizes) > 3 {
		p.Add("a DBM has two or three hidden layers, got sizes %v", o.Sizes)
	}
	if o.AISChains != "even" && o.AISChains != "odd" {
		p.Add("AIS chains must be even or odd, got %q", o.AISChains)
	}
	if o.AISBase != "uniform" && o.AISBase != "data" {
		p.Add("AIS base must be uniform or data, got %q", o.AISBase)
	}
	o.Classifier.reportTo(p)
	if o.Epochs < 0 || o.FineTuneEpochs < 0 || o.MeanField < 1 || o.AISRuns < 1 || o.AISBetas < 3 {
		p.Add("epochs %d and fine-tuning epochs %d must not be negative; mean-field sweeps %d and AIS runs %d positive; AIS betas %d at least 3",
			o.Epochs, o.FineTuneEpochs, o.MeanField, o.AISRuns, o.AISBetas)
	}
	return p.Err()
}

// DBMResult is what RunDBM measured.
type DBMResult struct {
	// TestError and TrainError are the classifier's, fine-tuned with early
	// stopping at BestEpoch on the held-out tenth; with Refit,
	// RefitTestError and RefitTrainError are those of the net trained
	// again on every image for BestEpoch epochs.
	TestError       float64  `json:"test_error"`
	BestEpoch       int      `json:"best_epoch"`
	RefitTestError  *float64 `json:"refit_test_error,omitempty"`
	RefitTrainError *float64 `json:"refit_train_error,omitempty"`
	// TestLogProb is the mean variational lower bound on log p(v) of the
	// stochastically binarised test images, in nats, with the AIS log Z.
	TestLogProb float64 `json:"test_log_prob"`
	// TrainLogProb is the same bound on the first 10,000 training images:
	// far above TestLogProb means overfitting.
	TrainLogProb float64 `json:"train_log_prob"`
	TrainError   float64 `json:"train_error"`
	LogZ         float64 `json:"log_z"`
	// LogZErr is the upper arm of AIS's +-3 standard error bar on log Z,
	// log(mean(w) + 3 se) - log(mean(w)); the lower arm is longer.
	LogZErr float64 `json:"log_z_err"`
	// AISESS is the effective sample size of the AIS runs and AISLogWStd
	// the spread of their log weights; LogZReliable is false when a few
	// runs carry the estimate (dbm.AISResult.Reliable), and then LogZ is
	// probably too low and TestLogProb too high.
	AISESS       float64 `json:"ais_ess"`
	AISLogWStd   float64 `json:"ais_log_w_sd"`
	LogZReliable bool    `json:"log_z_reliable"`
	AISRuns      int     `json:"ais_runs"`
	AISBetas     int     `json:"ais_betas"`
	AISChains    string  `json:"ais_chains"`
	AISBase      string  `json:"ais_base"`
	Epochs       int     `json:"epochs"`
	TrainImages  int     `json:"train_images"`
	Seconds      float64 `json:"seconds"`
	// Particles are the visible probabilities p(v | h^1) of the persistent
	// chains at the end of training, one image per row.
	Particles *mat.Dense `json:"-"`
}

// binarizeSeed fixes the stochastic binarisation of the test images, so
// that log-probabilities of runs with different seeds compare.
const binarizeSeed = 0xb1a5

// RunDBM reproduces the MNIST experiments of Salakhutdinov & Hinton, "Deep
// Boltzmann machines" (AISTATS 2009), section 4, on a smaller budget:
//
//  1. greedy pretraining of the modified RBMs (DBMPretrain), on binary
//     states drawn from the pixel intensities for every minibatch;
//  2. joint training by stochastic approximation (DBMJoint): 10 mean-field
//     sweeps per minibatch, 100 persistent chains with 5 Gibbs sweeps per
//     update;
//  3. log Z by AIS (AISChains, AISBase: by default from a base model with
//     the data's visible base rates and hidden units on as often as the
//     model's posteriors, chains over h^1), and the mean variational lower
//     bound on log p(v) of the test images (Published: 356.18 and -84.62);
//  4. classification: the 784-500-1000 net whose input is the image and
//     its mean-field posterior q(h^2), its first layer [W[0]; W[1]'] with
//     biases B[1] and its second W[1], B[2] taken from the DBM, a random
//     softmax layer on top, fine-tuned by Backprop (Published: 0.95%).
//     With three hidden layers the input is still [v, q(h^2)] and the
//     upper layers follow the DBM's weights.
func RunDBM(ctx context.Context, train, test *Set, o DBMOptions) (res *DBMResult, d *dbm.DBM, err error) {
	start := time.Now()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, nil, err
	}
	tr := o.Budget.trainSet(train)
	settings := append([]checkpoint.Setting{setting("sizes", rbmstack.Shape(o.Sizes...)), setting("joint epochs", o.Epochs),
		setting("classifier epochs", o.FineTuneEpochs), setting("mean-field sweeps", o.MeanField)}, o.Classifier.settings()...)
	run, err := o.open("dbm", tr, settings...)
	if err != nil {
		return nil, nil, err
	}
	defer func() { err = run.Failed(err, rbmstack.ErrDiverged) }()
	x := data(tr)
	d, particles, err := o.trainDBM(ctx, run, x)
	if err != nil {
		return nil, nil, err
	}
	res = &DBMResult{TrainImages: tr.N, Epochs: o.Epochs, AISRuns: o.AISRuns, AISBetas: o.AISBetas, AISChains: o.AISChains, AISBase: o.AISBase, Particles: particles}
	if err := o.logProb(ctx, d, x, tr, test, res); err != nil {
		return nil, nil, err
	}
	if err := o.classify(ctx, run, d, tr, test, res); err != nil {
		return nil, nil, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, d, nil
}

// trainDBM pretrains and jointly trains the DBM on x and returns it with
// the visible probabilities of its persistent chains.
func (o DBMOptions) trainDBM(ctx context.Context, run *checkpoint.Run, x *mat.Dense) (*dbm.DBM, *mat.Dense, error) {
	sizes := append([]int{x.Cols}, o.Sizes...)
	p, err := dbm.NewPretrainer(x, sizes, rbmLayer(DBMPretrain, o.Budget.PretrainEpochs, o.seed("pretraining")))
	if err != nil {
		return nil, nil, err
	}
	if err := o.train(ctx, run, "pretrain", p); err != nil {
		return nil, nil, fmt.Errorf("pretraining: %w", err)
	}
	d, err := p.DBM()
	if err != nil {
		return nil, nil, err
	}
	cfg := DBMJoint
	cfg.Epochs, cfg.MeanField, cfg.Seed = o.Epochs, o.MeanField, o.seed("joint training")
	t, err := dbm.NewTrainer(d, x, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := o.train(ctx, run, "joint", t); err != nil {
		return nil, nil, err
	}
	return d, t.Fantasy(), nil
}

// logProb estimates log Z by AIS and the variational bounds on the test
// images and the first 10,000 training images.
func (o DBMOptions) logProb(ctx context.Context, d *dbm.DBM, x *mat.Dense, tr, test *Set, res *DBMResult) error {
	cfg := dbm.AISConfig{Runs: o.AISRuns, Betas: o.AISBetas, BaseVisBias: dbm.BaseRateBias(x), OddChains: o.AISChains == "odd", Seed: o.seed("ais")}
	if o.AISBase == "data" {
		n := min(10000, x.Rows)
		cfg.BaseHidBias = d.BaseRateHidBias(mat.NewDense(n, x.Cols, x.Data[:n*x.Cols]), o.MeanField)
	}
	ais, err := d.AIS(ctx, cfg, o.Observer)
	if err != nil {
		return err
	}
	res.LogZ, res.LogZErr = ais.LogZ, ais.LogZHigh-ais.LogZ
	res.AISESS, res.AISLogWStd, res.LogZReliable = ais.ESS, ais.LogWStd, ais.Reliable()
	res.TestLogProb = d.LogProbBound(Binarize(test, binarizeSeed), res.LogZ, o.MeanField)
	res.TrainLogProb = d.LogProbBound(Binarize(tr.Slice(0, min(10000, tr.N)), binarizeSeed), res.LogZ, o.MeanField)
	return nil
}

// classify fine-tunes the classifier of d on [v, q(h^2)] and records its
// errors.
func (o DBMOptions) classify(ctx context.Context, run *checkpoint.Run, d *dbm.DBM, tr, test *Set, res *DBMResult) error {
	net, err := dbmClassifier(d, o.seed("classifier"))
	if err != nil {
		return err
	}
	trainX := joined{data(tr), d.Posterior(data(tr), o.MeanField)[1]}
	testX := joined{data(test), d.Posterior(data(test), o.MeanField)[1]}
	var start *autoencoder.Net
	if o.Refit {
		start = net.Clone()
	}
	recipe := o.recipe()
	cfg := backprop(recipe, o.FineTuneEpochs, o.seed("fine-tune"))
	cfg.Patience = max(5, o.FineTuneEpochs)
	cfg.Select = o.Select
	ft, err := autoencoder.NewTrainer(net, autoencoder.Classification(trainX, labels(tr), 10), cfg)
	if err != nil {
		return err
	}
	ft.Stage = "fine-tune dbm classifier"
	if err := o.train(ctx, run, "finetune", ft); err != nil {
		return err
	}
	res.BestEpoch = ft.BestEpoch()
	res.TestError = classErrorOn(net, testX, test.Labels)
	res.TrainError = classErrorOn(net, trainX, tr.Labels)
	if !o.Refit {
		return nil
	}
	rt, err := refitTrainer(start, trainX, labels(tr), recipe, max(1, ft.BestEpoch()), o.seed("refit"))
	if err != nil {
		return err
	}
	rt.Stage = fmt.Sprintf("refit dbm classifier on all %d images", tr.N)
	if err := o.train(ctx, run, "refit", rt); err != nil {
		return err
	}
	te, tre := classErrorOn(start, testX, test.Labels), classErrorOn(start, trainX, tr.Labels)
	res.RefitTestError, res.RefitTrainError = &te, &tre
	return nil
}

// dbmClassifier returns the net [v, q(h^2)] -> h^1 -> ... -> h^L -> 10
// initialised from d (Salakhutdinov & Hinton 2009, Fig. 2): the first
// layer's weights are W[0] stacked on W[1]' (the top-down input of q(h^2)),
// the others W[l]; the softmax layer starts as Glorot & Bengio's (2010)
// random weights, which fine-tune faster than small ones.
func dbmClassifier(d *dbm.DBM, seed uint64) (*autoencoder.Net, error) {
	L := d.Layers()
	n0, n1, n2 := d.Sizes[0], d.Sizes[1], d.Sizes[2]
	sizes := append([]int{n0 + n2}, d.Sizes[1:]...)
	sizes = append(sizes, 10)
	acts := make([]autoencoder.Act, len(sizes)-1)
	acts[len(acts)-1] = autoencoder.Softmax
	net, err := autoencoder.New(sizes, acts, autoencoder.SoftmaxCE, 0.01, seed)
	if err != nil {
		return nil, err
	}
	net.InitGlorot(seed) // kept by the softmax layer only, as in RunDNN
	first := net.Layers[0]
	copy(first.W, d.W[0])
	for k := 0; k < n2; k++ {
		row := first.W[(n0+k)*n1 : (n0+k+1)*n1]
		for j := range row {
			row[j] = d.W[1][j*n2+k]
		}
	}
	copy(first.B, d.B[1])
	for l := 1; l < L; l++ {
		copy(net.Layers[l].W, d.W[l])
		copy(net.Layers[l].B, d.B[l+1])
	}
	return net, nil
}

// joined is the Matrix of two matrices side by side: [a, b] row by row.
type joined struct{ a, b *mat.Dense }

func (j joined) Dims() (int, int) { return j.a.Rows, j.a.Cols + j.b.Cols }

func (j joined) DenseRowsTo(dst []float32, rows []int) {
	w := j.a.Cols + j.b.Cols
	for k, i := range rows {
		copy(dst[k*w:], j.a.Row(i))
		copy(dst[k*w+j.a.Cols:(k+1)*w], j.b.Row(i))
	}
}

// Binarize returns the images of s as binary states, each pixel drawn as 1
// with probability its intensity (the stochastic binarisation of
// Salakhutdinov & Murray 2008), from the stream seed.
func Binarize(s *Set, seed uint64) *mat.Dense {
	out := make([]float32, len(s.Images))
	rng.New(seed, 0).Bernoulli(out, s.Images)
	return mat.NewDense(s.N, s.Dim(), out)
}

// WriteDBMSamples draws the first 100 rows of particles (visible
// probabilities of the persistent chains, RunDBM's DBMResult.Particles) as
// a 10x10 grid.
func WriteDBMSamples(path string, particles *mat.Dense) error {
	n := min(100, particles.Rows)
	imgs := make([][]float32, n)
	for i := range imgs {
		imgs[i] = particles.Row(i)
	}
	return WriteGridScale(path, imgs, 10, 10, Rows, Cols, 2)
}
