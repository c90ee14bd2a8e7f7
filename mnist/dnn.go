package mnist

import (
	"context"
	"fmt"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/internal/checkpoint"
	"github.com/docsearch/docsearch/internal/enum"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

// Init is how RunDNN starts a deep net (Bengio et al. 2007).
type Init uint8

const (
	// InitNone starts from Glorot-initialised weights: plain backprop.
	InitNone Init = iota + 1
	// InitSupervised pretrains greedily, each layer the hidden layer of a
	// one-hidden-layer classifier whose output layer is then dropped.
	InitSupervised
	// InitRBM pretrains greedily as a stack of RBMs (the DBN's weights).
	InitRBM
	// InitAutoencoder pretrains greedily, each layer a tied autoencoder.
	InitAutoencoder
	// InitDenoising pretrains greedily, each layer a tied denoising
	// autoencoder (Vincent et al. 2008): DenoisingMask of its input values
	// set to zero, the clean input its target.
	InitDenoising
)

// DenoisingMask is the fraction of a denoising autoencoder's input values
// masked: 25%, the middle of the levels Vincent et al. (2008) report for
// MNIST and its variants (10%, 25%, 40%); not tuned here.
const DenoisingMask = 0.25

// Inits lists every Init, in the order of the comparison table.
var Inits = []Init{InitNone, InitSupervised, InitRBM, InitAutoencoder, InitDenoising}

var initNames = enum.Names[Init]{InitNone: "none", InitSupervised: "supervised", InitRBM: "rbm", InitAutoencoder: "autoencoder", InitDenoising: "denoising"}

func (i Init) String() string { return initNames.String("Init", i) }

// ParseInit returns the Init named s: none, supervised, rbm, autoencoder or denoising.
func ParseInit(s string) (Init, error) { return initNames.Parse("start", s) }

// DNNOptions configure RunDNN. Zero fields take the defaults of
// EnsureDefaults.
type DNNOptions struct {
	Common
	// Hidden are the hidden widths; default 500, 500, 2000 (the deep
	// belief net's shape: 784-500-500-2000-10).
	Hidden []int
	// Init is the start; default InitRBM.
	Init Init
	// PretrainLR is the SGD rate of the greedy autoencoder and supervised
	// layers; default 0.01 for autoencoders, 0.1 for supervised layers.
	// On 20,000 images (10 greedy epochs, 15 of fine-tuning) the
	// autoencoder start reached 3.62% test error at 0.01 against 4.30% at
	// 0.1: at 0.1 the over-complete top autoencoder saturates its units
	// (go run ./bench/recipes/dnn -init autoencoder -plr 0.01).
	PretrainLR float32
	// Classifier is how the net is fine-tuned.
	Classifier
}

// Classifier is how a classifier net is fine-tuned (DNNOptions,
// DBMOptions).
type Classifier struct {
	// Refit, after fine-tuning has chosen its epoch count on the held-out
	// tenth, trains the net again from the same start on every training
	// image for that many epochs (the schedule run over those epochs),
	// so that the final net has seen all of them, as the papers' nets
	// did; the result reports both nets.
	Refit bool
	// Finetune is the fine-tuning method: autoencoder.SGD (the default,
	// the Backprop recipe) or autoencoder.CG (BackpropCG, the Science
	// paper's).
	Finetune autoencoder.Method
	// Select is what early stopping keeps the best epoch of on the held-out
	// tenth: autoencoder.HeldOutLoss (the default) or HeldOutError (the
	// fewest misclassified images). With Refit it also sets how many
	// epochs the refitted net trains.
	Select autoencoder.Select
}

// ensureDefaults fills the zero method and selection.
func (c *Classifier) ensureDefaults() {
	rbmstack.Default(&c.Finetune, autoencoder.SGD)
	rbmstack.Default(&c.Select, autoencoder.HeldOutLoss)
}

// reportTo adds the options' problems to p.
func (c Classifier) reportTo(p *rbmstack.Problems) {
	if c.Finetune != autoencoder.SGD && c.Finetune != autoencoder.CG {
		p.Add("fine-tuning must be sgd or cg, got %v", c.Finetune)
	}
	if !c.Select.Valid() {
		p.Add("selection must be loss or error, got %v", c.Select)
	}
}

// settings names the options in a run's checkpoint settings, each only
// when not the default, so that runs made before it existed resume.
func (c Classifier) settings() []checkpoint.Setting {
	var s []checkpoint.Setting
	if c.Refit {
		s = append(s, setting("refit", true))
	}
	if c.Finetune != autoencoder.SGD {
		s = append(s, setting("fine-tuning", c.Finetune))
	}
	if c.Select != autoencoder.HeldOutLoss {
		s = append(s, setting("selection", c.Select))
	}
	return s
}

// recipe returns the fine-tuning recipe of the method: Backprop for SGD,
// BackpropCG for CG.
func (c Classifier) recipe() autoencoder.Config {
	if c.Finetune == autoencoder.CG {
		return BackpropCG
	}
	return Backprop
}

// EnsureDefaults fills zero fields.
func (o *DNNOptions) EnsureDefaults() {
	o.Common.ensureDefaults(QuickDNN)
	if len(o.Hidden) == 0 {
		o.Hidden = []int{500, 500, 2000}
	}
	rbmstack.Default(&o.Init, InitRBM)
	o.Classifier.ensureDefaults()
	if o.PretrainLR == 0 {
		o.PretrainLR = 0.1
		if o.Init == InitAutoencoder || o.Init == InitDenoising {
			o.PretrainLR = 0.01
		}
	}
}

// Validate reports every problem at once.
func (o DNNOptions) Validate() error {
	p := o.check()
	checkSizes(p, "hidden", o.Hidden)
	if !initNames.Valid(o.Init) {
		p.Add("unknown start %v (known: none, supervised, rbm, autoencoder, denoising)", o.Init)
	}
	o.Classifier.reportTo(p)
	if !(o.PretrainLR > 0 && o.PretrainLR <= 10) {
		p.Add("pretraining rate must be in (0, 10], got %g", o.PretrainLR)
	}
	return p.Err()
}

// DNNResult is what RunDNN measured.
type DNNResult struct {
	TestError  float64 `json:"test_error"`
	TrainError float64 `json:"train_error"`
	BestEpoch  int     `json:"best_epoch"`
	// With Refit: the test and train error of the net refitted on every
	// training image (TestError and TrainError are then those of the net
	// chosen by early stopping).
	RefitTestError  *float64 `json:"refit_test_error,omitempty"`
	RefitTrainError *float64 `json:"refit_train_error,omitempty"`
	Seconds         float64  `json:"seconds"`
	// Reach is when fine-tuning (or refitting) first classified the test
	// images as well as the paper's pretrained net fine-tuned by
	// backpropagation (Published.BackpropTestError); nil if it did not.
	Reach *Reach `json:"paper_reached,omitempty"`
}

// RunDNN trains a deep classifier on MNIST after the chosen start and
// fine-tunes every layer by backpropagation with the same recipe whatever
// the start (Backprop: SGD with momentum 0.9 and a cosine schedule, early
// stopping on a held-out tenth of the training set).
func RunDNN(ctx context.Context, train, test *Set, o DNNOptions) (res *DNNResult, net *autoencoder.Net, err error) {
	start := time.Now()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, nil, err
	}
	tr := o.Budget.trainSet(train)
	settings := append([]checkpoint.Setting{setting("hidden", rbmstack.Shape(o.Hidden...)), setting("pretraining rate", o.PretrainLR)}, o.Classifier.settings()...)
	run, err := o.open("dnn-"+o.Init.String(), tr, settings...)
	if err != nil {
		return nil, nil, err
	}
	defer func() { err = run.Failed(err, rbmstack.ErrDiverged) }()
	sizes := append(append([]int{tr.Dim()}, o.Hidden...), 10)
	acts := make([]autoencoder.Act, len(sizes)-1)
	acts[len(acts)-1] = autoencoder.Softmax
	if net, err = autoencoder.New(sizes, acts, autoencoder.SoftmaxCE, 0.01, o.seed("net")); err != nil {
		return nil, nil, err
	}
	net.InitGlorot(o.seed("net"))
	switch o.Init {
	case InitRBM:
		err = o.startRBM(ctx, run, net, data(tr))
	case InitAutoencoder, InitDenoising, InitSupervised:
		err = o.startGreedy(ctx, run, net, data(tr), labels(tr))
	}
	if err != nil {
		return nil, nil, err
	}
	var pretrained *autoencoder.Net
	if o.Refit {
		pretrained = net.Clone()
	}
	cfg := backprop(o.recipe(), o.Budget.FineTuneEpochs, o.seed("fine-tune"))
	cfg.Patience = max(5, o.Budget.FineTuneEpochs)
	cfg.Select = o.Select
	ft, err := autoencoder.NewTrainer(net, autoencoder.Classification(data(tr), labels(tr), 10), cfg)
	if err != nil {
		return nil, nil, err
	}
	ft.Stage = "fine-tune " + o.Init.String()
	res = &DNNResult{}
	if err := o.trainReach(ctx, run, "finetune", ft, start, Published.BackpropTestError, func() float64 { return ClassError(net, test) }, &res.Reach); err != nil {
		return nil, nil, err
	}
	res.BestEpoch, res.TestError, res.TrainError = ft.BestEpoch(), ClassError(net, test), ClassError(net, tr)
	if o.Refit {
		reach := func(t rbmstack.Trainer, net *autoencoder.Net) error {
			return o.trainReach(ctx, run, "refit", t, start, Published.BackpropTestError, func() float64 { return ClassError(net, test) }, &res.Reach)
		}
		if net, err = o.refit(ctx, pretrained, tr, max(1, ft.BestEpoch()), reach); err != nil {
			return nil, nil, err
		}
		te, tre := ClassError(net, test), ClassError(net, tr)
		res.RefitTestError, res.RefitTrainError = &te, &tre
	}
	res.Seconds = time.Since(start).Seconds()
	return res, net, nil
}

