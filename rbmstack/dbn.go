package rbmstack

import (
	"errors"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// DBN is the deep belief net of Hinton, Osindero & Teh (2006): directed
// layers below an undirected top-level associative memory whose visible
// units are the penultimate layer joined with the class labels.
//
// After greedy training each lower layer has tied weights; the up-down
// algorithm unties them into recognition weights (Rec, used bottom-up with
// the hidden biases) and generative weights (Gen, used top-down with the
// visible biases).
type DBN struct {
	Rec, Gen []*RBM
	Top      *RBM // Labels > 0: the last Top.Labels visible units are the label
}

// NewDBN assembles a DBN from greedily trained lower layers and a top RBM
// with label units; the lower layers are copied into Rec and Gen.
func NewDBN(lower []*RBM, top *RBM) (*DBN, error) {
	if top.Labels < 2 {
		return nil, errors.New("rbmstack: the top RBM of a DBN needs label units")
	}
	d := &DBN{Top: top}
	width := 0
	for i, r := range lower {
		if r.Vis != Binary || r.Hid != Binary {
			return nil, fmt.Errorf("rbmstack: DBN layer %d must be binary-binary", i+1)
		}
		if i > 0 && r.NVis != lower[i-1].NHid {
			return nil, fmt.Errorf("rbmstack: DBN layer %d has %d visible units above %d hidden", i+1, r.NVis, lower[i-1].NHid)
		}
		d.Rec = append(d.Rec, r.Clone())
		d.Gen = append(d.Gen, r.Clone())
		width = r.NHid
	}
	if len(lower) > 0 && top.NVis-top.Labels != width {
		return nil, fmt.Errorf("rbmstack: the top RBM reads %d units, the layer below has %d", top.NVis-top.Labels, width)
	}
	return d, nil
}

// TrainTop trains the top RBM of a DBN on the penultimate representation
// joined with one-hot labels (Labels classes).
func TrainTop(pen *mat.Dense, labels []int, classes, hidden int, cfg Config) (*RBM, error) {
	return TrainTopFrom(pen, labels, classes, hidden, cfg, nil, nil)
}

// TrainTopFrom is TrainTop with checkpoints: partial (nil: start afresh) is
// the MarshalState of the top RBM's Trainer after an epoch of an earlier
// run with the same arguments, from which training continues to the RBM an
// uninterrupted run makes; onEpoch (may be nil) sees the Trainer after
// every epoch, e.g. to save its state.
func TrainTopFrom(pen *mat.Dense, labels []int, classes, hidden int, cfg Config, partial []byte, onEpoch func(t *Trainer, st EpochStats) error) (*RBM, error) {
	x := joinLabels(pen, labels, classes)
	cfg.EnsureDefaults()
	r := New(Binary, Binary, x.Cols, hidden, cfg.InitStd, cfg.Seed)
	r.Labels = classes
	r.InitVisBias(x)
	t, err := NewTrainer(r, cfg)
	if err != nil {
		return nil, err
	}
	if partial != nil {
		if err := t.RestoreState(partial); err != nil {
			return nil, fmt.Errorf("resuming the top rbm: %w", err)
		}
		if r.Labels != classes {
			return nil, fmt.Errorf("%w: the saved top rbm has %d labels, training one with %d", ErrMismatch, r.Labels, classes)
		}
	}
	var cb func(EpochStats) error
	if onEpoch != nil {
		cb = func(st EpochStats) error { return onEpoch(t, st) }
	}
	if err := t.Train(x, fmt.Sprintf("top rbm (%d+%d-%d)", pen.Cols, classes, hidden), cb); err != nil {
		return nil, err
	}
	return r, nil
}

func joinLabels(pen *mat.Dense, labels []int, classes int) *mat.Dense {
	w := pen.Cols + classes
	x := mat.NewDense(pen.Rows, w, make([]float32, pen.Rows*w))
	for i := 0; i < pen.Rows; i++ {
		copy(x.Data[i*w:], pen.Row(i))
		x.Data[i*w+pen.Cols+labels[i]] = 1
	}
	return x
}

// Up returns the recognition probabilities of the penultimate layer.
func (d *DBN) Up(data mat.Matrix) *mat.Dense {
	var cur mat.Matrix = data
	var out *mat.Dense
	for _, r := range d.Rec {
		out = r.Transform(cur)
		cur = out
	}
	if out == nil {
		n, c := data.Dims()
		out = mat.NewDense(n, c, make([]float32, n*c))
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		data.DenseRowsTo(out.Data, rows)
	}
	return out
}

// Classify returns, for every case of data, the label whose free energy in
// the top RBM is lowest given the penultimate recognition probabilities:
// F(x, c) = -b'x - b_c - sum_j log(1 + exp(a_j + x'W_j + W_cj)).
func (d *DBN) Classify(data mat.Matrix) []int {
	pen := d.Up(data)
	t := d.Top
	nb := t.NVis - t.Labels
	n := pen.Rows
	out := make([]int, n)
	const block = 500
	base := mat.New(block, t.NHid)
	wPen := mat.View(nb, t.NHid, t.W[:nb*t.NHid])
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		x := mat.View(hi-lo, nb, pen.Data[lo*nb:hi*nb])
		b := base.Resize(hi-lo, t.NHid)
		mat.Mul(b, x, false, wPen, false, 1, 0)
		mat.AddRowVec(b, t.HidBias)
		for i := 0; i < hi-lo; i++ {
			row := b.Row(i)
			best, bestF := 0, math.Inf(1)
			for c := 0; c < t.Labels; c++ {
				wc := t.W[(nb+c)*t.NHid : (nb+c+1)*t.NHid]
				f := -float64(t.VisBias[nb+c])
				for j, v := range row {
					f -= softplus(float64(v + wc[j]))
				}
				if f < bestF {
					best, bestF = c, f
				}
			}
			out[lo+i] = best
		}
	}
	return out
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

// UpDownConfig sets the up-down fine-tuning.
type UpDownConfig struct {
	Epochs    int     // default 10
	BatchSize int     // default 100
	LR        float32 // default 0.01 (constant)
	CDk       int     // Gibbs steps in the top memory; default 3
	// CDkSchedule, when set, replaces CDk with a number of Gibbs steps per
	// equal part of the epochs: {3, 6, 10} is the schedule of Hinton,
	// Osindero & Teh (2006), 3 steps in the first third, 6 in the second
	// and 10 in the last.
	CDkSchedule []int
	Seed        uint64
}

// cdk returns the Gibbs steps of epoch (1-based).
func (cfg *UpDownConfig) cdk(epoch int) int {
	s := cfg.CDkSchedule
	if len(s) == 0 {
		return cfg.CDk
	}
	return s[min(len(s)-1, (epoch-1)*len(s)/max(1, cfg.Epochs))]
}

// EnsureDefaults fills zero fields with their defaults.
func (cfg *UpDownConfig) EnsureDefaults() {
	if cfg.Epochs == 0 {
		cfg.Epochs = 10
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 100
	}
	if cfg.LR == 0 {
		cfg.LR = 0.01
	}
	if cfg.CDk == 0 {
		cfg.CDk = 3
	}
}

// UpDown fine-tunes d with the up-down algorithm (contrastive wake-sleep,
// Hinton, Osindero & Teh 2006, section 5 and appendix B): a stochastic
// bottom-up pass with the recognition weights adjusts the generative
// weights to reconstruct each layer from the one above; CD-k in the top
// memory with the label clamped at the start; a stochastic top-down pass
// from the top's negative sample adjusts the recognition weights to
// recover each layer from the one below. onEpoch (may be nil) is called
// after every epoch (1-based); an error from it stops training. An
// UpDownTrainer does the same and can be checkpointed between epochs.
func (d *DBN) UpDown(data mat.Matrix, labels []int, cfg UpDownConfig, onEpoch func(epoch int) error) error {
	return NewUpDownTrainer(d, cfg).Train(data, labels, onEpoch)
}

// UpDownTrainer runs the up-down fine-tuning of a DBN (see DBN.UpDown)
// epoch by epoch. It holds the random stream and the number of finished
// epochs, so that MarshalState after an epoch and RestoreState into a
// fresh trainer of the same DBN continue exactly where training stopped.
type UpDownTrainer struct {
	D   *DBN
	Cfg UpDownConfig

	src   *rng.Source
	epoch int
}

// NewUpDownTrainer prepares to fine-tune d with cfg (defaults applied).
func NewUpDownTrainer(d *DBN, cfg UpDownConfig) *UpDownTrainer {
	cfg.EnsureDefaults()
	return &UpDownTrainer{D: d, Cfg: cfg, src: rng.New(cfg.Seed, 3)}
}

// Epoch returns the number of finished epochs.
func (u *UpDownTrainer) Epoch() int { return u.epoch }

// Train runs the remaining epochs of up-down fine-tuning on data with its
// labels, calling onEpoch (may be nil) with the epoch number (1-based)
// after each; an error from onEpoch stops training and is returned.
func (u *UpDownTrainer) Train(data mat.Matrix, labels []int, onEpoch func(epoch int) error) error {
	d, cfg, src := u.D, u.Cfg, u.src
	n, _ := data.Dims()
	if len(labels) != n {
		return fmt.Errorf("rbmstack: %d labels for %d cases", len(labels), n)
	}
	if cfg.CDk < 1 || cfg.CDk > 1000 {
		return fmt.Errorf("rbmstack: up-down CDk must be in [1, 1000], got %d", cfg.CDk)
	}
	for _, k := range cfg.CDkSchedule {
		if k < 1 || k > 1000 {
			return fmt.Errorf("rbmstack: up-down CDkSchedule %v: every entry must be in [1, 1000]", cfg.CDkSchedule)
		}
	}
	L := len(d.Rec)
	t := d.Top
	nb := t.NVis - t.Labels
	B := cfg.BatchSize
	// wake[l] holds the states of layer l on the way up (wake[0] = data).
	wake := make([]mat.Dense, L+1)
	sleep := make([]mat.Dense, L+1)
	pred := make([]mat.Dense, L+1)
	wake[0] = mat.New(B, d.widthBelow(0))
	sleep[0] = mat.New(B, d.widthBelow(0))
	pred[0] = mat.New(B, d.widthBelow(0))
	for l := 0; l < L; l++ {
		wake[l+1] = mat.New(B, d.Rec[l].NHid)
		sleep[l+1] = mat.New(B, d.Rec[l].NHid)
		pred[l+1] = mat.New(B, d.Rec[l].NHid)
	}
	topV := mat.New(B, t.NVis)
	negV := mat.New(B, t.NVis)
	topH := mat.New(B, t.NHid)
	topHS := mat.New(B, t.NHid)
	negH := mat.New(B, t.NHid)
	gradTop := mat.New(t.NVis, t.NHid)
	gb := make([]float32, t.NVis)
	ga := make([]float32, t.NHid)
	perm := make([]int, n)
	rows := make([]int, 0, B)
	w := make([]mat.Dense, L+1) // this batch's views of wake and sleep
	s := make([]mat.Dense, L+1)
	for epoch := u.epoch + 1; epoch <= cfg.Epochs; epoch++ {
		cdk := cfg.cdk(epoch)
		bar := progress.New(fmt.Sprintf("up-down epoch %d/%d (CD-%d)", epoch, cfg.Epochs, cdk), int64(n), "cases")
		src.Perm(perm)
		for lo := 0; lo < n; lo += B {
			hi := min(lo+B, n)
			rows = append(rows[:0], perm[lo:hi]...)
			b := hi - lo
			lr := cfg.LR / float32(b)
			for l := range w {
				w[l] = wake[l].Resize(b, wake[l].Cols)
			}
			data.DenseRowsTo(w[0].Data, rows)
			// Wake: stochastic up-pass with the recognition weights.
			for l := 0; l < L; l++ {
				d.Rec[l].HidMeans(w[l], nil, w[l+1])
				sampleBernoulli(w[l+1], w[l+1], src.Uint64())
			}
			// Top: positive phase with the label, CD-k.
			tv := topV.Resize(b, t.NVis)
			for i := 0; i < b; i++ {
				row := tv.Row(i)
				copy(row, w[L].Row(i))
				clear(row[nb:])
				row[nb+labels[rows[i]]] = 1
			}
			th, ths := topH.Resize(b, t.NHid), topHS.Resize(b, t.NHid)
			t.HidMeans(tv, nil, th)
			t.sampleHid(ths, th, src.Uint64())
			nv, nh := negV.Resize(b, t.NVis), negH.Resize(b, t.NHid)
			for k := 0; k < cdk; k++ {
				t.VisMeans(ths, nv)
				t.sampleVisLabels(nv, nv, src.Uint64())
				t.HidMeans(nv, nil, nh)
				if k < cdk-1 {
					t.sampleHid(ths, nh, src.Uint64())
				}
			}
			mat.Mul(gradTop, tv, true, th, false, 1, 0)
			mat.Mul(gradTop, nv, true, nh, false, -1, 1)
			mat.ColSumsTo(gb, tv, 1, 0)
			mat.ColSumsTo(gb, nv, -1, 1)
			mat.ColSumsTo(ga, th, 1, 0)
			mat.ColSumsTo(ga, nh, -1, 1)
			mat.Axpy(lr, gradTop.Data, t.W)
			mat.Axpy(lr, gb, t.VisBias)
			mat.Axpy(lr, ga, t.HidBias)
			// Sleep: stochastic down-pass from the top's negative sample.
			for l := range s {
				s[l] = sleep[l].Resize(b, sleep[l].Cols)
			}
			for i := 0; i < b; i++ {
				copy(s[L].Row(i), nv.Row(i)[:nb])
			}
			for l := L - 1; l >= 0; l-- {
				d.Gen[l].VisMeans(s[l+1], s[l])
				if l > 0 {
					sampleBernoulli(s[l], s[l], src.Uint64())
				}
			}
			// Generative weights learn to reconstruct wake states from above:
			// dGen_l = wake_{l+1}' (wake_l - p(wake_l | wake_{l+1})).
			for l := 0; l < L; l++ {
				p := pred[l].Resize(b, pred[l].Cols)
				d.Gen[l].VisMeans(w[l+1], p)
				mat.Sub(p.Data, w[l].Data, p.Data)
				g := d.Gen[l]
				mat.Mul(mat.View(g.NVis, g.NHid, g.W), p, true, w[l+1], false, lr, 1)
				mat.ColSumsTo(g.VisBias, p, lr, 1)
			}
			// Recognition weights learn to recover sleep states from below:
			// dRec_l = sleep_l' (sleep_{l+1} - p(sleep_{l+1} | sleep_l)).
			for l := 0; l < L; l++ {
				p := pred[l+1].Resize(b, pred[l+1].Cols)
				r := d.Rec[l]
				r.HidMeans(s[l], nil, p)
				mat.Sub(p.Data, s[l+1].Data, p.Data)
				mat.Mul(mat.View(r.NVis, r.NHid, r.W), s[l], true, p, false, lr, 1)
				mat.ColSumsTo(r.HidBias, p, lr, 1)
			}
			bar.Add(int64(b))
		}
		bar.Finish()
		u.epoch = epoch
		for _, r := range append(append([]*RBM{t}, d.Rec...), d.Gen...) {
			if r.check() != nil {
				return fmt.Errorf("%w: up-down epoch %d: NaN or Inf in the weights", ErrDiverged, epoch)
			}
		}
		if onEpoch != nil {
			if err := onEpoch(epoch); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *DBN) widthBelow(l int) int {
	if l < len(d.Rec) {
		return d.Rec[l].NVis
	}
	return d.Top.NVis - d.Top.Labels
}

// Sample draws samples with label c clamped: `count` persistent chains in
// the top memory, gibbs alternating Gibbs steps before each sample is taken,
// then a top-down pass of generative probabilities. It returns `samples`
// rounds of `count` images each, as rows of one matrix.
func (d *DBN) Sample(c, count, samples, gibbs int, seed uint64) *mat.Dense {
	t := d.Top
	nb := t.NVis - t.Labels
	src := rng.New(seed, uint64(c)+11)
	v := mat.New(count, t.NVis)
	h := mat.New(count, t.NHid)
	for i := range v.Data {
		v.Data[i] = b2f(src.Float64() < 0.5)
	}
	clamp := func() {
		for i := 0; i < count; i++ {
			row := v.Row(i)
			clear(row[nb:])
			row[nb+c] = 1
		}
	}
	out := mat.NewDense(samples*count, d.widthBelow(0), make([]float32, samples*count*d.widthBelow(0)))
	for s := 0; s < samples; s++ {
		for g := 0; g < gibbs; g++ {
			clamp()
			t.HidMeans(v, nil, h)
			sampleBernoulli(h, h, src.Uint64())
			t.VisMeans(h, v)
			sampleBernoulli(mat.View(count, t.NVis, v.Data), v, src.Uint64())
		}
		clamp()
		cur := mat.New(count, nb)
		for i := 0; i < count; i++ {
			copy(cur.Row(i), v.Row(i)[:nb])
		}
		for l := len(d.Gen) - 1; l >= 0; l-- {
			below := mat.New(count, d.Gen[l].NVis)
			d.Gen[l].VisMeans(cur, below)
			if l > 0 {
				sampleBernoulli(below, below, src.Uint64())
			}
			cur = below
		}
		copy(out.Data[s*count*cur.Cols:], cur.Data)
	}
	return out
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}
