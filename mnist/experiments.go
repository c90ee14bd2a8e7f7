package mnist

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/internal/atomicfile"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Profile sets the size of an experiment: "quick" fits in a few minutes on
// a 2-core machine; "paper" follows the published recipes.
type Profile struct {
	Name string
	// TrainImages limits the training set (0: all 60,000).
	TrainImages int
	// PretrainEpochs per RBM or per greedy layer; TopEpochs for a linear
	// code layer; FineTuneEpochs for backpropagation.
	PretrainEpochs, TopEpochs, FineTuneEpochs int
}

// ProfileFor returns the named profile.
func ProfileFor(name string) (Profile, error) {
	switch name {
	case "quick":
		return Profile{Name: name, TrainImages: 10000, PretrainEpochs: 3, TopEpochs: 3, FineTuneEpochs: 5}, nil
	case "paper":
		return Profile{Name: name, PretrainEpochs: 20, TopEpochs: 20, FineTuneEpochs: 50}, nil
	}
	return Profile{}, fmt.Errorf("mnist: unknown profile %q (known: quick, paper)", name)
}

// trainSet applies the profile's training-set limit.
func (p Profile) trainSet(s *Set) *Set {
	if p.TrainImages > 0 && p.TrainImages < s.N {
		return s.Slice(0, p.TrainImages)
	}
	return s
}

// data wraps a Set's pixels as training data.
func data(s *Set) *mat.Dense { return mat.NewDense(s.N, s.Dim(), s.Images) }

// AutoencoderOptions configure RunAutoencoder.
type AutoencoderOptions struct {
	Profile Profile
	// Sizes are the encoder widths; default 784-1000-500-250-30 (linear code).
	Sizes    []int
	FineTune string // adam (default), sgd or cg
	Seed     uint64
	// Checkpoint, when set, is a folder where pretraining is saved after
	// every epoch and layer; with Resume a killed run continues from there
	// (same options and seed give the same model as an uninterrupted run).
	Checkpoint string
	Resume     bool
}

// AutoencoderResult is what RunAutoencoder measured.
type AutoencoderResult struct {
	AutoencoderTestSqError float64 `json:"autoencoder_test_sq_error"`
	PretrainedTestSqError  float64 `json:"pretrained_test_sq_error"`
	PCATestSqError         float64 `json:"pca_test_sq_error"`
	BestEpoch              int     `json:"best_epoch"`
	TrainImages            int     `json:"train_images"`
	Seconds                float64 `json:"seconds"`
}

