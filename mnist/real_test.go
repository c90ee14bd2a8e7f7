package mnist

import (
	"testing"
	"time"

	"github.com/docsearch/docsearch/internal/testenv"
)

// realData loads the MNIST files found by DefaultDir, skipping the test
// (failing it under DOCSEARCH_REQUIRE_DATA=1) when they are absent.
func realData(t *testing.T) (train, test *Set) {
	t.Helper()
	dir, err := DefaultDir()
	if err != nil {
		testenv.Missing(t, "the MNIST files of the GoMNIST module ("+err.Error()+")")
	}
	start := time.Now()
	train, test, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Load(%s): %v", dir, time.Since(start))
	return train, test
}

func TestLoadReal(t *testing.T) {
	train, test := realData(t)
	// Class counts of LeCun's distribution, as given for instance in the
	// README of the MNIST data set card on Hugging Face and reproduced by
	// every IDX reader; the first labels are the well-known 5 and 7.
	cases := []struct {
		name   string
		set    *Set
		n      int
		counts [10]int
		first  uint8
	}{
		{"train", train, 60000, [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, 5},
		{"test", test, 10000, [10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, 7},
	}
	for _, c := range cases {
		s := c.set
		if s.N != c.n || s.Rows != 28 || s.Cols != 28 || len(s.Images) != c.n*784 || len(s.Labels) != c.n {
			t.Errorf("%s: N=%d %dx%d, %d pixels, %d labels; want %d of 28x28", c.name, s.N, s.Rows, s.Cols, len(s.Images), len(s.Labels), c.n)
			continue
		}
		if got := s.Counts(); got != c.counts {
			t.Errorf("%s: label counts %v, want %v", c.name, got, c.counts)
		}
		if s.Labels[0] != c.first {
			t.Errorf("%s: first label %d, want %d", c.name, s.Labels[0], c.first)
		}
		var sum float64
		lo, hi := float32(1), float32(0)
		for _, v := range s.Images {
			sum += float64(v)
			lo, hi = min(lo, v), max(hi, v)
		}
		// The mean MNIST pixel is 0.1307 (the normalisation constant used
		// throughout the PyTorch examples) on the training set.
		if mean := sum / float64(len(s.Images)); mean < 0.12 || mean > 0.14 || lo != 0 || hi != 1 {
			t.Errorf("%s: pixels mean %.4f range [%g,%g], want about 0.13 in [0,1]", c.name, mean, lo, hi)
		}
	}
}

// TestPCA30Real checks the PCA baseline of Hinton & Salakhutdinov (2006),
// Fig. 2: 30 components fitted on the training images give an average
// squared reconstruction error of 13.87 per test image.
func TestPCA30Real(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping PCA on the full MNIST training set in short mode")
	}
	train, test := realData(t)
	start := time.Now()
	p, err := FitPCA(train.Images, train.N, train.Dim(), 30)
	if err != nil {
		t.Fatal(err)
	}
	fit := time.Since(start)
	rec := p.Reconstruct(test.Images, test.N)
	got := SquaredError(test.Images, rec, test.N)
	t.Logf("FitPCA 60000x784 k=30: %v; test squared error %.4f", fit, got)
	const want, tol = 13.87, 0.05 // Science 313:504, Fig. 2 caption
	if d := got - want; d > tol || d < -tol {
		t.Errorf("PCA-30 test squared error %.4f, want %.2f ± %.2f", got, want, tol)
	}
}
