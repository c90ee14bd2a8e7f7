package mnist

import (
	"context"
	"fmt"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

// AutoencoderOptions configure RunAutoencoder. Zero fields take the
// defaults of EnsureDefaults.
type AutoencoderOptions struct {
	Common
	// Sizes are the encoder widths above the pixels, the last one linear
	// code units; default 1000, 500, 250, 30 (the paper's).
	Sizes []int
	// FineTune is the fine-tuning method; default Adam (AutoencoderFineTune).
	FineTune autoencoder.Method
}

// EnsureDefaults fills zero fields.
func (o *AutoencoderOptions) EnsureDefaults() {
	o.Common.ensureDefaults(QuickAutoencoder)
	if len(o.Sizes) == 0 {
		o.Sizes = []int{1000, 500, 250, 30}
	}
	rbmstack.Default(&o.FineTune, autoencoder.Adam)
}

// Validate reports every problem at once.
func (o AutoencoderOptions) Validate() error {
	p := o.check()
	checkSizes(p, "sizes", o.Sizes)
	if !o.FineTune.Valid() {
		p.Add("unknown fine-tuning method %v", o.FineTune)
	}
	return p.Err()
}

// AutoencoderResult is what RunAutoencoder measured.
type AutoencoderResult struct {
	AutoencoderTestSqError float64 `json:"autoencoder_test_sq_error"`
	PretrainedTestSqError  float64 `json:"pretrained_test_sq_error"`
	PCATestSqError         float64 `json:"pca_test_sq_error"`
	BestEpoch              int     `json:"best_epoch"`
	TrainImages            int     `json:"train_images"`
	Seconds                float64 `json:"seconds"`
	// Reach is when fine-tuning first reconstructed the test images as
	// well as the paper (Published.AutoencoderSqError); nil if it did not.
	Reach *Reach `json:"paper_reached,omitempty"`
}

// RunAutoencoder reproduces the MNIST autoencoder of the Science paper
// (Fig. 2B): RBMs 784-1000-500-250 with binary units and a 30-unit linear
// code layer (RBMPixels, LinearCode), pretrained greedily on pixel
// intensities used as probabilities, unrolled and fine-tuned on the
// logistic cross-entropy (AutoencoderFineTune); it reports the average
// squared reconstruction error per test image beside PCA with as many
// components (Published: 3.00 and 13.87).
func RunAutoencoder(ctx context.Context, train, test *Set, o AutoencoderOptions) (res *AutoencoderResult, net *autoencoder.Net, pca *PCA, err error) {
	start := time.Now()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, nil, nil, err
	}
	tr := o.Budget.trainSet(train)
	run, err := o.open("autoencoder", tr, setting("sizes", rbmstack.Shape(o.Sizes...)), setting("fine-tuning", o.FineTune))
	if err != nil {
		return nil, nil, nil, err
	}
	defer func() { err = run.Failed(err, rbmstack.ErrDiverged) }()
	sc := stack.Config{Visible: rbm.Binary}
	for i, h := range o.Sizes {
		seed := o.seed(fmt.Sprintf("rbm %d", i+1))
		l := stack.Layer{Hidden: h, Kind: rbm.Binary, Config: rbmLayer(RBMPixels, o.Budget.PretrainEpochs, seed)}
		if i == len(o.Sizes)-1 {
			l.Kind, l.Config = rbm.Linear, rbmLayer(LinearCode, o.Budget.TopEpochs, seed)
		}
		sc.Layers = append(sc.Layers, l)
	}
	st, err := stack.NewTrainer(data(tr), sc)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := o.train(ctx, run, "rbm", st); err != nil {
		return nil, nil, nil, fmt.Errorf("pretraining: %w", err)
	}
	if net, err = autoencoder.Unroll(st.Stack()); err != nil {
		return nil, nil, nil, err
	}
	res = &AutoencoderResult{TrainImages: tr.N, PretrainedTestSqError: ReconError(net, test)}
	cfg := backprop(AutoencoderFineTune, o.Budget.FineTuneEpochs, o.seed("fine-tune"))
	cfg.Method = o.FineTune
	if o.FineTune == autoencoder.SGD {
		cfg.LR = Backprop.LR
	}
	ft, err := autoencoder.NewTrainer(net, autoencoder.Reconstruction(data(tr), net.Loss), cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	ft.Stage = "fine-tune autoencoder"
	if err := o.trainReach(ctx, run, "finetune", ft, start, Published.AutoencoderSqError, func() float64 { return ReconError(net, test) }, &res.Reach); err != nil {
		return nil, nil, nil, err
	}
	res.BestEpoch = ft.BestEpoch()
	res.AutoencoderTestSqError = ReconError(net, test)
	if pca, err = FitPCA(tr.Images, tr.N, tr.Dim(), o.Sizes[len(o.Sizes)-1]); err != nil {
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
