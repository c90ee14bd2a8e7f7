package dbm

import (
	"github.com/docsearch/docsearch/rbmstack"
)

// DefaultSchedule holds the defaults of Config.Schedule: 10 epochs of 100
// cases, a rate of 0.005 (Salakhutdinov & Hinton 2009, section 4) decaying
// linearly to zero, momentum 0.5 for 5 epochs then 0.9, weight decay 2e-4.
var DefaultSchedule = rbmstack.Schedule{Epochs: 10, BatchSize: 100, LR: 0.005, Decay: rbmstack.Linear,
	Momentum: 0.9, InitialMomentum: 0.5, InitialEpochs: 5, WeightDecay: 2e-4}

// Config sets how a DBM is trained jointly. The zero value of a field
// means its default, applied by EnsureDefaults.
type Config struct {
	// Schedule sets epochs, minibatch size, the rate of weights and
	// biases and its decay, momentum and weight decay; see
	// DefaultSchedule. Stochastic approximation needs a rate that goes to
	// zero (section 2.1): Linear or Inverse.
	rbmstack.Schedule
	Particles int // persistent Gibbs chains (fantasy particles); default 100
	Gibbs     int // Gibbs sweeps of the chains per update; default 5
	MeanField int // mean-field sweeps per minibatch; default 10
	Seed      uint64
}

// EnsureDefaults fills zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	if c.Decay == 0 && c.Tau > 0 {
		c.Decay = rbmstack.Inverse
	}
	c.Schedule.EnsureDefaults(DefaultSchedule)
	rbmstack.Default(&c.Particles, 100)
	rbmstack.Default(&c.Gibbs, 5)
	rbmstack.Default(&c.MeanField, 10)
}

// Validate reports every out-of-range field at once.
func (c Config) Validate() error {
	p := rbmstack.Problems{Prefix: "dbm: "}
	c.Schedule.Check(p.Add)
	if c.Particles < 1 || c.Particles > 1<<20 {
		p.Add("Particles must be in [1, 2^20], got %d", c.Particles)
	}
	if c.Gibbs < 1 || c.Gibbs > 1000 {
		p.Add("Gibbs must be in [1, 1000], got %d", c.Gibbs)
	}
	if c.MeanField < 1 || c.MeanField > 1000 {
		p.Add("MeanField must be in [1, 1000], got %d", c.MeanField)
	}
	return p.Err()
}
