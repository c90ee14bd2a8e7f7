package rbmstack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/docsearch/docsearch/internal/binenc"
)

// Errors shared by every trainer and stored format of the core and of
// packages autoencoder and vocab (the same values there).
var (
	// ErrDiverged is returned when training produces NaN or infinite
	// values; the error names the stage and the epoch.
	ErrDiverged = errors.New("training diverged")
	// ErrMismatch means a saved trainer state is intact but belongs to
	// another run: another configuration or model shape, both named.
	ErrMismatch = binenc.ErrMismatch
	// ErrCorrupt means stored bytes fail their checksum or do not decode;
	// the error names the format and the first problem.
	ErrCorrupt = binenc.ErrCorrupt
	// ErrVersion means intact data written by a docsearch whose format
	// this build does not read; the error says whether it was older or
	// newer.
	ErrVersion = binenc.ErrVersion
)

// Trainer is the contract every trainer of the core keeps (rbm, stack,
// dbn, dbm and autoencoder alike). A trainer is made by its package's
// NewTrainer (or New...Trainer) from the model, the data and a
// configuration, which is validated there, every problem at once.
type Trainer interface {
	// Train runs the epochs that remain, reporting to obs (may be nil);
	// an error from obs or a cancelled ctx stops it and is returned.
	// After an error the model holds the parameters of an unfinished
	// epoch: restore the state saved at the last boundary to continue.
	Train(ctx context.Context, obs Observer) error
	// MarshalState encodes, at a boundary (an EpochEnd or StageEnd event,
	// or before Train), everything needed to continue exactly: the model,
	// the optimiser's buffers, the random streams, the epoch and the
	// configuration.
	MarshalState() ([]byte, error)
	// RestoreState loads a state written by MarshalState into a trainer
	// made with the same model shape, data and configuration, so that
	// Train continues to the model an uninterrupted run makes. Another
	// configuration or shape gives ErrMismatch naming both; damaged data
	// ErrCorrupt; a state of an older docsearch ErrVersion.
	RestoreState([]byte) error
}

// Store keeps the saved state of one trainer, such as a checkpoint file.
type Store interface {
	// Load returns the saved state, or nil (and no error) if none.
	Load() ([]byte, error)
	// Save replaces the saved state, atomically.
	Save([]byte) error
}

// Resume trains t, first restoring it from s when s holds a state, and
// saves its state in s at every boundary (EpochEnd and StageEnd events)
// before obs sees the event: an error from obs, a cancelled ctx or a kill
// leaves in s a state from which Resume continues to the model of an
// uninterrupted run. A nil s trains without saving.
func Resume(ctx context.Context, t Trainer, s Store, obs Observer) error {
	if s == nil {
		return t.Train(ctx, obs)
	}
	st, err := s.Load()
	if err != nil {
		return err
	}
	if st != nil {
		if err := t.RestoreState(st); err != nil {
			return fmt.Errorf("%v: %w", s, err)
		}
		if err := obs.Notify(Event{Kind: Note, Text: fmt.Sprintf("resuming from %v", s)}); err != nil {
			return err
		}
	}
	return t.Train(ctx, func(e Event) error {
		if e.Kind == EpochEnd || e.Kind == StageEnd {
			st, err := t.MarshalState()
			if err != nil {
				return err
			}
			if err := s.Save(st); err != nil {
				return fmt.Errorf("saving %v: %w", s, err)
			}
			e.Saved = true
		}
		return obs.Notify(e)
	})
}

// Observer receives a trainer's events. An error it returns stops
// training and is returned by Train. A nil Observer ignores everything.
type Observer func(Event) error

// Notify passes e to o, if o is not nil.
func (o Observer) Notify(e Event) error {
	if o == nil {
		return nil
	}
	return o(e)
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	// Progress reports Done of Total cases of the epoch under way (or of
	// a pass with no epochs, such as reading a corpus).
	Progress EventKind = iota
	// EpochEnd reports a finished epoch with its losses. The trainer is at
	// a boundary: MarshalState captures everything needed to continue.
	EpochEnd
	// StageEnd reports a finished stage: a layer of a greedy stack (also a
	// boundary) or a pass with no epochs.
	StageEnd
	// Note is a line of text for the user.
	Note
)

// Event is what a trainer reports to its Observer.
type Event struct {
	Kind  EventKind
	Stage string // what is being trained or done: "rbm 2 (500-250)", "fine-tune"
	// Epoch is the epoch under way or just finished, 1-based, of Epochs;
	// both 0 for a pass with no epochs.
	Epoch, Epochs int
	Done, Total   int    // Progress: units done in this epoch or pass, of Total (0: unknown)
	Unit          string // of Done and Total; "" means cases
	// Loss is the epoch's training loss: the mean squared reconstruction
	// error per case for Boltzmann machines, the mean loss per case for
	// nets.
	Loss float64
	// HeldOut is the loss on held-out cases, NaN when there are none.
	HeldOut float64
	// HeldOutWrong of HeldOutCases held-out cases were misclassified; both
	// 0 when not counted.
	HeldOutWrong, HeldOutCases int
	// Best says the held-out figures are the best so far, by the trainer's
	// criterion.
	Best bool
	LR   float32 // the learning rate at the end of the epoch (0: none)
	// Saved says that Resume saved the trainer's state at this boundary
	// before passing the event on.
	Saved bool
	Text  string // Note
}

// Diverged returns the error of a trainer whose parameters or loss became
// NaN or infinite in epoch of stage.
func Diverged(stage string, epoch int) error {
	return fmt.Errorf("%w: %s epoch %d: NaN or Inf in the weights or the loss (lower the learning rate)", ErrDiverged, stage, epoch)
}

// Shape writes layer widths as 784-500-10.
func Shape(sizes ...int) string {
	s := make([]string, len(sizes))
	for i, n := range sizes {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, "-")
}
