package rbmstack

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/docsearch/docsearch/internal/progress"
)

// ProgressBars returns an Observer that draws a progress bar per epoch (or
// pass) on w, with its rate and ETA, redrawn in place on a terminal and
// as a line every few seconds otherwise; it ends each epoch's bar with
// the epoch's losses and prints notes as lines. A nil w gives a nil
// Observer.
func ProgressBars(w io.Writer) Observer {
	if w == nil {
		return nil
	}
	var bar *progress.Bar
	var label string
	start := func(e Event) {
		if l := barLabel(e); bar == nil || l != label {
			bar.Finish()
			unit := e.Unit
			if unit == "" {
				unit = "cases"
			}
			bar, label = progress.New(w, l, int64(e.Total), unit), l
		}
	}
	return func(e Event) error {
		switch e.Kind {
		case Progress:
			start(e)
			bar.Set(int64(e.Done))
		case EpochEnd:
			start(e)
			bar.Set(int64(e.Done))
			var suffix string
			if !math.IsNaN(e.Loss) {
				suffix = fmt.Sprintf("loss %.4g", e.Loss)
			}
			if !math.IsNaN(e.HeldOut) {
				suffix += fmt.Sprintf(" held-out %.4g", e.HeldOut)
			}
			if e.HeldOutCases > 0 {
				suffix += fmt.Sprintf(" held-out error %.2f%%", 100*float64(e.HeldOutWrong)/float64(e.HeldOutCases))
			}
			if e.LR != 0 {
				suffix += fmt.Sprintf(" lr %.3g", e.LR)
			}
			bar.SetSuffix("%s", strings.TrimSpace(suffix))
			bar.Finish()
			bar = nil
		case StageEnd:
			if bar != nil && barLabel(e) == label {
				bar.Finish()
				bar = nil
			}
		case Note:
			bar.Finish()
			bar = nil
			fmt.Fprintln(w, e.Text)
		}
		return nil
	}
}

func barLabel(e Event) string {
	if e.Epochs == 0 {
		return e.Stage
	}
	return fmt.Sprintf("%s epoch %d/%d", e.Stage, e.Epoch, e.Epochs)
}
