package rbmstack

import (
	"math"

	"github.com/docsearch/docsearch/internal/enum"
	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Schedule is the optimisation schedule every trainer shares: how many
// epochs of how large minibatches, the learning rate and its decay, the
// momentum and the L2 weight decay. Each trainer has its own defaults
// (its package's doc says which); a zero field takes the trainer's
// default, and a negative momentum or weight decay means none.
type Schedule struct {
	Epochs    int     // passes over the data
	BatchSize int     // cases per update
	LR        float32 // learning rate at the start
	Decay     Decay   // how the rate falls over training
	Tau       float64 // Inverse decay: LR/(1 + t/Tau) after t updates
	// Momentum is the momentum of the updates after the first
	// InitialEpochs epochs, which use InitialMomentum (Hinton's practical
	// guide, section 9: 0.5 while the weights settle, then 0.9).
	Momentum        float32
	InitialMomentum float32
	InitialEpochs   int
	// WeightDecay is the coefficient of the L2 penalty on the weights
	// (never the biases).
	WeightDecay float32
}

// Decay is how a Schedule's learning rate falls as training goes on,
// p being the fraction of the updates done.
type Decay uint8

const (
	Constant Decay = iota + 1 // LR throughout
	// Linear decays to zero, LR*(1-p): stochastic approximation needs a
	// rate that goes to zero (Tieleman 2008; Salakhutdinov & Hinton
	// 2009, section 2.1).
	Linear
	Cosine  // LR*(1+cos(pi*p))/2 (Loshchilov & Hutter 2017)
	Inverse // LR/(1+t/Tau) after t updates
)

var decayNames = enum.Names[Decay]{Constant: "constant", Linear: "linear", Cosine: "cosine", Inverse: "inverse"}

func (d Decay) String() string { return decayNames.String("Decay", d) }

// ParseDecay returns the Decay of a name ("constant", "linear", "cosine",
// "inverse"); the error names what and lists the names.
func ParseDecay(what, name string) (Decay, error) { return decayNames.Parse(what, name) }

// maxLR bounds every learning rate: beyond it training diverges at once.
const maxLR = 100

// EnsureDefaults fills every zero field of s from def, a trainer's
// defaults, and makes negative momenta and weight decay zero.
func (s *Schedule) EnsureDefaults(def Schedule) {
	for _, f := range []struct {
		v *float32
		d float32
	}{{&s.LR, def.LR}, {&s.Momentum, def.Momentum}, {&s.InitialMomentum, def.InitialMomentum}, {&s.WeightDecay, def.WeightDecay}} {
		if *f.v == 0 {
			*f.v = f.d
		}
		if *f.v < 0 && f.v != &s.LR {
			*f.v = 0
		}
	}
	for _, f := range []struct{ v, d *int }{{&s.Epochs, &def.Epochs}, {&s.BatchSize, &def.BatchSize}, {&s.InitialEpochs, &def.InitialEpochs}} {
		if *f.v == 0 {
			*f.v = *f.d
		}
	}
	if s.Decay == 0 {
		s.Decay = def.Decay
	}
	if s.Tau == 0 {
		s.Tau = def.Tau
	}
}

// Check reports every out-of-range field of a Schedule with defaults
// applied to bad, the caller's collector of problems.
func (s Schedule) Check(bad func(format string, args ...any)) {
	if s.Epochs < 0 {
		bad("Epochs must not be negative, got %d", s.Epochs)
	}
	if s.BatchSize < 1 {
		bad("BatchSize must be positive, got %d", s.BatchSize)
	}
	if !(s.LR > 0 && s.LR <= maxLR) {
		bad("LR must be in (0, %d], got %g", maxLR, s.LR)
	}
	if !decayNames.Valid(s.Decay) {
		bad("Decay must be constant, linear, cosine or inverse, got %v", s.Decay)
	}
	if s.Decay == Inverse && !(s.Tau > 0) || !(s.Tau >= 0) {
		bad("Tau must be positive with the inverse decay and not negative otherwise, got %g", s.Tau)
	}
	if !(s.Momentum >= 0 && s.Momentum < 1) || !(s.InitialMomentum >= 0 && s.InitialMomentum < 1) {
		bad("momentum must be in [0, 1), got %g (initial %g)", s.Momentum, s.InitialMomentum)
	}
	if s.InitialEpochs < 0 {
		bad("InitialEpochs must not be negative, got %d", s.InitialEpochs)
	}
	if !(s.WeightDecay >= 0 && s.WeightDecay < 1) {
		bad("WeightDecay must be in [0, 1), got %g", s.WeightDecay)
	}
}

// Rate returns the learning rate after a fraction p of the updates, the
// update-th update (0-based).
func (s Schedule) Rate(p float64, update int) float32 { return s.RateOf(s.LR, p, update) }

// RateOf is Rate for a parameter group whose rate starts at lr instead of
// LR (an RBM's hidden biases).
func (s Schedule) RateOf(lr float32, p float64, update int) float32 {
	switch s.Decay {
	case Linear:
		return lr * float32(1-p)
	case Cosine:
		return float32(float64(lr) * 0.5 * (1 + math.Cos(math.Pi*p)))
	case Inverse:
		return float32(float64(lr) / (1 + float64(update)/s.Tau))
	}
	return lr
}

// MomentumAt returns the momentum of epoch (0-based).
func (s Schedule) MomentumAt(epoch int) float32 {
	if epoch < s.InitialEpochs {
		return s.InitialMomentum
	}
	return s.Momentum
}

// Ascend moves w up its gradient grad with momentum: inc = m*inc +
// lr*(grad - wd*w); w += inc, m the momentum of epoch and wd the weight
// decay when decay is set (weights) or zero (biases). It is the update
// of every contrastive-divergence trainer (Hinton's practical guide,
// sections 9 and 10).
func (s Schedule) Ascend(w, inc, grad []float32, epoch int, lr float32, decay bool) {
	mom, wd := s.MomentumAt(epoch), float32(0)
	if decay {
		wd = s.WeightDecay
	}
	par.For(len(w), 1<<15, func(lo, hi int) {
		mat.Momentum(w[lo:hi], inc[lo:hi], grad[lo:hi], mom, lr, wd)
	})
}
