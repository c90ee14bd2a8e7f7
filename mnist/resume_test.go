package mnist

import (
	"bytes"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/internal/checkpoint"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/dbn"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// The tests below run a tiny experiment once without checkpoints, then
// again with a checkpoint folder, killed right after every checkpoint it
// writes (an observer's error stands in for kill -9: only the files
// survive) and resumed, until a run completes: every stage is thus resumed
// from every epoch it saves, and the final model must be bit-identical.

var errKilled = errors.New("killed")

// killAtFirstSave stops a run at the first event after rbmstack.Resume
// saved a trainer's state.
func killAtFirstSave(e rbmstack.Event) error {
	if e.Saved {
		return errKilled
	}
	return nil
}

// resumeCommon is small enough for a dozen runs in a few seconds.
func resumeCommon(t *testing.T, seed uint64) Common {
	return Common{Budget: Budget{TrainImages: 300, PretrainEpochs: 2, TopEpochs: 2, FineTuneEpochs: 2}, Seed: seed, Checkpoint: t.TempDir()}
}

// runKilled calls run (with resume false the first time, then true), each
// call killed at its first checkpoint, until one completes; it returns the
// number of kills. A killed run keeps its checkpoints and says so.
func runKilled(t *testing.T, c *Common, run func() error) int {
	t.Helper()
	c.Observer = killAtFirstSave
	defer func() { c.Observer, c.Resume = nil, false }()
	for k := 0; k < 100; k++ {
		c.Resume = k > 0
		err := run()
		if err == nil {
			return k
		}
		var kept *checkpoint.KeptError
		if !errors.Is(err, errKilled) || !errors.As(err, &kept) || kept.Dir != c.Checkpoint {
			t.Fatalf("run %d: %v", k+1, err)
		}
	}
	t.Fatal("the resumed runs never finished")
	return 0
}

// checkpointFiles lists the names of the files in dir.
func checkpointFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func sameFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestDNNResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small deep nets a dozen times")
	}
	train, test := loadReal(t)
	test = test.Slice(0, 200)
	for _, tc := range []struct {
		init  Init
		saves int // checkpoints an uninterrupted run writes
	}{
		{InitRBM, 2*3 + 2},         // 2 RBMs x (2 epochs + layer), 2 fine-tuning epochs
		{InitAutoencoder, 2*2 + 2}, // 2 greedy layers x 2 epochs, 2 fine-tuning epochs
		{InitNone, 2},
	} {
		t.Run(tc.init.String(), func(t *testing.T) {
			c := resumeCommon(t, 2)
			dir := c.Checkpoint
			c.Checkpoint = ""
			o := DNNOptions{Common: c, Hidden: []int{20, 15}, Init: tc.init}
			want, wantNet, err := RunDNN(bg, train, test, o)
			if err != nil {
				t.Fatal(err)
			}
			wantBytes, _ := wantNet.MarshalBinary()
			o.Checkpoint = dir
			var got *DNNResult
			var gotBytes []byte
			kills := runKilled(t, &o.Common, func() error {
				res, net, err := RunDNN(bg, train, test, o)
				if err == nil {
					got = res
					gotBytes, _ = net.MarshalBinary()
				}
				return err
			})
			if kills != tc.saves {
				t.Errorf("%d kills, want one per checkpoint (%d)", kills, tc.saves)
			}
			if !bytes.Equal(gotBytes, wantBytes) || got.TestError != want.TestError || got.TrainError != want.TrainError || got.BestEpoch != want.BestEpoch {
				t.Errorf("resumed run differs: %+v, uninterrupted %+v", got, want)
			}

			// A fresh run (no Resume) starts over: after its first
			// checkpoint only that stage and the settings are left.
			o.Observer = killAtFirstSave
			if _, _, err := RunDNN(bg, train, test, o); !errors.Is(err, errKilled) {
				t.Fatalf("fresh run: %v", err)
			}
			if names := checkpointFiles(t, o.Checkpoint); len(names) != 2 || !slices.Contains(names, "dnn-"+tc.init.String()+".settings") {
				t.Errorf("after a fresh run's first checkpoint the folder holds %v", names)
			}
		})
	}
	_, _, err := RunDNN(bg, train, test, DNNOptions{Common: Common{Budget: resumeCommon(t, 1).Budget, Resume: true}, Hidden: []int{20}, Init: InitNone})
	if err == nil || !strings.Contains(err.Error(), "resume needs a checkpoint folder") {
		t.Errorf("Resume without Checkpoint: %v", err)
	}
}

