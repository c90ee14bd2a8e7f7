package stack

import (
	"context"
	"fmt"

	"github.com/docsearch/docsearch/internal/binenc"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// Trainer trains the layers of a stack greedily, one rbm.Trainer after
// the other: each layer's hidden means on the whole data set (times its
// Config.UpScale) are the next layer's data, drawn as binary states per
// minibatch when the next layer's Config.SampleInput is set. It keeps the
// rbmstack.Trainer contract: its state holds the finished layers and the
// state of the layer under way.
type Trainer struct {
	Cfg Config // with every layer's defaults applied

	data    mat.Matrix
	done    []*rbm.RBM   // the finished layers
	partial []byte       // a restored state of the next layer's trainer
	cur     *rbm.Trainer // the layer under way
}

var _ rbmstack.Trainer = (*Trainer)(nil)

// NewTrainer prepares to train a stack of cfg on the rows of data,
// reporting every problem at once.
func NewTrainer(data mat.Matrix, cfg Config) (*Trainer, error) {
	p := rbmstack.Problems{Prefix: "stack: "}
	p.Join(cfg.Validate())
	if n, _ := data.Dims(); n == 0 {
		p.Add("no training cases")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	cfg.Layers = append([]Layer(nil), cfg.Layers...)
	for i := range cfg.Layers {
		cfg.Layers[i].Config.EnsureDefaults()
	}
	return &Trainer{Cfg: cfg, data: data}, nil
}

// NewTrainerAbove is NewTrainer for a stack whose lower layers are already
// trained: lower (shared, not copied, and not changed) become its first
// layers, which must fit cfg and data, and Train trains the layers above
// them. Semantic hashing uses it to put a logistic code layer on the
// layers pretrained for the real-valued codes.
func NewTrainerAbove(data mat.Matrix, cfg Config, lower []*rbm.RBM) (*Trainer, error) {
	t, err := NewTrainer(data, cfg)
	if err != nil {
		return nil, err
	}
	if err := t.checkLayers(lower); err != nil {
		return nil, err
	}
	t.done = append([]*rbm.RBM(nil), lower...)
	return t, nil
}

// Stack returns the layers finished so far (all of them after Train).
func (t *Trainer) Stack() *Stack { return &Stack{Layers: append([]*rbm.RBM(nil), t.done...)} }

// Train trains the layers that remain (see rbmstack.Trainer). Each
// layer's events carry the stage "rbm I (NVIS-NHID)"; a StageEnd event
// follows each finished layer.
func (t *Trainer) Train(ctx context.Context, obs rbmstack.Observer) error {
	cur, vis := t.data, t.Cfg.Visible
	for i, spec := range t.Cfg.Layers {
		if i >= len(t.done) {
			if err := t.trainLayer(ctx, i, cur, vis, obs); err != nil {
				return err
			}
		}
		if i+1 < len(t.Cfg.Layers) {
			cur = t.done[i].TransformScaled(cur, spec.Config.UpScale)
		}
		vis = rbm.Binary
	}
	return nil
}

// trainLayer makes layer i over the data cur of kind vis and trains it.
func (t *Trainer) trainLayer(ctx context.Context, i int, cur mat.Matrix, vis rbm.Kind, obs rbmstack.Observer) error {
	spec := t.Cfg.Layers[i]
	_, d := cur.Dims()
	r := rbm.New(vis, spec.Kind, d, spec.Hidden, spec.Config.InitStd, spec.Config.Seed)
	if vis == rbm.Softmax {
		r.DocLen = t.Cfg.DocLen
	}
	r.InitVisBias(cur)
	lt, err := rbm.NewTrainer(r, cur, spec.Config)
	if err != nil {
		return fmt.Errorf("stack: layer %d: %w", i+1, err)
	}
	lt.Stage = fmt.Sprintf("rbm %d (%d-%d)", i+1, d, spec.Hidden)
	if t.partial != nil {
		if err := lt.RestoreState(t.partial); err != nil {
			return fmt.Errorf("stack: resuming layer %d: %w", i+1, err)
		}
		t.partial = nil
	}
	t.cur = lt
	if err := lt.Train(ctx, obs); err != nil {
		return err
	}
	t.cur = nil
	t.done = append(t.done, r)
	return obs.Notify(rbmstack.Event{Kind: rbmstack.StageEnd, Stage: lt.Stage})
}

// stateFormat is a Trainer's state: the configuration, the finished layers
// (rbm.MarshalLayers, empty for none) and the state of the layer under way
// (empty between layers).
var stateFormat = binenc.Format{Name: "stack trainer state", Magic: "DSSTACKS", Version: 1, Retired: []string{"DSRBMCKP", "DSRBMCK2"}}

// MarshalState encodes the finished layers and the state of the layer
// under way.
func (t *Trainer) MarshalState() ([]byte, error) {
	var done []byte
	if len(t.done) > 0 {
		done = rbm.MarshalLayers(t.done)
	}
	partial := t.partial
	if t.cur != nil {
		var err error
		if partial, err = t.cur.MarshalState(); err != nil {
			return nil, err
		}
	}
	w := stateFormat.NewWriter()
	w.Config(t.Cfg)
	w.Bytes(done)
	w.Bytes(partial)
	return w.Seal(), nil
}

// RestoreState loads a state written by MarshalState of a trainer of the
// same configuration and data width; the layer under way is restored when
// Train reaches it.
func (t *Trainer) RestoreState(data []byte) error {
	rd, err := stateFormat.OpenState(data, t.Cfg)
	if err != nil {
		return err
	}
	done, partial := rd.Bytes(), rd.Bytes()
	if err := rd.Err(); err != nil {
		return err
	}
	var layers []*rbm.RBM
	if len(done) > 0 {
		if layers, err = rbm.UnmarshalLayers(done); err != nil {
			return err
		}
	}
	if err := t.checkLayers(layers); err != nil {
		return err
	}
	t.done, t.cur, t.partial = layers, nil, nil
	if len(partial) > 0 {
		t.partial = append([]byte(nil), partial...)
	}
	return nil
}

// checkLayers returns an error unless restored layers fit the
// configuration and the data.
func (t *Trainer) checkLayers(layers []*rbm.RBM) error {
	if len(layers) > len(t.Cfg.Layers) {
		return fmt.Errorf("%w: the state holds %d layers, the configuration %d", rbmstack.ErrMismatch, len(layers), len(t.Cfg.Layers))
	}
	_, d := t.data.Dims()
	for i, r := range layers {
		spec := t.Cfg.Layers[i]
		if r.NVis != d || r.NHid != spec.Hidden || r.Hid != spec.Kind {
			return fmt.Errorf("%w: saved layer %d is %v, the configuration asks %d-%d %s", rbmstack.ErrMismatch, i+1, r, d, spec.Hidden, spec.Kind)
		}
		d = spec.Hidden
	}
	return nil
}
