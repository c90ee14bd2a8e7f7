package mnist

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/rbmstack"
)

// The tests below run a tiny experiment once without checkpoints, then
// again with a checkpoint folder, killed right after every checkpoint it
// writes (a hook error stands in for kill -9: only the files survive) and
// resumed, until a run completes: every stage is thus resumed from every
// epoch it saves, and the final model must be bit-identical.

var errKilled = errors.New("killed")

// resumeProfile is small enough for a dozen runs in a few seconds.
var resumeProfile = Profile{Name: "resume", TrainImages: 300, PretrainEpochs: 2, TopEpochs: 2, FineTuneEpochs: 2}

// runKilled calls run (with resume false the first time, then true), each
// call killed after its first checkpoint, until one completes; it returns
// the number of kills.
func runKilled(t *testing.T, run func(resume bool) error) int {
	t.Helper()
	afterSave = func(string) error { return errKilled }
	defer func() { afterSave = nil }()
	for k := 0; k < 100; k++ {
		err := run(k > 0)
		if err == nil {
			return k
		}
		if !errors.Is(err, errKilled) {
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
		init  string
		saves int // checkpoints an uninterrupted run writes
	}{
		{"rbm", 2*3 + 2},         // 2 RBMs x (2 epochs + layer), 2 fine-tuning epochs
		{"autoencoder", 2*2 + 2}, // 2 greedy layers x 2 epochs, 2 fine-tuning epochs
		{"none", 2},
	} {
		t.Run(tc.init, func(t *testing.T) {
			o := DNNOptions{Profile: resumeProfile, Hidden: []int{20, 15}, Init: tc.init, Seed: 2}
			want, wantNet, err := RunDNN(train, test, o)
			if err != nil {
				t.Fatal(err)
			}
			wantBytes, _ := wantNet.MarshalBinary()
			o.Checkpoint = t.TempDir()
			var got *DNNResult
			var gotBytes []byte
			kills := runKilled(t, func(resume bool) error {
				o.Resume = resume
				res, net, err := RunDNN(train, test, o)
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

			// A fresh run (no Resume) starts over: the first checkpoint it
			// writes is the only file left of this run.
			afterSave = func(string) error { return errKilled }
			defer func() { afterSave = nil }()
			o.Resume = false
			if _, _, err := RunDNN(train, test, o); !errors.Is(err, errKilled) {
				t.Fatalf("fresh run: %v", err)
			}
			if names := checkpointFiles(t, o.Checkpoint); len(names) != 1 {
				t.Errorf("after a fresh run's first checkpoint the folder holds %v", names)
			}
		})
	}
	if _, _, err := RunDNN(train, test, DNNOptions{Profile: resumeProfile, Hidden: []int{20}, Init: "none", Resume: true}); err == nil || !strings.Contains(err.Error(), "Checkpoint") {
		t.Errorf("Resume without Checkpoint: %v", err)
	}
}

func dbnParams(d *rbmstack.DBN) [][]float32 {
	var out [][]float32
	for _, r := range append(append([]*rbmstack.RBM{d.Top}, d.Rec...), d.Gen...) {
		out = append(out, r.W, r.VisBias, r.HidBias)
	}
	return out
}

func TestDBNResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small deep belief nets a dozen times")
	}
	train, test := loadReal(t)
	test = test.Slice(0, 200)
	o := DBNOptions{Profile: resumeProfile, Hidden: []int{20, 15}, Top: 30, Seed: 3}
	want, wantD, err := RunDBN(train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Checkpoint = t.TempDir()
	var got *DBNResult
	var gotD *rbmstack.DBN
	kills := runKilled(t, func(resume bool) error {
		o.Resume = resume
		var err error
		got, gotD, err = RunDBN(train, test, o)
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
	if len(names) != 3 || !strings.HasPrefix(names[0], "dbn-resume-784-20-15-top30-ud2-seed3-n300.") {
		t.Errorf("checkpoint files %v", names)
	}
}

func TestDBMResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small deep Boltzmann machines a dozen times")
	}
	train, test := loadReal(t)
	test = test.Slice(0, 200)
	o := DBMOptions{Profile: resumeProfile, Sizes: []int{20, 30}, AISRuns: 5, AISBetas: 100, Seed: 4}
	want, wantD, err := RunDBM(train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Checkpoint = t.TempDir()
	var got *DBMResult
	var gotD *rbmstack.DBM
	kills := runKilled(t, func(resume bool) error {
		o.Resume = resume
		var err error
		got, gotD, err = RunDBM(train, test, o)
		return err
	})
	// 2 RBMs x (2 epochs + layer), 2 joint epochs, 2 fine-tuning epochs.
	if kills != 2*3+2+2 {
		t.Errorf("%d kills, want one per checkpoint (10)", kills)
	}
	for l := range wantD.W {
		if !sameFloats(wantD.W[l], gotD.W[l]) {
			t.Fatalf("resumed DBM differs from the uninterrupted one (W[%d])", l)
		}
	}
	for l := range wantD.B {
		if !sameFloats(wantD.B[l], gotD.B[l]) {
			t.Fatalf("resumed DBM differs from the uninterrupted one (B[%d])", l)
		}
	}
	if !sameFloats(got.Particles.Data, want.Particles.Data) {
		t.Error("resumed persistent chains differ from the uninterrupted ones")
	}
	if got.TestError != want.TestError || got.TestLogProb != want.TestLogProb || got.LogZ != want.LogZ {
		t.Errorf("resumed run differs: %+v, uninterrupted %+v", got, want)
	}
	if names := checkpointFiles(t, o.Checkpoint); len(names) != 3 || filepath.Ext(names[0]) != ".finetune" {
		t.Errorf("checkpoint files %v", names)
	}
}