// refit trains net, the pretrained start, on every image of tr for epochs
// epochs of the fine-tuning recipe, without a held-out part, by train (the
// run's stage "refit").
func (o DNNOptions) refit(ctx context.Context, net *autoencoder.Net, tr *Set, epochs int, train func(rbmstack.Trainer, *autoencoder.Net) error) (*autoencoder.Net, error) {
	t, err := refitTrainer(net, data(tr), labels(tr), o.recipe(), epochs, o.seed("refit"))
	if err != nil {
		return nil, err
	}
	t.Stage = fmt.Sprintf("refit %s on all %d images", o.Init, tr.N)
	if err := train(t, net); err != nil {
		return nil, err
	}
	return net, nil
}

// refitTrainer returns the trainer of a refit: net, a classifier's start,
// trained on every row of x for epochs epochs of recipe, with no held-out
// part.
func refitTrainer(net *autoencoder.Net, x mat.Matrix, y []int, recipe autoencoder.Config, epochs int, seed uint64) (*autoencoder.Trainer, error) {
	cfg := backprop(recipe, epochs, seed)
	cfg.Holdout = 0
	return autoencoder.NewTrainer(net, autoencoder.Classification(x, y, 10), cfg)
}

// startRBM pretrains the hidden layers of net as a stack of RBMs on x.
func (o DNNOptions) startRBM(ctx context.Context, run *checkpoint.Run, net *autoencoder.Net, x *mat.Dense) error {
	sc := stack.Config{Visible: rbm.Binary}
	for i, h := range o.Hidden {
		sc.Layers = append(sc.Layers, stack.Layer{Hidden: h, Kind: rbm.Binary, Config: rbmLayer(RBMPixels, o.Budget.PretrainEpochs, o.seed(fmt.Sprintf("rbm %d", i+1)))})
	}
	st, err := stack.NewTrainer(x, sc)
	if err != nil {
		return err
	}
	if err := o.train(ctx, run, "rbm", st); err != nil {
		return fmt.Errorf("pretraining: %w", err)
	}
	for i, r := range st.Stack().Layers {
		copy(net.Layers[i].W, r.W)
		copy(net.Layers[i].B, r.HidBias)
	}
	return nil
}

