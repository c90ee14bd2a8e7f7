package rbmstack

import (
	"errors"
	"fmt"

	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// LayerSpec describes one layer of a stack: its hidden units and how the
// RBM below them is trained.
type LayerSpec struct {
	Hidden int
	Kind   Kind // hidden unit kind: Binary, or Linear for a code layer
	Config Config
}

// StackConfig describes a greedy stack of RBMs over data of Visible kind.
type StackConfig struct {
	Visible Kind
	// DocLen is the fixed document length of a Softmax bottom layer (see RBM).
	DocLen float32
	Layers []LayerSpec
}

// Validate reports every problem of the configuration at once.
func (sc StackConfig) Validate() error {
	var errs []error
	if len(sc.Layers) == 0 {
		errs = append(errs, errors.New("rbmstack: a stack needs at least one layer"))
	}
	for i, l := range sc.Layers {
		if l.Hidden < 1 || l.Hidden > 1<<20 {
			errs = append(errs, fmt.Errorf("rbmstack: layer %d: hidden size must be in [1, 2^20], got %d", i+1, l.Hidden))
		}
		if l.Kind == Softmax {
			errs = append(errs, fmt.Errorf("rbmstack: layer %d: softmax hidden units are not supported", i+1))
		}
		if l.Kind == Linear && i != len(sc.Layers)-1 {
			errs = append(errs, fmt.Errorf("rbmstack: layer %d: linear hidden units only on the top layer", i+1))
		}
		c := l.Config
		c.EnsureDefaults()
		if err := c.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("layer %d: %w", i+1, err))
		}
	}
	if sc.Visible == Softmax && sc.DocLen < 0 {
		errs = append(errs, fmt.Errorf("rbmstack: DocLen must not be negative, got %g", sc.DocLen))
	}
	return errors.Join(errs...)
}

// Stack is a greedily trained stack of RBMs; layer i's hidden units are
// layer i+1's visible units.
type Stack struct {
	Layers []*RBM
}

// Sizes returns the layer widths from the visible layer up.
func (s *Stack) Sizes() []int {
	if len(s.Layers) == 0 {
		return nil
	}
	out := []int{s.Layers[0].NVis}
	for _, r := range s.Layers {
		out = append(out, r.NHid)
	}
	return out
}

// Hooks observe greedy training; any field may be nil. An error stops
// training and is returned.
type Hooks struct {
	// Epoch is called after each epoch of layer (0-based).
	Epoch func(layer int, t *Trainer, st EpochStats) error
	// Layer is called when a layer is complete, with the stack so far.
	Layer func(layer int, s *Stack) error
}

// TrainStack trains the layers of sc greedily on data: each layer's hidden
// means on the whole data set are the next layer's data (drawn as binary
// states per minibatch when the next layer's Config.SampleInput is set).
// If ck holds finished layers, training continues above them, and from the
// saved epoch of the next layer when ck.Partial holds its trainer's state:
// the result is then the same as that of an uninterrupted run.
func TrainStack(data mat.Matrix, sc StackConfig, ck *Checkpoint, hooks Hooks) (*Stack, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	_, d := data.Dims()
	s := &Stack{}
	var resume *Stack
	var partial []byte
	partialLayer := -1
	if ck != nil {
		resume, partial = ck.Stack, ck.Partial
		if resume != nil {
			partialLayer = len(resume.Layers)
		} else {
			partialLayer = 0
		}
	}
	if resume != nil {
		if len(resume.Layers) > len(sc.Layers) {
			return nil, fmt.Errorf("rbmstack: resume stack has %d layers, the configuration %d", len(resume.Layers), len(sc.Layers))
		}
		for i, r := range resume.Layers {
			if r.NHid != sc.Layers[i].Hidden || r.Hid != sc.Layers[i].Kind {
				return nil, fmt.Errorf("rbmstack: resume layer %d is %s %d, the configuration asks %s %d", i+1, r.Hid, r.NHid, sc.Layers[i].Kind, sc.Layers[i].Hidden)
			}
		}
		s.Layers = append(s.Layers, resume.Layers...)
	}
	cur := data
	vis := sc.Visible
	for i, spec := range sc.Layers {
		if i < len(s.Layers) {
			r := s.Layers[i]
			if r.NVis != d {
				return nil, fmt.Errorf("rbmstack: resume layer %d has %d visible units, the data %d", i+1, r.NVis, d)
			}
		} else {
			cfg := spec.Config
			cfg.EnsureDefaults()
			r := New(vis, spec.Kind, d, spec.Hidden, cfg.InitStd, cfg.Seed)
			if vis == Softmax {
				r.DocLen = sc.DocLen
			}
			r.InitVisBias(cur)
			t, err := NewTrainer(r, cfg)
			if err != nil {
				return nil, fmt.Errorf("layer %d: %w", i+1, err)
			}
			if partial != nil && i == partialLayer {
				if err := t.RestoreState(partial); err != nil {
					return nil, fmt.Errorf("resuming layer %d: %w", i+1, err)
				}
			}
			label := fmt.Sprintf("rbm %d (%d-%d)", i+1, d, spec.Hidden)
			var onEpoch func(EpochStats) error
			if hooks.Epoch != nil {
				onEpoch = func(st EpochStats) error { return hooks.Epoch(i, t, st) }
			}
			if err := t.Train(cur, label, onEpoch); err != nil {
				return nil, err
			}
			s.Layers = append(s.Layers, r)
			if hooks.Layer != nil {
				if err := hooks.Layer(i, s); err != nil {
					return nil, err
				}
			}
		}
		if i+1 < len(sc.Layers) {
			cur = s.Layers[i].Transform(cur)
		}
		d = spec.Hidden
		vis = Binary
	}
	return s, nil
}

