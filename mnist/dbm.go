package mnist

import (
	"fmt"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// DBMOptions configure RunDBM. Zero fields take the profile's values.
type DBMOptions struct {
	Profile Profile
	// Sizes are the hidden widths, two or three layers; default 500-1000
	// (the paper's 784-500-1000 DBM).
	Sizes []int
	// Epochs of joint training; default 30 for the paper profile, else
	// Profile.TopEpochs. The paper runs 300,000 updates (500 epochs):
	// 30 epochs (18,000 updates) is what fits 2 cores in about half an hour.
	Epochs int
	// FineTuneEpochs of the classifier; default Profile.FineTuneEpochs.
	FineTuneEpochs int
	// MeanField sweeps of the mean-field fixed point; default 10.
	MeanField int
	// AISRuns and AISBetas size the AIS estimate of log Z: default 100 runs
	// of 14,500 betas (the paper's schedule) for the paper profile, 50 runs
	// of 2,000 betas otherwise.
	AISRuns, AISBetas int
	Seed              uint64
	// Checkpoint, when set, is a folder where pretraining, joint training
	// and fine-tuning are saved after every epoch; with Resume a killed run
	// continues from there (same options and seed give the same model as
	// an uninterrupted run). Without Resume a run first deletes the
	// checkpoints an earlier run of the same options left.
	Checkpoint string
	Resume     bool
}

// DBMResult is what RunDBM measured.
type DBMResult struct {
	TestError float64 `json:"test_error"`
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
	// runs carry the estimate (rbmstack.AISResult.Reliable), and then LogZ
	// is probably too low and TestLogProb too high.
	AISESS       float64 `json:"ais_ess"`
	AISLogWStd   float64 `json:"ais_log_w_sd"`
	LogZReliable bool    `json:"log_z_reliable"`
	AISRuns      int     `json:"ais_runs"`
	AISBetas     int     `json:"ais_betas"`
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
//  1. greedy pretraining of the modified RBMs (section 3.1), on binary
//     states drawn from the pixel intensities for every minibatch;
//  2. joint training by stochastic approximation: 10 mean-field sweeps per
//     minibatch, 100 persistent chains with 5 Gibbs sweeps per update, a
//     learning rate of 0.01 decayed linearly to zero, momentum 0.5;
//  3. log Z by AIS from the base-rate model, and the mean variational lower
//     bound on log p(v) of the test images (the paper: log Z 356.18 and
//     -84.62 nats for 784-500-1000);
//  4. classification: the 784-500-1000 net whose input is the image and
//     its mean-field posterior q(h^2), its first layer [W[0]; W[1]'] with
//     biases B[1] and its second W[1], B[2] taken from the DBM, a random
//     softmax layer on top, fine-tuned by backpropagation with SGD as in RunDNN
//     (the paper: 0.95% test error). With three hidden layers the input is
//     still [v, q(h^2)] and the upper layers follow the DBM's weights.
func RunDBM(train, test *Set, o DBMOptions) (*DBMResult, *rbmstack.DBM, error) {
	start := time.Now()
	if len(o.Sizes) == 0 {
		o.Sizes = []int{500, 1000}
	}
	if len(o.Sizes) < 2 || len(o.Sizes) > 3 {
		return nil, nil, fmt.Errorf("mnist: a DBM has two or three hidden layers, got %v", o.Sizes)
	}
	paper := o.Profile.Name == "paper"
	if o.Epochs == 0 {
		o.Epochs = o.Profile.TopEpochs
		if paper {
			o.Epochs = 30
		}
	}
	if o.FineTuneEpochs == 0 {
		o.FineTuneEpochs = o.Profile.FineTuneEpochs
	}
	if o.MeanField == 0 {
		o.MeanField = 10
	}
	if o.AISRuns == 0 {
		o.AISRuns = 50
		if paper {
			o.AISRuns = 100
		}
	}
	if o.AISBetas == 0 {
		o.AISBetas = 2000
		if paper {
			o.AISBetas = 14500
		}
	}
	tr := o.Profile.trainSet(train)
	x := data(tr)
	sizes := append([]int{tr.Dim()}, o.Sizes...)
	ck, err := dbmCheckpoints(o, sizes, tr.N)
	if err != nil {
		return nil, nil, err
	}

	// 1. Greedy pretraining. The paper trains each RBM for 100 epochs; the
	// paper profile gives Profile.PretrainEpochs (20).
	// Weight decay 1e-3 (five times the RBM default) keeps the top RBM's
	// units alive: with 2e-4, 151 of its 1000 units never turned on
	// (20,000 images, 20 epochs).
	d, err := ck.pretrainDBM("pretrain", x, sizes, rbmstack.Config{Epochs: o.Profile.PretrainEpochs, LR: 0.05, WeightDecay: 1e-3, InitStd: 0.01, Seed: o.Seed*1000 + 1})
	if err != nil {
		return nil, nil, fmt.Errorf("pretraining: %w", err)
	}
	// 2. Joint training. Measured on 20,000 images, 10 epochs, test bound
	// with AIS: momentum 0.9 after epoch 5 set the chains oscillating
	// (reconstruction error 6.4 -> 14.4) and ended at -122 nats; momentum
	// 0.5 throughout gave -105 at a rate of 0.005 and -101.5 at 0.01.
	t, err := rbmstack.NewDBMTrainer(d, rbmstack.DBMConfig{Epochs: o.Epochs, LR: 0.01, Momentum: 0.5, FinalMomentum: 0.5, MeanField: o.MeanField, Seed: o.Seed*1000 + 20})
	if err != nil {
		return nil, nil, err
	}
	if err := ck.trainDBM("joint", t, x); err != nil {
		return nil, nil, err
	}
	res := &DBMResult{TrainImages: tr.N, Epochs: o.Epochs, AISRuns: o.AISRuns, AISBetas: o.AISBetas, Particles: t.Fantasy()}

	// 3. log Z and the test log-probability bound.
	ais, err := d.AIS(rbmstack.AISConfig{Runs: o.AISRuns, Betas: o.AISBetas, BaseVisBias: rbmstack.BaseRateBias(x), Seed: o.Seed*1000 + 30})
	if err != nil {
		return nil, nil, err
	}
	res.LogZ, res.LogZErr = ais.LogZ, ais.LogZHigh-ais.LogZ
	res.AISESS, res.AISLogWStd, res.LogZReliable = ais.ESS, ais.LogWStd, ais.Reliable()
	res.TestLogProb = d.LogProbBound(Binarize(test, binarizeSeed), res.LogZ, o.MeanField)
	res.TrainLogProb = d.LogProbBound(Binarize(tr.Slice(0, min(10000, tr.N)), binarizeSeed), res.LogZ, o.MeanField)

	// 4. Classification from [v, q(h^2)].
	net, err := dbmClassifier(d, o.Seed*1000+40)
	if err != nil {
		return nil, nil, err
	}
	trainX := joined{x, d.Posterior(x, o.MeanField)[1]}
	testX := joined{data(test), d.Posterior(data(test), o.MeanField)[1]}
	labels := make([]int, tr.N)
	for i, l := range tr.Labels {
		labels[i] = int(l)
	}
	cfg := autoencoder.TrainConfig{Method: "sgd", Epochs: o.FineTuneEpochs, LR: 0.1, BatchSize: 100,
		Holdout: 0.1, Patience: max(5, o.FineTuneEpochs), Seed: o.Seed*1000 + 50}
	ft, err := autoencoder.NewTrainer(net, autoencoder.Classification(trainX, labels, 10), cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := ck.trainNet("finetune", ft, "fine-tune dbm classifier"); err != nil {
		return nil, nil, err
	}
	res.TestError = classErrorOn(net, testX, test.Labels)
	res.TrainError = classErrorOn(net, trainX, tr.Labels)
	res.Seconds = time.Since(start).Seconds()
	return res, d, nil
}

// dbmClassifier returns the net [v, q(h^2)] -> h^1 -> ... -> h^L -> 10
// initialised from d (Salakhutdinov & Hinton 2009, Fig. 2): the first
// layer's weights are W[0] stacked on W[1]' (the top-down input of q(h^2)),
// the others W[l]; the softmax layer starts as Glorot & Bengio's (2010)
// random weights, which fine-tune faster than small ones.
func dbmClassifier(d *rbmstack.DBM, seed uint64) (*autoencoder.Net, error) {
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

// joined is the Data of two matrices side by side: [a, b] row by row.
type joined struct{ a, b *mat.Dense }

func (j joined) Dims() (int, int) { return j.a.Rows, j.a.Cols + j.b.Cols }

func (j joined) DenseRowsTo(dst []float32, rows []int) {
	w := j.a.Cols + j.b.Cols
	for k, i := range rows {
		copy(dst[k*w:], j.a.Row(i))
		copy(dst[k*w+j.a.Cols:(k+1)*w], j.b.Row(i))
	}
}

// classErrorOn returns the fraction of the cases of x that net labels
// wrongly.
func classErrorOn(net *autoencoder.Net, x mat.Matrix, labels []uint8) float64 {
	out := net.Activations(x, len(net.Layers)-1)
	wrong := 0
	for i, l := range labels {
		if argmax(out.Row(i)) != int(l) {
			wrong++
		}
	}
	return float64(wrong) / float64(len(labels))
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
