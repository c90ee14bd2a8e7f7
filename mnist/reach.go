package mnist

import (
	"context"
	"time"

	"github.com/docsearch/docsearch/internal/checkpoint"
	"github.com/docsearch/docsearch/rbmstack"
)

// Reach is when a run first reached its paper's figure: the test figure
// is measured at the end of every epoch of the run's last stage and
// reported, never used to choose or stop anything.
type Reach struct {
	// Paper is the published figure (an error: lower is better).
	Paper float64 `json:"paper"`
	// Seconds since the run began, in this process: a resumed run counts
	// from its resumption and its restored epochs are not measured.
	Seconds float64 `json:"seconds"`
	// Stage and Epoch name the epoch at whose end the figure was reached.
	Stage string `json:"stage"`
	Epoch int    `json:"epoch"`
	// Figure is the run's own figure then.
	Figure float64 `json:"figure"`
}

// trainReach is Common.train for a run's last stage: at the end of each
// epoch it measures metric and sets *r the first time it is at most
// paper (*r already set: nothing more is measured).
func (c Common) trainReach(ctx context.Context, run *checkpoint.Run, stage string, t rbmstack.Trainer, start time.Time, paper float64, metric func() float64, r **Reach) error {
	inner := c
	inner.Observer = func(e rbmstack.Event) error {
		if e.Kind == rbmstack.EpochEnd && *r == nil {
			if m := metric(); m <= paper {
				*r = &Reach{Paper: paper, Seconds: time.Since(start).Seconds(), Stage: stage, Epoch: e.Epoch, Figure: m}
			}
		}
		return c.Observer.Notify(e)
	}
	return inner.train(ctx, run, stage, t)
}