// RunAutoencoder reproduces the MNIST autoencoder of the Science paper
// (Fig. 2B): RBMs 784-1000-500-250 with binary units and a 30-unit linear
// code layer, pretrained greedily on pixel intensities used as
// probabilities, unrolled and fine-tuned on the logistic cross-entropy; it
// reports the average squared reconstruction error per test image beside
// PCA with as many components (the paper: 3.00 and 13.87).
func RunAutoencoder(train, test *Set, o AutoencoderOptions) (*AutoencoderResult, *autoencoder.Net, *PCA, error) {
	start := time.Now()
	if len(o.Sizes) == 0 {
		o.Sizes = []int{1000, 500, 250, 30}
	}
	if o.FineTune == "" {
		o.FineTune = "adam"
	}
	tr := o.Profile.trainSet(train)
	sc := rbmstack.StackConfig{Visible: rbmstack.Binary}
	for i, h := range o.Sizes {
		seed := o.Seed*1000 + uint64(i) + 1
		spec := rbmstack.LayerSpec{Hidden: h, Kind: rbmstack.Binary,
			Config: rbmstack.Config{Epochs: o.Profile.PretrainEpochs, LR: 0.1, InitStd: 0.1, Seed: seed}}
		if i == len(o.Sizes)-1 {
			spec.Kind = rbmstack.Linear
			spec.Config.LR = 0.001
			spec.Config.Epochs = o.Profile.TopEpochs
		}
		sc.Layers = append(sc.Layers, spec)
	}
	var hooks rbmstack.Hooks
	var resume *rbmstack.Checkpoint
	if o.Checkpoint != "" {
		path := filepath.Join(o.Checkpoint, fmt.Sprintf("autoencoder-%s-%v-seed%d-n%d.ckpt", o.Profile.Name, o.Sizes, o.Seed, tr.N))
		if o.Resume {
			var err error
			if resume, err = rbmstack.ReadCheckpoint(path); err != nil {
				return nil, nil, nil, err
			}
		}
		hooks = rbmstack.CheckpointHooksFrom(path, resume)
	}
	stack, err := rbmstack.TrainStack(data(tr), sc, resume, hooks)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("pretraining: %w", err)
	}
	net, err := autoencoder.Unroll(stack)
	if err != nil {
		return nil, nil, nil, err
	}
	res := &AutoencoderResult{TrainImages: tr.N}
	res.PretrainedTestSqError = ReconError(net, test)
	cfg := autoencoder.TrainConfig{Method: o.FineTune, Epochs: o.Profile.FineTuneEpochs, LR: 1e-3, Holdout: 0.1, Patience: 5, Seed: o.Seed*1000 + 99}
	if o.FineTune == "sgd" {
		cfg.LR = 0.1
	}
	t, err := autoencoder.NewTrainer(net, autoencoder.Reconstruction(data(tr), net.Loss), cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	var onEpoch func(autoencoder.EpochStats) error
	if o.Checkpoint != "" {
		path := filepath.Join(o.Checkpoint, fmt.Sprintf("autoencoder-%s-%v-seed%d-n%d-%s.finetune", o.Profile.Name, o.Sizes, o.Seed, tr.N, o.FineTune))
		if o.Resume {
			if st, err := os.ReadFile(path); err == nil {
				if err := t.RestoreState(st); err != nil {
					return nil, nil, nil, fmt.Errorf("checkpoint %s: %w", path, err)
				}
			}
		}
		onEpoch = func(autoencoder.EpochStats) error {
			st, err := t.MarshalState()
			if err != nil {
				return err
			}
			return atomicfile.Write(path, st)
		}
	}
	if err := t.Train("fine-tune autoencoder", onEpoch); err != nil {
		return nil, nil, nil, err
	}
	res.BestEpoch = t.BestEpoch()
	res.AutoencoderTestSqError = ReconError(net, test)
	pca, err := FitPCA(tr.Images, tr.N, tr.Dim(), o.Sizes[len(o.Sizes)-1])
	if err != nil {
		return nil, nil, nil, err
	}
	res.PCATestSqError = SquaredError(test.Images, pca.Reconstruct(test.Images, test.N), test.N)
	res.Seconds = time.Since(start).Seconds()
	return res, net, pca, nil
}

// ReconError returns the average squared reconstruction error per image of
// an autoencoder on s.
func ReconError(net *autoencoder.Net, s *Set) float64 {
	out := net.Activations(data(s), len(net.Layers)-1)
	return SquaredError(s.Images, out.Data, s.N)
}

// WriteReconstructions draws n test digits in the first row, their
// autoencoder reconstructions in the second and the PCA ones in the third
// (the layout of the Science paper's Fig. 2B).
func WriteReconstructions(path string, net *autoencoder.Net, pca *PCA, s *Set, n int) error {
	n = min(n, s.N)
	sub := s.Slice(0, n)
	ae := net.Activations(data(sub), len(net.Layers)-1)
	pc := pca.Reconstruct(sub.Images, n)
	var imgs [][]float32
	for i := 0; i < n; i++ {
		imgs = append(imgs, sub.Image(i))
	}
	for i := 0; i < n; i++ {
		imgs = append(imgs, ae.Row(i))
	}
	for i := 0; i < n; i++ {
		imgs = append(imgs, pc[i*s.Dim():(i+1)*s.Dim()])
	}
	return WriteGridScale(path, imgs, 3, n, s.Rows, s.Cols, 2)
}

