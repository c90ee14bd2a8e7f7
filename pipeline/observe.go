package pipeline

import (
	"fmt"

	"github.com/docsearch/docsearch/rbmstack"
)

// counter reports a pass with no epochs, such as reading a corpus, to an
// Observer: Progress events counting unit, a StageEnd at the end. A nil
// Observer hears nothing; its errors do not stop the pass.
type counter struct {
	obs         rbmstack.Observer
	stage, unit string
	n           int
}

func newCounter(obs rbmstack.Observer, stage, unit string) *counter {
	return &counter{obs: obs, stage: stage, unit: unit}
}

// Add counts n more units.
func (c *counter) Add(n int) {
	c.n += n
	_ = c.obs.Notify(rbmstack.Event{Kind: rbmstack.Progress, Stage: c.stage, Done: c.n, Unit: c.unit})
}

// Finish ends the pass.
func (c *counter) Finish() {
	_ = c.obs.Notify(rbmstack.Event{Kind: rbmstack.StageEnd, Stage: c.stage})
}

// note passes a line of text to obs.
func note(obs rbmstack.Observer, format string, args ...any) {
	_ = obs.Notify(rbmstack.Event{Kind: rbmstack.Note, Text: fmt.Sprintf(format, args...)})
}
