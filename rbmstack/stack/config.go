package stack

import (
	"fmt"

	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// Layer describes one layer of a stack: its hidden units and how the RBM
// below them is trained (Config.InitStd and Config.Seed also draw its
// initial weights).
type Layer struct {
	Hidden int
	Kind   rbm.Kind // hidden unit kind: Binary, or Linear for a code layer
	Config rbm.Config
}

// Config describes a greedy stack of RBMs over data of Visible kind.
type Config struct {
	Visible rbm.Kind
	// DocLen is the fixed document length of a Softmax bottom layer (see
	// rbm.RBM).
	DocLen float32
	Layers []Layer
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	p := rbmstack.Problems{Prefix: "stack: "}
	if len(c.Layers) == 0 {
		p.Add("a stack needs at least one layer")
	}
	for i, l := range c.Layers {
		if l.Hidden < 1 || l.Hidden > 1<<20 {
			p.Add("layer %d: hidden size must be in [1, 2^20], got %d", i+1, l.Hidden)
		}
		if l.Kind == rbm.Softmax {
			p.Add("layer %d: softmax hidden units are not supported", i+1)
		}
		if l.Kind == rbm.Linear && i != len(c.Layers)-1 {
			p.Add("layer %d: linear hidden units only on the top layer", i+1)
		}
		lc := l.Config
		lc.EnsureDefaults()
		if err := lc.Validate(); err != nil {
			p.Join(fmt.Errorf("stack: layer %d: %w", i+1, err))
		}
	}
	if c.Visible == rbm.Softmax && c.DocLen < 0 {
		p.Add("DocLen must not be negative, got %g", c.DocLen)
	}
	return p.Err()
}