// startGreedy pretrains the hidden layers of net greedily: each one the
// hidden layer of a one-hidden-layer autoencoder in -> h -> in (sigmoid
// outputs, logistic loss, the decoder tied to the encoder's transpose as
// Bengio et al. 2007 did: untied, the over-complete 500-2000 layer learns
// a near-identity map whose features fine-tune worse than none, 2.36%
// test error against 1.86%) or of a classifier in -> h -> 10 whose output
// layer is dropped (Bengio et al. 2007, section 3.2), on the layer below.
func (o DNNOptions) startGreedy(ctx context.Context, run *checkpoint.Run, net *autoencoder.Net, x *mat.Dense, labels []int) error {
	var cur mat.Matrix = x
	in := x.Cols
	for i, h := range o.Hidden {
		seed := o.seed(fmt.Sprintf("greedy %d", i+1))
		sizes, acts, loss := []int{in, h, in}, []autoencoder.Act{autoencoder.Sigmoid, autoencoder.Sigmoid}, autoencoder.LogisticCE
		b := autoencoder.Reconstruction(cur, loss)
		if o.Init == InitSupervised {
			sizes, acts, loss = []int{in, h, 10}, []autoencoder.Act{autoencoder.Sigmoid, autoencoder.Softmax}, autoencoder.SoftmaxCE
			b = autoencoder.Classification(cur, labels, 10)
		}
		layer, err := autoencoder.New(sizes, acts, loss, 0.01, seed)
		if err != nil {
			return err
		}
		layer.InitGlorot(seed)
		cfg := backprop(GreedyLayer, o.Budget.PretrainEpochs, seed)
		cfg.LR, cfg.Tied = o.PretrainLR, o.Init != InitSupervised
		if o.Init == InitDenoising {
			cfg.InputMask = DenoisingMask
		}
		t, err := autoencoder.NewTrainer(layer, b, cfg)
		if err != nil {
			return err
		}
		t.Stage = fmt.Sprintf("greedy %v layer %d", o.Init, i+1)
		if err := o.train(ctx, run, fmt.Sprintf("greedy%d", i+1), t); err != nil {
			return err
		}
		copy(net.Layers[i].W, layer.Layers[0].W)
		copy(net.Layers[i].B, layer.Layers[0].B)
		cur, in = layer.Activations(cur, 0), h
	}
	return nil
}

// ClassError returns the fraction of s that a classifier net gets wrong.
func ClassError(net *autoencoder.Net, s *Set) float64 {
	return classErrorOn(net, data(s), s.Labels)
}

// classErrorOn returns the fraction of the cases of x that net labels
// wrongly.
func classErrorOn(net *autoencoder.Net, x mat.Matrix, labels []uint8) float64 {
	out := net.Activations(x, len(net.Layers)-1)
	wrong := 0
	for i, l := range labels {
		if autoencoder.Argmax(out.Row(i)) != int(l) {
			wrong++
		}
	}
	return float64(wrong) / float64(len(labels))
}