// Inits are the ways RunDNN can start a deep net (Bengio et al. 2007).
var Inits = []string{"none", "supervised", "rbm", "autoencoder"}

// DNNOptions configure RunDNN.
type DNNOptions struct {
	Profile Profile
	// Hidden are the hidden widths; default 500-500-2000 (the deep belief
	// net's shape: 784-500-500-2000-10).
	Hidden []int
	// Init is none (Glorot-initialised, plain backprop), supervised (greedy
	// layer-wise supervised pretraining), rbm or autoencoder (greedy
	// unsupervised pretraining).
	Init string
	// PretrainLR is the SGD learning rate of the greedy autoencoder and
	// supervised layers; default 0.01 for autoencoders, 0.1 for supervised
	// layers. On 20,000 images (10 greedy epochs, 15 of fine-tuning) the
	// autoencoder start reached 3.62% test error at 0.01 against 4.30% at
	// 0.1: at 0.1 the over-complete top autoencoder saturates its units.
	PretrainLR float32
	Seed       uint64
	// Checkpoint, when set, is a folder where every stage (greedy
	// pretraining, fine-tuning) is saved after every epoch; with Resume a
	// killed run continues from there (same options and seed give the
	// same model as an uninterrupted run). Without Resume a run first
	// deletes the checkpoints an earlier run of the same options left.
	Checkpoint string
	Resume     bool
}

// DNNResult is what RunDNN measured.
type DNNResult struct {
	TestError  float64 `json:"test_error"`
	TrainError float64 `json:"train_error"`
	BestEpoch  int     `json:"best_epoch"`
	Seconds    float64 `json:"seconds"`
}

