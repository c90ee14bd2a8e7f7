package autoencoder

import (
	"github.com/docsearch/docsearch/internal/enum"
	"github.com/docsearch/docsearch/rbmstack"
)

// Method is how a Trainer descends the loss.
type Method uint8

const (
	// Adam is minibatch Adam (Kingma & Ba 2015).
	Adam Method = iota + 1
	// SGD is minibatch gradient descent with momentum.
	SGD
	// CG is the Science paper's conjugate gradients: LineSearches line
	// searches on each minibatch (gonum/optimize CG, Hager-Zhang).
	CG
)

var methodNames = enum.Names[Method]{Adam: "adam", SGD: "sgd", CG: "cg"}

func (m Method) String() string { return methodNames.String("Method", m) }

// Valid reports whether m is Adam, SGD or CG.
func (m Method) Valid() bool { return methodNames.Valid(m) }

// ParseMethod returns the Method named s: "adam", "sgd" or "cg".
func ParseMethod(s string) (Method, error) { return methodNames.Parse("method", s) }

// Select is what early stopping compares between epochs.
type Select uint8

const (
	// HeldOutLoss keeps the epoch with the lowest mean held-out loss.
	HeldOutLoss Select = iota + 1
	// HeldOutError keeps the epoch with the fewest held-out cases whose
	// largest output is not at their target's largest value (a
	// classifier's errors), the lower held-out loss breaking ties. A
	// classifier's held-out loss can rise while its errors still fall, as
	// it grows surer of the cases it gets wrong.
	HeldOutError
)

var selectNames = enum.Names[Select]{HeldOutLoss: "loss", HeldOutError: "error"}

func (s Select) String() string { return selectNames.String("Select", s) }

// Valid reports whether s is HeldOutLoss or HeldOutError.
func (s Select) Valid() bool { return selectNames.Valid(s) }

// ParseSelect returns the Select named s: "loss" or "error".
func ParseSelect(s string) (Select, error) { return selectNames.Parse("selection", s) }

// The defaults of Config.Schedule by method: 20 epochs; Adam at a constant
// rate of 1e-3 on minibatches of 100; SGD at 0.1 with momentum 0.9 on a
// cosine schedule to zero; CG on minibatches of 1000 (the Science paper's
// minimize.m). None decays the weights unless asked.
var (
	DefaultAdam = rbmstack.Schedule{Epochs: 20, BatchSize: 100, LR: 1e-3, Decay: rbmstack.Constant,
		Momentum: -1, InitialMomentum: -1, WeightDecay: -1}
	DefaultSGD = rbmstack.Schedule{Epochs: 20, BatchSize: 100, LR: 0.1, Decay: rbmstack.Cosine,
		Momentum: 0.9, InitialMomentum: -1, WeightDecay: -1}
	DefaultCG = rbmstack.Schedule{Epochs: 20, BatchSize: 1000, LR: 1e-3, Decay: rbmstack.Constant,
		Momentum: -1, InitialMomentum: -1, WeightDecay: -1}
)