// Transform returns the hidden means of r for every case of data.
func (r *RBM) Transform(data mat.Matrix) *mat.Dense {
	n, d := data.Dims()
	if d != r.NVis {
		panic(fmt.Sprintf("rbmstack: Transform: data has %d columns, the RBM %d visible units", d, r.NVis))
	}
	out := mat.NewDense(n, r.NHid, make([]float32, n*r.NHid))
	const block = 500
	raw := mat.New(block, d)
	v := mat.New(block, d)
	p := mat.New(block, d)
	scale := make([]float32, block)
	rows := make([]int, 0, block)
	bar := progress.New(fmt.Sprintf("transform %d-%d", r.NVis, r.NHid), int64(n), "cases")
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		rows = rows[:0]
		for i := lo; i < hi; i++ {
			rows = append(rows, i)
		}
		B := hi - lo
		rb := raw.Resize(B, d)
		data.DenseRowsTo(rb.Data, rows)
		vb, pb := v.Resize(B, d), p.Resize(B, d)
		if r.Vis != Softmax {
			vb, pb = rb, rb
		}
		sc := r.Prepare(rb, vb, pb, scale)
		r.HidMeans(vb, sc, mat.View(B, r.NHid, out.Data[lo*r.NHid:hi*r.NHid]))
		bar.Add(int64(B))
	}
	bar.Finish()
	return out
}

// Transform propagates data up through the first `layers` layers of s
// (hidden means) and returns the top layer's values.
func (s *Stack) Transform(data mat.Matrix, layers int) *mat.Dense {
	if layers < 1 || layers > len(s.Layers) {
		panic(fmt.Sprintf("rbmstack: Transform through %d of %d layers", layers, len(s.Layers)))
	}
	var out *mat.Dense
	cur := data
	for i := 0; i < layers; i++ {
		out = s.Layers[i].Transform(cur)
		cur = out
	}
	return out
}

// CheckpointHooks returns hooks that save the stack's progress to path
// after every epoch and every finished layer (see Checkpoint), for
// TrainStack to resume from with ReadCheckpoint. A resumed run wants
// CheckpointHooksFrom.
func CheckpointHooks(path string) Hooks { return CheckpointHooksFrom(path, nil) }

// CheckpointHooksFrom is CheckpointHooks for a run that resumes from ck
// (may be nil): the layers ck holds are kept in the checkpoints written
// while the next layer trains, so that a second interruption in that layer
// does not lose them.
func CheckpointHooksFrom(path string, ck *Checkpoint) Hooks {
	var done *Stack
	if ck != nil && ck.Stack != nil && len(ck.Stack.Layers) > 0 {
		done = &Stack{Layers: append([]*RBM(nil), ck.Stack.Layers...)}
	}
	return Hooks{
		Epoch: func(_ int, t *Trainer, _ EpochStats) error {
			st, err := t.MarshalState()
			if err != nil {
				return err
			}
			return (&Checkpoint{Stack: done, Partial: st}).WriteFile(path)
		},
		Layer: func(_ int, s *Stack) error {
			done = &Stack{Layers: append([]*RBM(nil), s.Layers...)}
			return (&Checkpoint{Stack: done}).WriteFile(path)
		},
	}
}
