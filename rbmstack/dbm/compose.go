package dbm

import (
	"errors"
	"fmt"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

// Pretrainer trains the layers of a DBM greedily (Salakhutdinov & Hinton
// 2009, section 3.1) as a stack of modified RBMs: with two or more hidden
// layers the bottom RBM counts its bottom-up weights twice,
// p(h^1|v) = sigmoid(2 v W + a), p(v|h^1) = sigmoid(h^1 W' + b) (eq. 11-12),
// and the top RBM its top-down weights twice,
// p(h^{L-1}|h^L) = sigmoid(2 h^L W' + b), p(h^L|h^{L-1}) = sigmoid(h^{L-1} W + a)
// (eq. 13-14); middle RBMs are plain. Each RBM's data are the hidden
// means (with its doubling) of the one below, drawn as binary states per
// minibatch. It is a stack.Trainer, with the same state and resume; DBM
// composes the result.
type Pretrainer struct {
	*stack.Trainer
}

// NewPretrainer prepares to pretrain a DBM of widths sizes (visible first)
// on data; cfg applies to every RBM, each drawing with the seed named by
// its layer ("layer 1", "layer 2", ...; rng.Named) from cfg.Seed.
func NewPretrainer(data mat.Matrix, sizes []int, cfg rbm.Config) (*Pretrainer, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("dbm: a DBM needs a visible and a hidden layer, got sizes %v", sizes)
	}
	var errs []error
	for l, s := range sizes {
		if s < 1 || s > maxUnits {
			errs = append(errs, fmt.Errorf("dbm: layer %d: size must be in [1, %d], got %d", l, maxUnits, s))
		}
	}
	if _, d := data.Dims(); d != sizes[0] {
		errs = append(errs, fmt.Errorf("dbm: data have %d columns, the DBM %d visible units", d, sizes[0]))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	L := len(sizes) - 1
	sc := stack.Config{Visible: rbm.Binary}
	for l := 0; l < L; l++ {
		c := cfg
		c.Seed = rng.Named(cfg.Seed, fmt.Sprintf("layer %d", l+1))
		c.SampleInput = true
		if L > 1 && l == 0 {
			c.UpScale = 2
		}
		if L > 1 && l == L-1 {
			c.DownScale = 2
		}
		sc.Layers = append(sc.Layers, stack.Layer{Hidden: sizes[l+1], Kind: rbm.Binary, Config: c})
	}
	t, err := stack.NewTrainer(data, sc)
	if err != nil {
		return nil, err
	}
	return &Pretrainer{t}, nil
}

// DBM composes the pretrained RBMs (see Compose).
func (p *Pretrainer) DBM() (*DBM, error) { return Compose(p.Stack().Layers) }

// Compose builds a DBM from a stack of binary-binary RBMs, each one's
// hidden layer the next one's visible layer: W[l] is RBM l's weights, the
// visible and top biases are taken as they are, and a hidden layer between
// two RBMs gets the mean of the lower one's hidden and the upper one's
// visible biases, the geometric average of the two models' conditionals.
// Every weight is used once: the doubling of pretraining stood in for the
// input a layer gets from the layer it does not see.
func Compose(rbms []*rbm.RBM) (*DBM, error) {
	if len(rbms) == 0 {
		return nil, errors.New("dbm: Compose of no RBMs")
	}
	d := &DBM{Sizes: []int{rbms[0].NVis}}
	d.B = append(d.B, append([]float32(nil), rbms[0].VisBias...))
	for l, r := range rbms {
		if r.Vis != rbm.Binary || r.Hid != rbm.Binary || r.Labels != 0 {
			return nil, fmt.Errorf("dbm: layer %d must be a binary-binary RBM without labels, got %v", l+1, r)
		}
		if r.NVis != d.Sizes[l] {
			return nil, fmt.Errorf("dbm: layer %d has %d visible units above %d hidden", l+1, r.NVis, d.Sizes[l])
		}
		if l > 0 {
			b := d.B[l]
			for i := range b {
				b[i] = (b[i] + r.VisBias[i]) / 2
			}
		}
		d.Sizes = append(d.Sizes, r.NHid)
		d.W = append(d.W, append([]float32(nil), r.W...))
		d.B = append(d.B, append([]float32(nil), r.HidBias...))
	}
	return d, nil
}