func dbnParams(d *dbn.DBN) [][]float32 {
	var out [][]float32
	for _, r := range append(append([]*rbm.RBM{d.Top}, d.Rec...), d.Gen...) {
		out = append(out, r.W, r.VisBias, r.HidBias)
	}
	return out
}

// TestDBNResume also checks that a resume with another seed or shape is
// refused naming both settings, and leaves the checkpoints alone.
func TestDBNResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small deep belief nets a dozen times")
	}
	train, test := loadReal(t)
	test = test.Slice(0, 200)
	c := resumeCommon(t, 3)
	dir := c.Checkpoint
	c.Checkpoint = ""
	o := DBNOptions{Common: c, Hidden: []int{20, 15}, Top: 30}
	want, wantD, err := RunDBN(bg, train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Checkpoint = dir
	var got *DBNResult
	var gotD *dbn.DBN
	kills := runKilled(t, &o.Common, func() error {
		var err error
		got, gotD, err = RunDBN(bg, train, test, o)
		return err
	})
	// 2 RBMs x (2 epochs + layer), 2 epochs of the top memory, 2 of up-down.
	if kills != 2*3+2+2 {
		t.Errorf("%d kills, want one per checkpoint (10)", kills)
	}
	w, g := dbnParams(wantD), dbnParams(gotD)
	for i := range w {
		if !sameFloats(w[i], g[i]) {
			t.Fatalf("resumed DBN differs from the uninterrupted one (parameter block %d)", i)
		}
	}
	if got.TestError != want.TestError || got.TrainError != want.TrainError || got.PretrainTestError != want.PretrainTestError {
		t.Errorf("resumed run differs: %+v, uninterrupted %+v", got, want)
	}
	names := checkpointFiles(t, o.Checkpoint)
	if !slices.Equal(names, []string{"dbn.rbm", "dbn.settings", "dbn.top", "dbn.updown"}) {
		t.Errorf("checkpoint files %v", names)
	}
	other := o
	other.Seed, other.Top, other.Resume = 4, 31, true
	_, _, err = RunDBN(bg, train, test, other)
	var mm *checkpoint.MismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "seed 3, top 30") || !strings.Contains(err.Error(), "seed 4, top 31") {
		t.Errorf("resume with another seed and top: %v", err)
	}
	if again := checkpointFiles(t, o.Checkpoint); !slices.Equal(again, names) {
		t.Errorf("a refused resume changed the checkpoints: %v", again)
	}
}

func TestDBMResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small deep Boltzmann machines a dozen times")
	}
	train, test := loadReal(t)
	test = test.Slice(0, 200)
	c := resumeCommon(t, 4)
	dir := c.Checkpoint
	c.Checkpoint = ""
	o := DBMOptions{Common: c, Sizes: []int{20, 30}, AISRuns: 5, AISBetas: 100}
	want, wantD, err := RunDBM(bg, train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Checkpoint = dir
	var got *DBMResult
	kills := runKilled(t, &o.Common, func() error {
		res, d, err := RunDBM(bg, train, test, o)
		if err == nil {
			got = res
			for l := range wantD.W {
				if !sameFloats(wantD.W[l], d.W[l]) || !sameFloats(wantD.B[l], d.B[l]) {
					t.Errorf("resumed DBM differs from the uninterrupted one (layer %d)", l)
				}
			}
		}
		return err
	})
	// 2 RBMs x (2 epochs + layer), 2 joint epochs, 2 fine-tuning epochs.
	if kills != 2*3+2+2 {
		t.Errorf("%d kills, want one per checkpoint (10)", kills)
	}
	if !sameFloats(got.Particles.Data, want.Particles.Data) {
		t.Error("resumed persistent chains differ from the uninterrupted ones")
	}
	if got.TestError != want.TestError || got.TestLogProb != want.TestLogProb || got.LogZ != want.LogZ {
		t.Errorf("resumed run differs: %+v, uninterrupted %+v", got, want)
	}
	if names := checkpointFiles(t, o.Checkpoint); !slices.Equal(names, []string{"dbm.finetune", "dbm.joint", "dbm.pretrain", "dbm.settings"}) {
		t.Errorf("checkpoint files %v", names)
	}

	// The classifier fine-tuned by CG, kept by held-out errors and
	// refitted on every image: killed at every checkpoint, the same as
	// uninterrupted; the checkpoints of the run above, made with SGD, are
	// not resumed with it.
	o2 := o
	o2.Checkpoint, o2.Finetune, o2.Select, o2.Refit = "", autoencoder.CG, autoencoder.HeldOutError, true
	want2, _, err := RunDBM(bg, train, test, o2)
	if err != nil {
		t.Fatal(err)
	}
	if want2.RefitTestError == nil || want2.BestEpoch < 1 {
		t.Fatalf("refit run: best epoch %d, refit error %v", want2.BestEpoch, want2.RefitTestError)
	}
	o2.Checkpoint = t.TempDir()
	var got2 *DBMResult
	runKilled(t, &o2.Common, func() error {
		res, _, err := RunDBM(bg, train, test, o2)
		if err == nil {
			got2 = res
		}
		return err
	})
	if got2.TestError != want2.TestError || got2.BestEpoch != want2.BestEpoch || *got2.RefitTestError != *want2.RefitTestError || *got2.RefitTrainError != *want2.RefitTrainError {
		t.Errorf("resumed refit run differs: %+v, uninterrupted %+v", got2, want2)
	}
	if names := checkpointFiles(t, o2.Checkpoint); !slices.Equal(names, []string{"dbm.finetune", "dbm.joint", "dbm.pretrain", "dbm.refit", "dbm.settings"}) {
		t.Errorf("checkpoint files %v", names)
	}
	o2.Checkpoint, o2.Resume = dir, true
	var mm *checkpoint.MismatchError
	if _, _, err := RunDBM(bg, train, test, o2); !errors.As(err, &mm) || !strings.Contains(err.Error(), "refit") {
		t.Errorf("resuming an SGD run's checkpoints with CG and refit: %v", err)
	}
}

// TestAutoencoderResume checks that a run killed at every checkpoint and
// resumed ends with the same model as an uninterrupted run.
func TestAutoencoderResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small autoencoders")
	}
	train, test := loadReal(t)
	test = test.Slice(0, 300)
	c := resumeCommon(t, 3)
	c.Budget = Budget{TrainImages: 1000, PretrainEpochs: 1, TopEpochs: 1, FineTuneEpochs: 1}
	dir := c.Checkpoint
	c.Checkpoint = ""
	o := AutoencoderOptions{Common: c, Sizes: []int{50, 20, 5}}
	a, _, _, err := RunAutoencoder(bg, train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Checkpoint = dir
	var b *AutoencoderResult
	kills := runKilled(t, &o.Common, func() error {
		var err error
		b, _, _, err = RunAutoencoder(bg, train, test, o)
		return err
	})
	if kills != 3*2+1 {
		t.Errorf("%d kills, want one per checkpoint (7)", kills)
	}
	if a.AutoencoderTestSqError != b.AutoencoderTestSqError || a.PretrainedTestSqError != b.PretrainedTestSqError {
		t.Errorf("resumed run differs: %+v vs %+v", a, b)
	}
}
