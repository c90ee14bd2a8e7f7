package rbmstack

import (
	"errors"
	"fmt"

	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Problems collects every problem of a configuration, or of a trainer's
// data, so that Validate and the trainers' constructors report them all
// at once.
type Problems struct {
	Prefix string // put before each problem Add records: "rbm: "
	errs   []error
}

// Add records a problem.
func (p *Problems) Add(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf(p.Prefix+format, args...))
}

// Join records err as it is (nil is no problem).
func (p *Problems) Join(err error) {
	if err != nil {
		p.errs = append(p.errs, err)
	}
}

// Cases records the problems of training data for a model of cols inputs:
// other columns, or no rows.
func (p *Problems) Cases(data mat.Matrix, cols int) {
	n, c := data.Dims()
	if c != cols {
		p.Add("data have %d columns, the model %d inputs", c, cols)
	}
	if n == 0 {
		p.Add("no training cases")
	}
}

// Err returns the problems joined, nil when there are none.
func (p *Problems) Err() error { return errors.Join(p.errs...) }

// Default sets *v to d when *v is the zero value: the EnsureDefaults of
// every configuration.
func Default[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}
