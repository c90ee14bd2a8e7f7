// Package progress draws the progress of long runs on a writer its caller
// gives (rbmstack.ProgressBars): a bar with rate and ETA redrawn in place
// on a terminal, plain lines every few seconds otherwise (logs, CI). A
// nil *Bar is valid and reports nothing. The package writes nowhere by
// itself.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Bar is one progress bar. It is safe for concurrent use.
type Bar struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	label   string
	unit    string
	total   int64
	done    int64
	start   time.Time
	last    time.Time
	every   time.Duration
	suffix  string
	stopped bool
}

// New starts a bar on w counting to total units (total <= 0: unknown);
// a nil w gives a nil Bar.
func New(w io.Writer, label string, total int64, unit string) *Bar {
	if w == nil {
		return nil
	}
	now := time.Now()
	b := &Bar{w: w, tty: isTerminal(w), label: label, unit: unit, total: total, start: now, last: now, every: 5 * time.Second}
	if b.tty {
		b.every = 200 * time.Millisecond
	}
	return b
}

// Add advances the bar by n units.
func (b *Bar) Add(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	if now := time.Now(); now.Sub(b.last) >= b.every {
		b.last = now
		b.draw(now, false)
	}
}

// Set moves the bar to done units.
func (b *Bar) Set(done int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.done = 0
	b.mu.Unlock()
	b.Add(done)
}

// SetSuffix sets a short text shown after the rate (e.g. a loss).
func (b *Bar) SetSuffix(format string, args ...any) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.suffix = fmt.Sprintf(format, args...)
	b.mu.Unlock()
}

// Finish draws the final state and a summary line: count, time, rate.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	b.stopped = true
	b.draw(time.Now(), true)
}

func (b *Bar) draw(now time.Time, final bool) {
	el := now.Sub(b.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(b.done) / el
	}
	var sb strings.Builder
	if b.tty {
		sb.WriteString("\r\x1b[K")
	}
	fmt.Fprintf(&sb, "%s ", b.label)
	if b.total > 0 {
		frac := float64(b.done) / float64(b.total)
		if b.tty {
			const width = 24
			n := int(frac * width)
			n = max(0, min(width, n))
			sb.WriteString("[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "] ")
		}
		fmt.Fprintf(&sb, "%d/%d %s (%.0f%%) %.1f %s/s", b.done, b.total, b.unit, 100*frac, rate, b.unit)
		if !final && rate > 0 {
			eta := time.Duration(float64(b.total-b.done) / rate * float64(time.Second))
			fmt.Fprintf(&sb, " ETA %s", eta.Round(time.Second))
		}
	} else {
		fmt.Fprintf(&sb, "%d %s %.1f %s/s", b.done, b.unit, rate, b.unit)
	}
	if final {
		fmt.Fprintf(&sb, " in %s", time.Duration(el*float64(time.Second)).Round(10*time.Millisecond))
	}
	if b.suffix != "" {
		sb.WriteString(" " + b.suffix)
	}
	if !b.tty || final {
		sb.WriteString("\n")
	}
	io.WriteString(b.w, sb.String())
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}
