package dbn

import (
	"context"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// DefaultUpDown holds the defaults of UpDownConfig.Schedule: 10 epochs of
// 100 cases at a constant rate of 0.01, without momentum or weight decay.
var DefaultUpDown = rbmstack.Schedule{Epochs: 10, BatchSize: 100, LR: 0.01, Decay: rbmstack.Constant,
	Momentum: -1, InitialMomentum: -1, WeightDecay: -1}

// UpDownConfig sets the up-down fine-tuning. Zero fields take their
// defaults (EnsureDefaults).
type UpDownConfig struct {
	// Schedule sets the epochs, the minibatch size, the rate (see
	// DefaultUpDown), the momentum and the weight decay (none by default:
	// the paper chose its up-down's rate, momentum and weight decay on a
	// validation set and does not give them), and a constant rate unless
	// Decay is Linear or Cosine (the rate then falls to zero over the
	// epochs, as stochastic approximation wants). Weight decay applies to
	// the weights of every layer, never the biases.
	rbmstack.Schedule
	CDk int // Gibbs steps in the top memory; default 3
	// CDkSchedule, when set, replaces CDk with a number of Gibbs steps per
	// equal part of the epochs: {3, 6, 10} is the schedule of Hinton,
	// Osindero & Teh (2006), 3 steps in the first third, 6 in the second
	// and 10 in the last.
	CDkSchedule []int
	Seed        uint64
	// MeanLabels keeps the label units' probabilities in the top
	// memory's Gibbs steps instead of drawing one label, as the paper's
	// up-down does (Hinton, Osindero & Teh 2006, appendix B: neglabprobs
	// feed the next step and the negative statistics).
	MeanLabels bool
}

// EnsureDefaults fills zero fields with their defaults.
func (c *UpDownConfig) EnsureDefaults() {
	c.Schedule.EnsureDefaults(DefaultUpDown)
	rbmstack.Default(&c.CDk, 3)
}

// Validate reports every out-of-range field at once.
func (c UpDownConfig) Validate() error {
	p := rbmstack.Problems{Prefix: "dbn: up-down "}
	c.Schedule.Check(p.Add)
	if !UpDownDecay(c.Decay) {
		p.Add("rate decays constant, linear or cosine, got %v", c.Decay)
	}
	if c.CDk < 1 || c.CDk > 1000 {
		p.Add("CDk must be in [1, 1000], got %d", c.CDk)
	}
	for _, k := range c.CDkSchedule {
		if k < 1 || k > 1000 {
			p.Add("CDkSchedule %v: every entry must be in [1, 1000]", c.CDkSchedule)
			break
		}
	}
	return p.Err()
}

// steps reports whether the updates need rbmstack.Schedule.Ascend: with
// momentum or weight decay. Without either they go straight into the
// weights, as in every run before momentum was offered.
func (c UpDownConfig) steps() bool {
	return c.hasMomentum() || c.WeightDecay != 0
}

// hasMomentum reports whether an update depends on the ones before, so
// that a saved state must keep the increments.
func (c UpDownConfig) hasMomentum() bool {
	return c.Momentum != 0 || c.InitialMomentum != 0 && c.InitialEpochs > 0
}

// UpDownDecay reports whether up-down can run with decay d: Constant,
// Linear or Cosine (Inverse needs a time constant up-down does not set).
func UpDownDecay(d rbmstack.Decay) bool {
	return d == rbmstack.Constant || d == rbmstack.Linear || d == rbmstack.Cosine
}

// cdk returns the Gibbs steps of epoch (1-based).
func (c *UpDownConfig) cdk(epoch int) int {
	s := c.CDkSchedule
	if len(s) == 0 {
		return c.CDk
	}
	return s[min(len(s)-1, (epoch-1)*len(s)/max(1, c.Epochs))]
}

// UpDownTrainer runs the up-down fine-tuning of a DBN (contrastive
// wake-sleep, Hinton, Osindero & Teh 2006, section 5 and appendix B): a
// stochastic bottom-up pass with the recognition weights adjusts the
// generative weights to reconstruct each layer from the one above; CD-k
// in the top memory with the label clamped at the start; a stochastic
// top-down pass from the top's negative sample adjusts the recognition
// weights to recover each layer from the one below. It keeps the
// rbmstack.Trainer contract; its state is the DBN, the random stream, the
// epoch and, with momentum, the increments.
type UpDownTrainer struct {
	D     *DBN
	Cfg   UpDownConfig
	Stage string // names the training in events; default "up-down"

	data   mat.Matrix
	labels []int
	src    *rng.Source
	epoch  int
	ws     upDownWork
}

var _ rbmstack.Trainer = (*UpDownTrainer)(nil)

// NewUpDownTrainer prepares to fine-tune d on data with its labels,
// reporting every problem at once.
func NewUpDownTrainer(d *DBN, data mat.Matrix, labels []int, cfg UpDownConfig) (*UpDownTrainer, error) {
	cfg.EnsureDefaults()
	p := rbmstack.Problems{Prefix: "dbn: "}
	p.Join(cfg.Validate())
	p.Cases(data, d.widthBelow(0))
	n, _ := data.Dims()
	if len(labels) != n {
		p.Add("%d labels for %d cases", len(labels), n)
	}
	for i, l := range labels {
		if l < 0 || l >= d.Top.Labels {
			p.Add("label %d of case %d is not in [0, %d)", l, i, d.Top.Labels)
			break
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	u := &UpDownTrainer{D: d, Cfg: cfg, Stage: "up-down", data: data, labels: labels, src: rng.New(cfg.Seed, 3)}
	u.ws.init(d, cfg.BatchSize, n)
	if cfg.steps() {
		u.ws.vel = newVelocity(d, &u.ws)
	}
	return u, nil
}

// Epoch returns the number of finished epochs.
func (u *UpDownTrainer) Epoch() int { return u.epoch }

// Train runs the remaining epochs (see rbmstack.Trainer); EpochEnd events
// carry no loss (NaN).
func (u *UpDownTrainer) Train(ctx context.Context, obs rbmstack.Observer) error {
	c := u.Cfg
	n := len(u.labels)
	perEpoch := (n + c.BatchSize - 1) / c.BatchSize
	// rate is the learning rate after the cases before lo of epoch.
	rate := func(epoch, lo int) float32 {
		return c.Rate((float64(epoch-1)+float64(lo)/float64(n))/float64(c.Epochs), (epoch-1)*perEpoch+lo/c.BatchSize)
	}
	for epoch := u.epoch + 1; epoch <= c.Epochs; epoch++ {
		cdk := c.cdk(epoch)
		stage := fmt.Sprintf("%s (CD-%d)", u.Stage, cdk)
		u.src.Perm(u.ws.perm)
		for lo := 0; lo < n; lo += c.BatchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			hi := min(lo+c.BatchSize, n)
			u.batch(u.ws.perm[lo:hi], cdk, rate(epoch, lo), epoch-1)
			if err := obs.Notify(rbmstack.Event{Kind: rbmstack.Progress, Stage: stage, Epoch: epoch, Epochs: c.Epochs, Done: hi, Total: n}); err != nil {
				return err
			}
		}
		u.epoch = epoch
		for _, r := range append(append([]*rbm.RBM{u.D.Top}, u.D.Rec...), u.D.Gen...) {
			if r.Diverged() {
				return rbmstack.Diverged(u.Stage, epoch)
			}
		}
		e := rbmstack.Event{Kind: rbmstack.EpochEnd, Stage: stage, Epoch: epoch, Epochs: c.Epochs, Done: n, Total: n, Loss: math.NaN(), HeldOut: math.NaN(), LR: rate(epoch, (n-1)/c.BatchSize*c.BatchSize)} // the rate of its last update
		if err := obs.Notify(e); err != nil {
			return err
		}
	}
	return nil
}
