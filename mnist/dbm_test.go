package mnist

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestDBMSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a deep Boltzmann machine")
	}
	train, test := loadReal(t)
	test = test.Slice(0, 500)
	// A 784-100-200 DBM on 3,000 digits, two epochs of pretraining and of
	// joint training, a short AIS: enough to exercise every step, far from
	// the paper's numbers.
	c := Common{Budget: Budget{TrainImages: 3000, PretrainEpochs: 2, TopEpochs: 2, FineTuneEpochs: 10}, Seed: 1}
	res, d, err := RunDBM(bg, train, test, DBMOptions{Common: c, Sizes: []int{100, 200}, AISRuns: 10, AISBetas: 200})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("smoke DBM: test error %.4f, log-prob bound %.2f, log Z %.2f (+%.2f), %.1f s", res.TestError, res.TestLogProb, res.LogZ, res.LogZErr, res.Seconds)
	if d.Sizes[0] != 784 || d.Sizes[2] != 200 {
		t.Errorf("DBM sizes %v", d.Sizes)
	}
	// Chance is 0.9; any working classifier on 3,000 digits is far below 0.3.
	if res.TestError > 0.3 {
		t.Errorf("test error %.3f", res.TestError)
	}
	// A binary image of 784 pixels has log-probability below 0 and, under
	// any sensible model, above the -543 nats of independent fair pixels.
	if !(res.TestLogProb < 0 && res.TestLogProb > -784*math.Ln2) || !(res.LogZ > 0) || math.IsNaN(res.LogZErr) {
		t.Errorf("log-prob bound %g, log Z %g +%g", res.TestLogProb, res.LogZ, res.LogZErr)
	}
	png := filepath.Join(t.TempDir(), "samples.png")
	if err := WriteDBMSamples(png, res.Particles); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(png); err != nil || st.Size() == 0 {
		t.Errorf("samples: %v", err)
	}
	if _, _, err := RunDBM(bg, train, test, DBMOptions{Common: c, Sizes: []int{100}}); err == nil {
		t.Error("one hidden layer accepted")
	}
}

func TestBinarize(t *testing.T) {
	t.Parallel()
	s := &Set{Images: []float32{0, 1, 0.5, 0.5}, Labels: []uint8{1}, N: 1, Rows: 2, Cols: 2}
	b := Binarize(s, 1)
	if b.Data[0] != 0 || b.Data[1] != 1 || (b.Data[2] != 0 && b.Data[2] != 1) {
		t.Errorf("Binarize: %v", b.Data)
	}
	if c := Binarize(s, 1); c.Data[2] != b.Data[2] || c.Data[3] != b.Data[3] {
		t.Error("Binarize is not reproducible")
	}
}