// Config sets how a Net is fine-tuned. Zero fields take the defaults
// applied by EnsureDefaults.
type Config struct {
	Method Method // default Adam
	// Schedule sets the epochs, minibatch size, rate, decay, momentum (SGD
	// only) and the L2 weight decay of the weights (not biases); see
	// DefaultAdam, DefaultSGD and DefaultCG. CG uses the rate of none.
	rbmstack.Schedule
	LineSearches int // CG only; default 3
	// Holdout is the fraction of cases kept out for early stopping; the
	// parameters of the best held-out epoch (see Select) are kept.
	// Default 0 (none).
	Holdout float64
	// Patience stops training after this many epochs without a better
	// held-out figure; default 5.
	Patience int
	// Select is the held-out figure early stopping keeps the best epoch
	// of; default HeldOutLoss.
	Select Select
	// Tied makes a mirror-shaped net's decoder the transpose of its
	// encoder: layer L-1-i's weights stay W_i' (biases remain separate),
	// the two layers' gradients are summed into the encoder's, and the
	// decoder is refreshed after every step. It is the classic greedy
	// autoencoder of Bengio et al. (2007), and it keeps an over-complete
	// layer from learning a free identity map. Adam and SGD only.
	Tied bool
	// CodeNoise, when positive, is the standard deviation of the Gaussian
	// noise added to the input of the code layer while training
	// (Salakhutdinov & Hinton, "Semantic hashing", 2009, section 4): to
	// carry information through it, a logistic code layer is pushed towards
	// outputs near 0 or 1, so that its codes can be thresholded into bits.
	// The noise is deterministic, as the paper's: case i's unit j always
	// gets the same draw (a hash of Seed, i and j), so that the loss is a
	// fixed function of the parameters. Encoding adds no noise.
	CodeNoise float32
	// FreshNoise draws the code noise anew every epoch (case i's unit j
	// gets a hash of Seed, the epoch, i and j), Gaussian noise rather
	// than the paper's fixed draw; the held-out loss keeps one fixed draw
	// so that epochs compare. Adam and SGD only.
	FreshNoise bool
	// InputMask, when positive, is the fraction of the input values set to
	// zero in each training case, anew every epoch, while the target stays
	// the clean case: the masking noise of denoising autoencoders (Vincent
	// et al., ICML 2008). Case i's value j is masked when a hash of Seed,
	// the epoch, i and j falls below InputMask; the held-out loss is of
	// clean inputs. Adam and SGD only.
	InputMask float32
	// TopFirstEpochs, when positive, trains only the last layer's weights
	// and biases for that many epochs before the whole net: the Science
	// paper's fine-tuning of its MNIST classifier (backpropclassify.m: 6
	// epochs of the top layer by conjugate gradients, then every layer), so
	// that a random output layer does not wreck the pretrained features
	// with its first large gradients.
	TopFirstEpochs int
	Seed           uint64
}

// EnsureDefaults fills zero fields.
func (c *Config) EnsureDefaults() {
	rbmstack.Default(&c.Method, Adam)
	switch c.Method {
	case SGD:
		c.Schedule.EnsureDefaults(DefaultSGD)
	case CG:
		c.Schedule.EnsureDefaults(DefaultCG)
	default:
		c.Schedule.EnsureDefaults(DefaultAdam)
	}
	rbmstack.Default(&c.LineSearches, 3)
	rbmstack.Default(&c.Patience, 5)
	rbmstack.Default(&c.Select, HeldOutLoss)
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	p := rbmstack.Problems{Prefix: "autoencoder: "}
	if !c.Method.Valid() {
		p.Add("Method must be adam, sgd or cg, got %v", c.Method)
	}
	c.Schedule.Check(p.Add)
	if c.Method != SGD && (c.Momentum != 0 || c.InitialMomentum != 0) {
		p.Add("momentum applies to sgd, not %v", c.Method)
	}
	if !(c.Holdout >= 0 && c.Holdout < 1) {
		p.Add("Holdout must be in [0, 1), got %g", c.Holdout)
	}
	if c.Tied && c.Method == CG {
		p.Add("Tied works with adam and sgd, not cg")
	}
	if c.FreshNoise && c.Method == CG {
		p.Add("FreshNoise works with adam and sgd, not cg")
	}
	if !(c.InputMask >= 0 && c.InputMask < 1) {
		p.Add("InputMask must be in [0, 1), got %g", c.InputMask)
	}
	if c.InputMask > 0 && c.Method == CG {
		p.Add("InputMask works with adam and sgd, not cg")
	}
	if !(c.CodeNoise >= 0 && c.CodeNoise <= 1e3) {
		p.Add("CodeNoise must be in [0, 1000], got %g", c.CodeNoise)
	}
	if c.TopFirstEpochs < 0 || c.TopFirstEpochs > c.Epochs {
		p.Add("TopFirstEpochs must be in [0, Epochs = %d], got %d", c.Epochs, c.TopFirstEpochs)
	}
	if c.TopFirstEpochs > 0 && c.Tied {
		p.Add("TopFirstEpochs does not apply to a tied net")
	}
	if !c.Select.Valid() {
		p.Add("Select must be loss or error, got %v", c.Select)
	}
	if c.LineSearches < 1 || c.Patience < 1 {
		p.Add("LineSearches and Patience must be positive, got %d and %d", c.LineSearches, c.Patience)
	}
	return p.Err()
}
