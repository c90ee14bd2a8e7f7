package mnist

import (
	"fmt"
	"time"

	"github.com/docsearch/docsearch/rbmstack"
)

// DBNOptions configure RunDBN.
type DBNOptions struct {
	Profile Profile
	Hidden  []int // lower layers; default 500-500
	Top     int   // top associative memory; default 2000
	// UpDownEpochs of up-down fine-tuning; default Profile.FineTuneEpochs
	// (the paper: 300).
	UpDownEpochs int
	Seed         uint64
	// Checkpoint, when set, is a folder where every stage (greedy RBMs,
	// top memory, up-down) is saved after every epoch; with Resume a
	// killed run continues from there (same options and seed give the
	// same model as an uninterrupted run). Without Resume a run first
	// deletes the checkpoints an earlier run of the same options left.
	Checkpoint string
	Resume     bool
}

// DBNResult is what RunDBN measured.
type DBNResult struct {
	TestError         float64 `json:"test_error"`
	TrainError        float64 `json:"train_error"`
	PretrainTestError float64 `json:"pretrain_test_error"`
	UpDownEpochs      int     `json:"updown_epochs"`
	Seconds           float64 `json:"seconds"`
}

// RunDBN trains the deep belief net of Hinton, Osindero & Teh (2006):
// greedy RBMs 784-500-500, a top RBM of 2000 units over the penultimate
// layer joined with 10 label units, then up-down fine-tuning with the
// paper's schedule of Gibbs steps in the top memory (3, then 6, then 10,
// each for a third of the epochs); the test
// error is that of the generative classifier (lowest free energy label).
func RunDBN(train, test *Set, o DBNOptions) (*DBNResult, *rbmstack.DBN, error) {
	start := time.Now()
	if len(o.Hidden) == 0 {
		o.Hidden = []int{500, 500}
	}
	if o.Top == 0 {
		o.Top = 2000
	}
	if o.UpDownEpochs == 0 {
		o.UpDownEpochs = o.Profile.FineTuneEpochs
	}
	tr := o.Profile.trainSet(train)
	x := data(tr)
	labels := make([]int, tr.N)
	for i, l := range tr.Labels {
		labels[i] = int(l)
	}
	sc := rbmstack.StackConfig{Visible: rbmstack.Binary}
	for i, h := range o.Hidden {
		sc.Layers = append(sc.Layers, rbmstack.LayerSpec{Hidden: h, Kind: rbmstack.Binary,
			Config: rbmstack.Config{Epochs: o.Profile.PretrainEpochs, LR: 0.1, InitStd: 0.1, Seed: o.Seed*1000 + uint64(i) + 1}})
	}
	ck, err := dbnCheckpoints(o, tr.Dim(), tr.N)
	if err != nil {
		return nil, nil, err
	}
	s, err := ck.trainStack("rbm", x, sc)
	if err != nil {
		return nil, nil, fmt.Errorf("pretraining: %w", err)
	}
	pen := s.Transform(x, len(s.Layers))
	top, err := ck.trainTop("top", pen, labels, 10, o.Top, rbmstack.Config{Epochs: o.Profile.PretrainEpochs, LR: 0.1, InitStd: 0.1, CDk: 3, Seed: o.Seed*1000 + 50})
	if err != nil {
		return nil, nil, fmt.Errorf("top memory: %w", err)
	}
	d, err := rbmstack.NewDBN(s.Layers, top)
	if err != nil {
		return nil, nil, err
	}
	res := &DBNResult{UpDownEpochs: o.UpDownEpochs}
	res.PretrainTestError = dbnError(d, test)
	if err := ck.upDown("updown", d, x, labels, rbmstack.UpDownConfig{Epochs: o.UpDownEpochs, LR: 0.01, CDkSchedule: []int{3, 6, 10}, Seed: o.Seed*1000 + 60}); err != nil {
		return nil, nil, err
	}
	res.TestError = dbnError(d, test)
	res.TrainError = dbnError(d, tr)
	res.Seconds = time.Since(start).Seconds()
	return res, d, nil
}

func dbnError(d *rbmstack.DBN, s *Set) float64 {
	pred := d.Classify(data(s))
	wrong := 0
	for i, p := range pred {
		if p != int(s.Labels[i]) {
			wrong++
		}
	}
	return float64(wrong) / float64(s.N)
}

// WriteDBNSamples draws `per` samples of each digit with its label clamped,
// `gibbs` alternating Gibbs iterations in the top memory between samples
// (the paper's Fig. 8 uses 1000), one row per digit.
func WriteDBNSamples(path string, d *rbmstack.DBN, per, gibbs int, seed uint64) error {
	var imgs [][]float32
	for c := 0; c < 10; c++ {
		s := d.Sample(c, 1, per, gibbs, seed)
		for i := 0; i < per; i++ {
			imgs = append(imgs, s.Row(i))
		}
	}
	return WriteGridScale(path, imgs, 10, per, Rows, Cols, 2)
}
