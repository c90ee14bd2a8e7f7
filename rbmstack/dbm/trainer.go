package dbm

import (
	"context"
	"math"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// Trainer trains a DBM jointly by stochastic approximation: mean-field
// posteriors give the data-dependent statistics and persistent Gibbs
// chains the model's (Salakhutdinov & Hinton 2009, Algorithm 1). It keeps
// the rbmstack.Trainer contract. Its EpochEnd events carry the mean
// squared error per case between the (binary) data and
// sigmoid(mu^1 W[0]' + B[0]), its reconstruction from the mean-field
// posterior of the first hidden layer, and the rate at the epoch's end.
type Trainer struct {
	D     *DBM
	Cfg   Config
	Stage string // names the training in events; default "dbm SIZES"

	data     mat.Matrix
	src      *rng.Source
	incW     [][]float32
	incB     [][]float32
	gradW    []mat.Dense
	gradB    [][]float32
	v, recon mat.Dense
	mu       []mat.Dense // per hidden layer, the minibatch's posteriors
	muB      []mat.Dense // views of mu sized to the current minibatch
	chain    []mat.Dense // per layer, the particles' states
	chainP   []mat.Dense // per layer, scratch probabilities
	ws       work
	perm     []int
	epoch    int
	updates  int
}

var _ rbmstack.Trainer = (*Trainer)(nil)

// NewTrainer prepares to train d on data (probabilities of binary units:
// each minibatch draws binary states) with cfg (defaults applied),
// reporting every problem at once.
func NewTrainer(d *DBM, data mat.Matrix, cfg Config) (*Trainer, error) {
	cfg.EnsureDefaults()
	p := rbmstack.Problems{Prefix: "dbm: "}
	p.Join(cfg.Validate())
	p.Cases(data, d.Sizes[0])
	if err := p.Err(); err != nil {
		return nil, err
	}
	n, _ := data.Dims()
	d.validate()
	t := &Trainer{D: d, Cfg: cfg, Stage: d.String(), data: data, src: rng.New(cfg.Seed, 0xdb1), perm: make([]int, n)}
	L := d.Layers()
	for l := 0; l <= L; l++ {
		n := d.Sizes[l]
		t.incB = append(t.incB, make([]float32, n))
		t.gradB = append(t.gradB, make([]float32, n))
		t.chain = append(t.chain, mat.New(cfg.Particles, n))
		t.chainP = append(t.chainP, mat.New(cfg.Particles, n))
		if l < L {
			t.incW = append(t.incW, make([]float32, n*d.Sizes[l+1]))
			t.gradW = append(t.gradW, mat.New(n, d.Sizes[l+1]))
			t.mu = append(t.mu, mat.New(cfg.BatchSize, d.Sizes[l+1]))
		}
	}
	t.muB = make([]mat.Dense, L)
	t.v = mat.New(cfg.BatchSize, d.Sizes[0])
	t.recon = mat.New(cfg.BatchSize, d.Sizes[0])
	return t, nil
}

// Epoch returns the number of finished epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// Fantasy returns the visible probabilities p(v | h^1) of the persistent
// chains, one row per particle (zeros before training).
func (t *Trainer) Fantasy() *mat.Dense {
	d := t.D
	p := mat.NewDense(t.Cfg.Particles, d.Sizes[0], nil)
	if t.updates > 0 {
		d.condInput(0, t.chain, 1, *p)
		mat.Sigmoid(p.Data)
	}
	return p
}

// Train runs the remaining epochs (see rbmstack.Trainer). A NaN or
// infinity returns an error wrapping rbmstack.ErrDiverged.
func (t *Trainer) Train(ctx context.Context, obs rbmstack.Observer) error {
	c := &t.Cfg
	n := len(t.perm)
	nb := (n + c.BatchSize - 1) / c.BatchSize
	total := nb * c.Epochs
	for t.epoch < c.Epochs {
		if t.updates == 0 {
			t.initChains()
		}
		t.src.Perm(t.perm)
		var recon float64
		var lr float32
		for b := 0; b < nb; b++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			lo, hi := b*c.BatchSize, min((b+1)*c.BatchSize, n)
			lr = c.Rate(float64(t.updates)/float64(total), t.updates)
			recon += t.step(t.perm[lo:hi], lr)
			t.updates++
			if err := obs.Notify(rbmstack.Event{Kind: rbmstack.Progress, Stage: t.Stage, Epoch: t.epoch + 1, Epochs: c.Epochs, Done: hi, Total: n}); err != nil {
				return err
			}
		}
		recon /= float64(n)
		t.epoch++
		if math.IsNaN(recon) || math.IsInf(recon, 0) || t.D.Diverged() || chainsNaN(t.chainP) {
			return rbmstack.Diverged(t.Stage, t.epoch)
		}
		e := rbmstack.Event{Kind: rbmstack.EpochEnd, Stage: t.Stage, Epoch: t.epoch, Epochs: c.Epochs, Done: n, Total: n,
			Loss: recon, HeldOut: math.NaN(), LR: lr}
		if err := obs.Notify(e); err != nil {
			return err
		}
	}
	return nil
}

func chainsNaN(p []mat.Dense) bool {
	for _, m := range p {
		if mat.HasNaN(m.Data) {
			return true
		}
	}
	return false
}

// initChains starts the particles at random training cases: binary states
// drawn from the data and the bottom-up mean-field initialisation.
func (t *Trainer) initChains() {
	d := t.D
	rows := make([]int, t.Cfg.Particles)
	for i := range rows {
		rows[i] = t.src.IntN(len(t.perm))
	}
	v := t.chain[0]
	t.data.DenseRowsTo(v.Data, rows)
	rbm.SampleBernoulli(v, v, t.src.Uint64())
	d.MeanFieldInit(v, t.chainP[1:])
	for l := 1; l <= d.Layers(); l++ {
		rbm.SampleBernoulli(t.chain[l], t.chainP[l], t.src.Uint64())
	}
}
