package main

import (
	"strings"
	"testing"
)

// TestMNISTResumeNeedsCheckpoint: --resume without --checkpoint is an error
// naming the flag, given before any data are read.
func TestMNISTResumeNeedsCheckpoint(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"autoencoder", "dnn", "dbn", "dbm"} {
		out, err := run(t, "mnist", cmd, "--resume", "--data", t.TempDir(), "--quiet")
		if err == nil || !strings.Contains(err.Error(), "--resume") || !strings.Contains(err.Error(), "--checkpoint") {
			t.Errorf("mnist %s --resume: %v\n%s", cmd, err, out)
		}
	}
}
