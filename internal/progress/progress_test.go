package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "train", 10, "cases")
	b.Add(4)
	b.SetSuffix("loss %.2f", 1.5)
	b.Add(6)
	b.Finish()
	b.Finish() // idempotent
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "train 10/10 cases (100%)") || !strings.Contains(out, "loss 1.50") || strings.Contains(out, "\r") {
		t.Errorf("output %q", out)
	}
}

func TestSilent(t *testing.T) {
	b := New(nil, "x", 5, "cases")
	if b != nil {
		t.Fatal("bar with nil output")
	}
	b.Add(1) // a nil bar is valid
	b.Finish()
}