// RunDNN trains a deep classifier on MNIST after the chosen initialisation
// and fine-tunes every layer by backpropagation with the same settings for
// every initialisation (SGD with momentum 0.9 and a cosine schedule,
// early stopping on a held-out tenth of the training set).
func RunDNN(train, test *Set, o DNNOptions) (*DNNResult, *autoencoder.Net, error) {
	start := time.Now()
	if len(o.Hidden) == 0 {
		o.Hidden = []int{500, 500, 2000}
	}
	if o.PretrainLR == 0 {
		o.PretrainLR = 0.1
		if o.Init == "autoencoder" {
			o.PretrainLR = 0.01
		}
	}
	tr := o.Profile.trainSet(train)
	x := data(tr)
	labels := make([]int, tr.N)
	for i, l := range tr.Labels {
		labels[i] = int(l)
	}
	sizes := append(append([]int{tr.Dim()}, o.Hidden...), 10)
	acts := make([]autoencoder.Act, len(sizes)-1)
	for i := range acts {
		acts[i] = autoencoder.Sigmoid
	}
	acts[len(acts)-1] = autoencoder.Softmax
	net, err := autoencoder.New(sizes, acts, autoencoder.SoftmaxCE, 0.01, o.Seed)
	if err != nil {
		return nil, nil, err
	}
	net.InitGlorot(o.Seed)
	ck, err := dnnCheckpoints(o, sizes, tr.N)
	if err != nil {
		return nil, nil, err
	}
	ep := o.Profile.PretrainEpochs
	switch o.Init {
	case "none":
	case "rbm":
		sc := rbmstack.StackConfig{Visible: rbmstack.Binary}
		for i, h := range o.Hidden {
			sc.Layers = append(sc.Layers, rbmstack.LayerSpec{Hidden: h, Kind: rbmstack.Binary,
				Config: rbmstack.Config{Epochs: ep, LR: 0.1, InitStd: 0.1, Seed: o.Seed*1000 + uint64(i) + 1}})
		}
		s, err := ck.trainStack("rbm", x, sc)
		if err != nil {
			return nil, nil, fmt.Errorf("pretraining: %w", err)
		}
		for i, r := range s.Layers {
			copy(net.Layers[i].W, r.W)
			copy(net.Layers[i].B, r.HidBias)
		}
	case "autoencoder", "supervised":
		var cur mat.Matrix = x
		for i, h := range o.Hidden {
			in := sizes[i]
			var layer *autoencoder.Net
			var b autoencoder.Batcher
			if o.Init == "autoencoder" {
				// one-hidden-layer autoencoder in -> h -> in on the
				// representation below (sigmoid outputs, logistic loss).
				layer, err = autoencoder.New([]int{in, h, in}, []autoencoder.Act{autoencoder.Sigmoid, autoencoder.Sigmoid}, autoencoder.LogisticCE, 0.01, o.Seed+uint64(i))
				b = autoencoder.Reconstruction(cur, autoencoder.LogisticCE)
			} else {
				// one-hidden-layer classifier in -> h -> 10; its output layer
				// is discarded (Bengio et al. 2007, section 3.2).
				layer, err = autoencoder.New([]int{in, h, 10}, []autoencoder.Act{autoencoder.Sigmoid, autoencoder.Softmax}, autoencoder.SoftmaxCE, 0.01, o.Seed+uint64(i))
				b = autoencoder.Classification(cur, labels, 10)
			}
			if err != nil {
				return nil, nil, err
			}
			layer.InitGlorot(o.Seed + uint64(i))
			// The autoencoders tie their decoder to the encoder's
			// transpose, as Bengio et al. (2007) did: untied, the
			// over-complete 500-2000 layer learns a near-identity map whose
			// features fine-tune worse than none at all (2.36% test error
			// against 1.86%, README).
			t, err := autoencoder.NewTrainer(layer, b, autoencoder.TrainConfig{Method: "sgd", Epochs: ep, LR: o.PretrainLR, BatchSize: 100, Tied: o.Init == "autoencoder", Seed: o.Seed + uint64(i)})
			if err != nil {
				return nil, nil, err
			}
			if err := ck.trainNet(fmt.Sprintf("greedy%d", i+1), t, fmt.Sprintf("greedy %s layer %d", o.Init, i+1)); err != nil {
				return nil, nil, err
			}
			copy(net.Layers[i].W, layer.Layers[0].W)
			copy(net.Layers[i].B, layer.Layers[0].B)
			cur = layer.Activations(cur, 0)
		}
	default:
		return nil, nil, fmt.Errorf("mnist: unknown --init %q (known: none, supervised, rbm, autoencoder)", o.Init)
	}
	cfg := autoencoder.TrainConfig{Method: "sgd", Epochs: o.Profile.FineTuneEpochs, LR: 0.1, BatchSize: 100,
		Holdout: 0.1, Patience: max(5, o.Profile.FineTuneEpochs), Seed: o.Seed*1000 + 77}
	t, err := autoencoder.NewTrainer(net, autoencoder.Classification(x, labels, 10), cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := ck.trainNet("finetune", t, "fine-tune "+o.Init); err != nil {
		return nil, nil, err
	}
	res := &DNNResult{BestEpoch: t.BestEpoch()}
	res.TestError = ClassError(net, test)
	res.TrainError = ClassError(net, tr)
	res.Seconds = time.Since(start).Seconds()
	return res, net, nil
}

// ClassError returns the fraction of s that a classifier net gets wrong.
func ClassError(net *autoencoder.Net, s *Set) float64 {
	out := net.Activations(data(s), len(net.Layers)-1)
	wrong := 0
	for i := 0; i < s.N; i++ {
		if argmax(out.Row(i)) != int(s.Labels[i]) {
			wrong++
		}
	}
	return float64(wrong) / float64(s.N)
}

func argmax(x []float32) int {
	best := 0
	for j, v := range x {
		if v > x[best] || math.IsNaN(float64(x[best])) {
			best = j
		}
	}
	return best
}
