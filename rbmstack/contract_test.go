package rbmstack_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/rbmstack"
)

// counter is a Trainer of n epochs whose state is the epoch count.
type counter struct {
	epoch, epochs int
}

func (c *counter) Train(ctx context.Context, obs rbmstack.Observer) error {
	for c.epoch < c.epochs {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.epoch++
		if err := obs.Notify(rbmstack.Event{Kind: rbmstack.EpochEnd, Stage: "count", Epoch: c.epoch, Epochs: c.epochs, Loss: 1 / float64(c.epoch), HeldOut: math.NaN()}); err != nil {
			return err
		}
	}
	return nil
}

func (c *counter) MarshalState() ([]byte, error) { return []byte{byte(c.epoch)}, nil }

func (c *counter) RestoreState(b []byte) error {
	if len(b) != 1 {
		return rbmstack.ErrCorrupt
	}
	c.epoch = int(b[0])
	return nil
}

type store struct{ b []byte }

func (s *store) Load() ([]byte, error) { return s.b, nil }
func (s *store) Save(b []byte) error   { s.b = b; return nil }
func (s *store) String() string        { return "the store" }

// TestResume: Resume saves at every boundary before the observer hears of
// it (Saved), so that an observer's error leaves the state of that epoch;
// a second Resume restores it, says so, and finishes.
func TestResume(t *testing.T) {
	var s store
	stop := errors.New("stop")
	err := rbmstack.Resume(context.Background(), &counter{epochs: 5}, &s, func(e rbmstack.Event) error {
		if !e.Saved {
			t.Errorf("epoch %d: not saved before the observer", e.Epoch)
		}
		if e.Epoch == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !bytes.Equal(s.b, []byte{2}) {
		t.Fatalf("err %v, saved %v", err, s.b)
	}
	var notes []string
	c := &counter{epochs: 5}
	err = rbmstack.Resume(context.Background(), c, &s, func(e rbmstack.Event) error {
		if e.Kind == rbmstack.Note {
			notes = append(notes, e.Text)
		}
		return nil
	})
	if err != nil || c.epoch != 5 || !bytes.Equal(s.b, []byte{5}) {
		t.Fatalf("resumed: err %v, epoch %d, saved %v", err, c.epoch, s.b)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "resuming from the store") {
		t.Errorf("notes %q", notes)
	}
	s.b = []byte{1, 2}
	if err := rbmstack.Resume(context.Background(), &counter{epochs: 5}, &s, nil); !errors.Is(err, rbmstack.ErrCorrupt) || !strings.Contains(err.Error(), "the store") {
		t.Errorf("damaged state: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := rbmstack.Resume(ctx, &counter{epochs: 5}, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestSchedule checks the defaults, every check at once, the decays and
// the momentum schedule.
func TestSchedule(t *testing.T) {
	def := rbmstack.Schedule{Epochs: 10, BatchSize: 100, LR: 0.1, Decay: rbmstack.Constant, Momentum: 0.9, InitialMomentum: 0.5, InitialEpochs: 5, WeightDecay: -1}
	s := rbmstack.Schedule{LR: 0.2, Momentum: -1}
	s.EnsureDefaults(def)
	want := rbmstack.Schedule{Epochs: 10, BatchSize: 100, LR: 0.2, Decay: rbmstack.Constant, Momentum: 0, InitialMomentum: 0.5, InitialEpochs: 5, WeightDecay: 0}
	if s != want {
		t.Errorf("EnsureDefaults: %+v, want %+v", s, want)
	}
	var problems []string
	rbmstack.Schedule{Epochs: -1, LR: 200, Decay: 9, Tau: -1, Momentum: 1, InitialEpochs: -1, WeightDecay: 2}.Check(func(f string, _ ...any) {
		problems = append(problems, f)
	})
	if len(problems) != 8 {
		t.Errorf("Check found %d problems, want 8: %q", len(problems), problems)
	}
	for _, tc := range []struct {
		s    rbmstack.Schedule
		p    float64
		u    int
		want float64
	}{
		{rbmstack.Schedule{LR: 1, Decay: rbmstack.Constant}, 0.5, 50, 1},
		{rbmstack.Schedule{LR: 1, Decay: rbmstack.Linear}, 0.25, 25, 0.75},
		{rbmstack.Schedule{LR: 1, Decay: rbmstack.Cosine}, 0.5, 50, 0.5},
		{rbmstack.Schedule{LR: 1, Decay: rbmstack.Inverse, Tau: 10}, 0.5, 30, 0.25},
	} {
		if got := tc.s.Rate(tc.p, tc.u); math.Abs(float64(got)-tc.want) > 1e-7 {
			t.Errorf("%v: Rate(%g, %d) = %g, want %g", tc.s.Decay, tc.p, tc.u, got, tc.want)
		}
	}
	if m := want.MomentumAt(4); m != 0.5 {
		t.Errorf("momentum of epoch 4: %g, want 0.5", m)
	}
	if m := want.MomentumAt(5); m != 0 {
		t.Errorf("momentum of epoch 5: %g, want 0", m)
	}
	w, inc := []float32{1}, []float32{0.5}
	rbmstack.Schedule{Momentum: 0.5, WeightDecay: 0.1}.Ascend(w, inc, []float32{2}, 0, 0.1, true)
	if math.Abs(float64(inc[0])-(0.25+0.1*(2-0.1))) > 1e-7 || math.Abs(float64(w[0])-(1+0.44)) > 1e-6 {
		t.Errorf("Ascend: w %v, inc %v", w, inc)
	}
}

// TestProgressBars: one line per epoch on a plain writer, with the loss
// and, where there is one, the held-out loss; notes as lines.
func TestProgressBars(t *testing.T) {
	var buf bytes.Buffer
	obs := rbmstack.ProgressBars(&buf)
	obs(rbmstack.Event{Kind: rbmstack.Progress, Stage: "rbm 1", Epoch: 1, Epochs: 2, Done: 50, Total: 100})
	obs(rbmstack.Event{Kind: rbmstack.EpochEnd, Stage: "rbm 1", Epoch: 1, Epochs: 2, Done: 100, Total: 100, Loss: 0.25, HeldOut: math.NaN()})
	obs(rbmstack.Event{Kind: rbmstack.EpochEnd, Stage: "fine-tune", Epoch: 1, Epochs: 1, Loss: 3, HeldOut: 2.5, LR: 0.001})
	obs(rbmstack.Event{Kind: rbmstack.Note, Text: "resuming"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "rbm 1 epoch 1/2 100/100 cases") || !strings.Contains(lines[0], "loss 0.25") ||
		!strings.Contains(lines[1], "loss 3 held-out 2.5 lr 0.001") || lines[2] != "resuming" {
		t.Errorf("output:\n%s", buf.String())
	}
	if rbmstack.ProgressBars(nil) != nil {
		t.Error("ProgressBars(nil) is not nil")
	}
}
