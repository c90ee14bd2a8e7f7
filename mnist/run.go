package mnist

import (
	"context"
	"fmt"
	"strconv"

	"github.com/docsearch/docsearch/internal/checkpoint"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Common are the options every experiment shares. Zero fields take the
// defaults of EnsureDefaults.
type Common struct {
	// Profile sets the Budget; default Quick.
	Profile Profile
	// Budget, when not zero, replaces the profile's (tests, experiments).
	Budget Budget
	Seed   uint64 // default 1
	// Checkpoint, when set, is a folder where every training stage is
	// saved after every epoch (greedy stacks also after every layer). With
	// Resume a killed run continues from there to the model an
	// uninterrupted run makes, and a run with other settings is refused
	// naming both; without Resume a run first removes what an earlier run
	// of the same experiment left there. The checkpoints stay after a run
	// that succeeds (resuming it again re-evaluates without training); a
	// run that fails keeps them only when it can be resumed.
	Checkpoint string
	Resume     bool
	// Observer receives the progress of training (may be nil).
	Observer rbmstack.Observer
}

// ensureDefaults fills zero fields, the budget from the profile with
// quick the experiment's Quick budget.
func (c *Common) ensureDefaults(quick Budget) {
	rbmstack.Default(&c.Profile, Quick)
	if c.Budget == (Budget{}) {
		c.Budget = c.Profile.Budget(quick)
	}
	rbmstack.Default(&c.Seed, 1)
}

// check returns the problems of c, to which the experiment's options add
// their own.
func (c Common) check() *rbmstack.Problems {
	p := &rbmstack.Problems{Prefix: "mnist: "}
	if !profileNames.Valid(c.Profile) {
		p.Add("unknown profile %v", c.Profile)
	}
	b := c.Budget
	if b.TrainImages < 0 || b.PretrainEpochs < 0 || b.TopEpochs < 0 || b.FineTuneEpochs < 0 {
		p.Add("budget %+v: no field may be negative", b)
	}
	if c.Resume && c.Checkpoint == "" {
		p.Add("resume needs a checkpoint folder")
	}
	return p
}

// open returns the checkpoints of experiment name (nil without a
// checkpoint folder), identified by the common settings and more.
func (c Common) open(name string, train *Set, more ...checkpoint.Setting) (*checkpoint.Run, error) {
	if c.Checkpoint == "" {
		return nil, nil
	}
	b := c.Budget
	s := []checkpoint.Setting{
		{Name: "training images", Value: strconv.Itoa(train.N)},
		{Name: "pretraining epochs", Value: strconv.Itoa(b.PretrainEpochs)},
		{Name: "top epochs", Value: strconv.Itoa(b.TopEpochs)},
		{Name: "fine-tuning epochs", Value: strconv.Itoa(b.FineTuneEpochs)},
		{Name: "seed", Value: strconv.FormatUint(c.Seed, 10)},
	}
	return checkpoint.Open(c.Checkpoint, name, append(s, more...), c.Resume)
}

// train runs t as stage of run (rbmstack.Resume: restored from and saved
// to its checkpoint, when run is not nil).
func (c Common) train(ctx context.Context, run *checkpoint.Run, stage string, t rbmstack.Trainer) error {
	var s rbmstack.Store
	if run != nil {
		s = run.Stage(stage)
	}
	return rbmstack.Resume(ctx, t, s, c.Observer)
}

// seed returns the seed of the part called name of the run (rng.Named).
func (c Common) seed(name string) uint64 { return rng.Named(c.Seed, name) }

// setting names a setting of a run by its value.
func setting(name string, v any) checkpoint.Setting {
	return checkpoint.Setting{Name: name, Value: fmt.Sprint(v)}
}

// data wraps a Set's pixels as training data.
func data(s *Set) *mat.Dense { return mat.NewDense(s.N, s.Dim(), s.Images) }

// labels returns the labels of s as ints.
func labels(s *Set) []int {
	out := make([]int, s.N)
	for i, l := range s.Labels {
		out[i] = int(l)
	}
	return out
}

// checkSizes records a problem of the layer widths sizes of field name.
func checkSizes(p *rbmstack.Problems, name string, sizes []int) {
	for _, h := range sizes {
		if h < 1 || h > 1<<16 {
			p.Add("%s %v: every width must be in [1, 65536]", name, sizes)
			return
		}
	}
}
