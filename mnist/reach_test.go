package mnist

import (
	"context"
	"testing"
	"time"

	"github.com/docsearch/docsearch/rbmstack"
)

// epochsTrainer is a Trainer whose epochs only report their end.
type epochsTrainer struct{ n, done int }

func (e *epochsTrainer) Train(ctx context.Context, obs rbmstack.Observer) error {
	for ; e.done < e.n; e.done++ {
		if err := obs.Notify(rbmstack.Event{Kind: rbmstack.EpochEnd, Epoch: e.done + 1, Epochs: e.n}); err != nil {
			return err
		}
	}
	return nil
}
func (e *epochsTrainer) MarshalState() ([]byte, error) { return []byte{byte(e.done)}, nil }
func (e *epochsTrainer) RestoreState(b []byte) error   { e.done = int(b[0]); return nil }

// TestTrainReach: the first epoch whose figure is at most the paper's is
// recorded, with the figure and the time; later epochs change nothing; the
// caller's observer sees every event; a run that never gets there records
// nothing.
func TestTrainReach(t *testing.T) {
	t.Parallel()
	figures := []float64{3.5, 3.1, 2.9, 2.5, 3.2}
	var seen int
	c := Common{Observer: func(e rbmstack.Event) error { seen++; return nil }}
	var r *Reach
	calls := 0
	metric := func() float64 { calls++; return figures[calls-1] }
	start := time.Now().Add(-time.Minute)
	if err := c.trainReach(context.Background(), nil, "finetune", &epochsTrainer{n: 5}, start, 3.0, metric, &r); err != nil {
		t.Fatal(err)
	}
	if r == nil || r.Epoch != 3 || r.Figure != 2.9 || r.Paper != 3.0 || r.Stage != "finetune" || r.Seconds < 60 {
		t.Errorf("reach %+v, want epoch 3, figure 2.9 after a minute", r)
	}
	if calls != 3 || seen != 5 {
		t.Errorf("%d measures (want 3: none after the figure is reached), observer saw %d events (want 5)", calls, seen)
	}
	r, calls = nil, 0
	figures = []float64{3.5, 3.1}
	if err := c.trainReach(context.Background(), nil, "finetune", &epochsTrainer{n: 2}, start, 3.0, metric, &r); err != nil || r != nil {
		t.Errorf("never reached: %+v, %v", r, err)
	}
}
