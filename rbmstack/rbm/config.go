package rbm

import (
	"github.com/docsearch/docsearch/rbmstack"
)

// DefaultSchedule holds the defaults of Config.Schedule: 30 epochs of 100
// cases at a constant rate of 0.1, momentum 0.5 for 5 epochs then 0.9, and
// weight decay 2e-4 (Hinton, "A practical guide to training restricted
// Boltzmann machines", 2010, sections 5, 9 and 10).
var DefaultSchedule = rbmstack.Schedule{Epochs: 30, BatchSize: 100, LR: 0.1, Decay: rbmstack.Constant,
	Momentum: 0.9, InitialMomentum: 0.5, InitialEpochs: 5, WeightDecay: 2e-4}

// Config sets how one RBM is trained. The zero value of a field means its
// default, applied by EnsureDefaults.
type Config struct {
	// Schedule sets epochs, minibatch size, learning rate of W and the
	// visible biases, momentum and weight decay; see DefaultSchedule. A
	// decaying rate suits PCD, whose chains otherwise oscillate between
	// modes (Tieleman 2008).
	rbmstack.Schedule
	// LRHidBias is the learning rate of the hidden biases; default LR.
	// Softmax layers want it far smaller (RECIPES.md: 0.01 against 1.0),
	// since the hidden bias enters multiplied by the document length.
	LRHidBias float32
	CDk       int // Gibbs steps of contrastive divergence; default 1
	// Persistent keeps the negative chains across updates (PCD).
	Persistent bool
	// SampleVisible draws the visible reconstruction instead of using its
	// mean; Softmax layers then draw each document's words.
	SampleVisible bool
	// SampleInput treats the data as probabilities and draws binary states
	// from them for every minibatch (upper layers of a stack).
	SampleInput bool
	// UpScale and DownScale multiply the bottom-up input of the hidden
	// units and the top-down input of the visible units; default 1. A
	// deep Boltzmann machine's bottom RBM doubles the first and its top
	// RBM the second, standing in for the input of the layer each does not
	// see (Salakhutdinov & Hinton 2009, eq. 11-14); a stack passes up the
	// hidden means with UpScale.
	UpScale, DownScale float32
	// InitStd is the standard deviation of the initial weights of an RBM
	// made for this configuration (by a stack); default 0.01.
	InitStd float32
	Seed    uint64
}

// EnsureDefaults fills zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	c.Schedule.EnsureDefaults(DefaultSchedule)
	rbmstack.Default(&c.LRHidBias, c.LR)
	rbmstack.Default(&c.CDk, 1)
	rbmstack.Default(&c.UpScale, 1)
	rbmstack.Default(&c.DownScale, 1)
	rbmstack.Default(&c.InitStd, 0.01)
}

// Validate reports every out-of-range field at once.
func (c Config) Validate() error {
	p := rbmstack.Problems{Prefix: "rbm: "}
	c.Schedule.Check(p.Add)
	for _, f := range []struct {
		name   string
		v, max float32
	}{{"LRHidBias", c.LRHidBias, 100}, {"InitStd", c.InitStd, 10}, {"UpScale", c.UpScale, 10}, {"DownScale", c.DownScale, 10}} {
		if !(f.v > 0 && f.v <= f.max) {
			p.Add("%s must be in (0, %g], got %g", f.name, f.max, f.v)
		}
	}
	if c.CDk < 1 || c.CDk > 1000 {
		p.Add("CDk must be in [1, 1000], got %d", c.CDk)
	}
	return p.Err()
}
