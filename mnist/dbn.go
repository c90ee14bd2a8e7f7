package mnist

import (
	"context"
	"fmt"
	"time"

	"github.com/docsearch/docsearch/internal/checkpoint"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/dbn"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

// DBNOptions configure RunDBN. Zero fields take the defaults of
// EnsureDefaults.
type DBNOptions struct {
	Common
	Hidden []int // lower layers; default 500, 500
	Top    int   // units of the top associative memory; default 2000
	// UpDownEpochs of up-down fine-tuning; default the budget's
	// FineTuneEpochs (the paper: 300).
	UpDownEpochs int
	// UpDownDecay is how up-down's rate of 0.01 falls over its epochs:
	// rbmstack.Constant (the default, the paper's), Linear or Cosine (to
	// zero at the last update).
	UpDownDecay rbmstack.Decay
	// UpDownRate is up-down's learning rate; 0 means UpDown's (0.01).
	UpDownRate float32
	// UpDownMomentum and UpDownWeightDecay are up-down's momentum and L2
	// weight decay on the weights; 0 (the default) is none, as in every
	// run before they were offered.
	UpDownMomentum, UpDownWeightDecay float32
	// UpDownMeanLabels keeps the label probabilities in the top memory's
	// Gibbs steps, as the paper's up-down does, instead of drawing a label
	// (dbn.UpDownConfig.MeanLabels); off by default, as in every run
	// before it was offered.
	UpDownMeanLabels bool
}

// EnsureDefaults fills zero fields.
func (o *DBNOptions) EnsureDefaults() {
	o.Common.ensureDefaults(QuickDBN)
	if len(o.Hidden) == 0 {
		o.Hidden = []int{500, 500}
	}
	rbmstack.Default(&o.Top, 2000)
	rbmstack.Default(&o.UpDownEpochs, o.Budget.FineTuneEpochs)
	rbmstack.Default(&o.UpDownDecay, rbmstack.Constant)
	rbmstack.Default(&o.UpDownRate, UpDown.LR)
}

// Validate reports every problem at once.
func (o DBNOptions) Validate() error {
	p := o.check()
	checkSizes(p, "hidden", append(append([]int(nil), o.Hidden...), o.Top))
	if o.UpDownEpochs < 0 || o.UpDownEpochs > 100000 {
		p.Add("up-down epochs must be in [0, 100000], got %d", o.UpDownEpochs)
	}
	if !(o.UpDownRate >= 0 && o.UpDownRate <= 10) {
		p.Add("up-down rate must be in (0, 10], got %g", o.UpDownRate)
	}
	if !(o.UpDownMomentum >= 0 && o.UpDownMomentum < 1) {
		p.Add("up-down momentum must be in [0, 1), got %g", o.UpDownMomentum)
	}
	if !(o.UpDownWeightDecay >= 0 && o.UpDownWeightDecay < 1) {
		p.Add("up-down weight decay must be in [0, 1), got %g", o.UpDownWeightDecay)
	}
	if !dbn.UpDownDecay(o.UpDownDecay) {
		p.Add("up-down decay must be constant, linear or cosine, got %v", o.UpDownDecay)
	}
	return p.Err()
}

// DBNResult is what RunDBN measured.
type DBNResult struct {
	TestError         float64 `json:"test_error"`
	TrainError        float64 `json:"train_error"`
	PretrainTestError float64 `json:"pretrain_test_error"`
	UpDownEpochs      int     `json:"updown_epochs"`
	UpDownDecay       string  `json:"updown_decay"`
	UpDownRate        float32 `json:"updown_rate"`
	UpDownMomentum    float32 `json:"updown_momentum,omitempty"`
	UpDownWeightDecay float32 `json:"updown_weight_decay,omitempty"`
	UpDownLabels      string  `json:"updown_labels"`
	Seconds           float64 `json:"seconds"`
	// Reach is when up-down first classified the test images as well as
	// the paper (Published.DBNTestError); nil if it did not.
	Reach *Reach `json:"paper_reached,omitempty"`
}

// RunDBN trains the deep belief net of Hinton, Osindero & Teh (2006):
// greedy RBMs 784-500-500 (RBMPixels), a top memory of 2000 units over the
// penultimate layer joined with 10 label units (TopMemory), then up-down
// fine-tuning with the paper's rising Gibbs schedule (UpDown); the test
// error is that of the generative classifier (lowest free energy label).
func RunDBN(ctx context.Context, train, test *Set, o DBNOptions) (res *DBNResult, d *dbn.DBN, err error) {
	start := time.Now()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, nil, err
	}
	tr := o.Budget.trainSet(train)
	settings := []checkpoint.Setting{setting("hidden", rbmstack.Shape(o.Hidden...)), setting("top", o.Top), setting("up-down epochs", o.UpDownEpochs)}
	if o.UpDownDecay != rbmstack.Constant {
		// Only then: checkpoints of constant-rate runs stay resumable.
		settings = append(settings, setting("up-down decay", o.UpDownDecay))
	}
	// Likewise named only when set.
	if o.UpDownRate != 0 && o.UpDownRate != UpDown.LR {
		settings = append(settings, setting("up-down rate", o.UpDownRate))
	}
	if o.UpDownMomentum != 0 {
		settings = append(settings, setting("up-down momentum", o.UpDownMomentum))
	}
	if o.UpDownWeightDecay != 0 {
		settings = append(settings, setting("up-down weight decay", o.UpDownWeightDecay))
	}
	if o.UpDownMeanLabels {
		settings = append(settings, setting("up-down labels", "mean"))
	}
	run, err := o.open("dbn", tr, settings...)
	if err != nil {
		return nil, nil, err
	}
	defer func() { err = run.Failed(err, rbmstack.ErrDiverged) }()
	x, lab := data(tr), labels(tr)
	sc := stack.Config{Visible: rbm.Binary}
	for i, h := range o.Hidden {
		sc.Layers = append(sc.Layers, stack.Layer{Hidden: h, Kind: rbm.Binary, Config: rbmLayer(RBMPixels, o.Budget.PretrainEpochs, o.seed(fmt.Sprintf("rbm %d", i+1)))})
	}
	st, err := stack.NewTrainer(x, sc)
	if err != nil {
		return nil, nil, err
	}
	if err := o.train(ctx, run, "rbm", st); err != nil {
		return nil, nil, fmt.Errorf("pretraining: %w", err)
	}
	s := st.Stack()
	top, err := dbn.NewTopTrainer(s.Transform(x, len(s.Layers)), lab, 10, o.Top, rbmLayer(TopMemory, o.Budget.TopEpochs, o.seed("top memory")))
	if err != nil {
		return nil, nil, err
	}
	if err := o.train(ctx, run, "top", top); err != nil {
		return nil, nil, fmt.Errorf("top memory: %w", err)
	}
	if d, err = dbn.New(s.Layers, top.R); err != nil {
		return nil, nil, err
	}
	res = &DBNResult{UpDownEpochs: o.UpDownEpochs, UpDownDecay: o.UpDownDecay.String(), UpDownRate: o.UpDownRate, UpDownMomentum: o.UpDownMomentum, UpDownWeightDecay: o.UpDownWeightDecay, PretrainTestError: dbnError(d, test)}
	ud := UpDown
	ud.Epochs, ud.Seed, ud.Decay = o.UpDownEpochs, o.seed("up-down"), o.UpDownDecay
	ud.LR = o.UpDownRate
	ud.MeanLabels = o.UpDownMeanLabels
	res.UpDownLabels = "sample"
	if o.UpDownMeanLabels {
		res.UpDownLabels = "mean"
	}
	ud.Momentum, ud.WeightDecay = orNone(o.UpDownMomentum), orNone(o.UpDownWeightDecay)
	u, err := dbn.NewUpDownTrainer(d, x, lab, ud)
	if err != nil {
		return nil, nil, err
	}
	if err := o.trainReach(ctx, run, "updown", u, start, Published.DBNTestError, func() float64 { return dbnError(d, test) }, &res.Reach); err != nil {
		return nil, nil, err
	}
	res.TestError, res.TrainError = dbnError(d, test), dbnError(d, tr)
	res.Seconds = time.Since(start).Seconds()
	return res, d, nil
}

func dbnError(d *dbn.DBN, s *Set) float64 {
	pred := d.Classify(data(s))
	wrong := 0
	for i, p := range pred {
		if p != int(s.Labels[i]) {
			wrong++
		}
	}
	return float64(wrong) / float64(s.N)
}

// WriteDBNSamples draws `per` samples of each digit with its label clamped,
// `gibbs` alternating Gibbs iterations in the top memory between samples
// (the paper's Fig. 8 uses 1000), one row per digit.
func WriteDBNSamples(path string, d *dbn.DBN, per, gibbs int, seed uint64) error {
	var imgs [][]float32
	for c := 0; c < 10; c++ {
		s := d.Sample(c, 1, per, gibbs, seed)
		for i := 0; i < per; i++ {
			imgs = append(imgs, s.Row(i))
		}
	}
	return WriteGridScale(path, imgs, 10, per, Rows, Cols, 2)
}

// orNone returns x, or -1 (rbmstack.Schedule's "none") for 0, which a
// Schedule would fill with its default.
func orNone(x float32) float32 {
	if x == 0 {
		return -1
	}
	return x
}
