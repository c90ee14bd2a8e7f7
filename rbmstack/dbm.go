package rbmstack

import (
	"errors"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// DBM is a deep Boltzmann machine of binary units (Salakhutdinov & Hinton,
// "Deep Boltzmann machines", AISTATS 2009): layers h^0 = v, h^1, ..., h^L
// of Sizes[l] units, weights W[l] (Sizes[l] x Sizes[l+1], row-major)
// between layers l and l+1 and biases B[l] (Sizes[l]) of layer l, with the
// energy
//
//	E(h) = -sum_{l<L} h^l' W[l] h^{l+1} - sum_l B[l]' h^l.
//
// Every connection is undirected, so a unit hears both neighbouring layers:
// p(h^l_j = 1 | rest) = sigmoid((h^{l-1} W[l-1])_j + (W[l] h^{l+1})_j + B[l]_j).
// Given the odd layers the even layers are independent and vice versa,
// which the Gibbs sampler and AIS (ais.go) exploit. The DBM owns its
// parameter slices; trainers update them in place.
type DBM struct {
	Sizes []int
	W     [][]float32 // W[l]: Sizes[l] x Sizes[l+1]
	B     [][]float32 // B[l]: Sizes[l]
}

// NewDBM returns a DBM with layer widths sizes (visible first, at least two
// entries), weights from N(0, std^2) drawn with seed and zero biases.
func NewDBM(sizes []int, std float32, seed uint64) *DBM {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("rbmstack: NewDBM with %d layers", len(sizes)))
	}
	d := &DBM{Sizes: append([]int(nil), sizes...)}
	src := rng.New(seed, 0xdb)
	for l, n := range sizes {
		if n <= 0 {
			panic(fmt.Sprintf("rbmstack: NewDBM layer %d has %d units", l, n))
		}
		d.B = append(d.B, make([]float32, n))
		if l+1 < len(sizes) {
			w := make([]float32, n*sizes[l+1])
			for i := range w {
				w[i] = float32(src.Norm()) * std
			}
			d.W = append(d.W, w)
		}
	}
	return d
}

// Layers returns L, the number of hidden layers.
func (d *DBM) Layers() int { return len(d.Sizes) - 1 }

// weights returns W[l] as a matrix view.
func (d *DBM) weights(l int) mat.Dense { return mat.View(d.Sizes[l], d.Sizes[l+1], d.W[l]) }

// Clone returns a deep copy of d.
func (d *DBM) Clone() *DBM {
	c := &DBM{Sizes: append([]int(nil), d.Sizes...)}
	for _, w := range d.W {
		c.W = append(c.W, append([]float32(nil), w...))
	}
	for _, b := range d.B {
		c.B = append(c.B, append([]float32(nil), b...))
	}
	return c
}

// check returns ErrDiverged if a parameter is NaN or infinite.
func (d *DBM) check() error {
	for _, p := range append(append([][]float32(nil), d.W...), d.B...) {
		if mat.HasNaN(p) {
			return ErrDiverged
		}
	}
	return nil
}

// validate panics unless the shapes of d agree (a programmer mistake).
func (d *DBM) validate() {
	if len(d.Sizes) < 2 || len(d.W) != len(d.Sizes)-1 || len(d.B) != len(d.Sizes) {
		panic(fmt.Sprintf("rbmstack: DBM with %d sizes, %d weight matrices, %d bias vectors", len(d.Sizes), len(d.W), len(d.B)))
	}
	for l, n := range d.Sizes {
		if len(d.B[l]) != n || (l < len(d.W) && len(d.W[l]) != n*d.Sizes[l+1]) {
			panic(fmt.Sprintf("rbmstack: DBM layer %d does not match its size %d", l, n))
		}
	}
}

// condInput sets dst to the total input of layer l given the states (or
// means) s of its neighbours, scaled by beta:
// beta*(s[l-1] W[l-1] + s[l+1] W[l]' + B[l]). s[l] itself is not read.
func (d *DBM) condInput(l int, s []mat.Dense, beta float32, dst mat.Dense) {
	L := d.Layers()
	first := true
	if l > 0 {
		mat.Mul(dst, s[l-1], false, d.weights(l-1), false, beta, 0)
		first = false
	}
	if l < L {
		b := float32(1)
		if first {
			b = 0
		}
		mat.Mul(dst, s[l+1], false, d.weights(l), true, beta, b)
	}
	if beta == 1 {
		mat.AddRowVec(dst, d.B[l])
		return
	}
	for i := 0; i < dst.Rows; i++ {
		mat.Axpy(beta, d.B[l], dst.Row(i))
	}
}

// Pretraining: the modified RBMs of section 3.1.

// scaledHidMeans sets h = sigmoid(up * v W + a), the hidden means of an RBM
// whose bottom-up weights are up times the top-down ones (up = 2 in the
// bottom RBM of a DBM, Salakhutdinov & Hinton 2009, eq. 11).
func scaledHidMeans(r *RBM, v mat.Dense, up float32, h mat.Dense) {
	mat.Mul(h, v, false, r.weights(), false, up, 0)
	mat.AddRowVec(h, r.HidBias)
	mat.Sigmoid(h.Data)
}

// scaledVisMeans sets v = sigmoid(down * h W' + b) (down = 2 in the top RBM
// of a DBM, eq. 13).
func scaledVisMeans(r *RBM, h mat.Dense, down float32, v mat.Dense) {
	mat.Mul(v, h, false, r.weights(), true, down, 0)
	mat.AddRowVec(v, r.VisBias)
	mat.Sigmoid(v.Data)
}

// scaledTransform returns sigmoid(up * x W + a) for every case of data.
func scaledTransform(r *RBM, data mat.Matrix, up float32) *mat.Dense {
	n, d := data.Dims()
	out := mat.NewDense(n, r.NHid, make([]float32, n*r.NHid))
	const block = 500
	buf := mat.New(block, d)
	rows := make([]int, 0, block)
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		rows = rows[:0]
		for i := lo; i < hi; i++ {
			rows = append(rows, i)
		}
		x := buf.Resize(hi-lo, d)
		data.DenseRowsTo(x.Data, rows)
		scaledHidMeans(r, x, up, mat.View(hi-lo, r.NHid, out.Data[lo*r.NHid:hi*r.NHid]))
	}
	return out
}

// trainScaled trains t.R, a binary-binary RBM, by CD-k whose hidden input
// is up*(v W) + a and whose visible input is down*(h W') + b. Each minibatch
// draws binary states from the data (read as probabilities). The update is
// the usual <v h>_data - <v h>_recon with t.Cfg's momentum, weight decay and
// optional annealing; Persistent and SampleVisible are ignored. Training
// runs from t's epoch on with t's momentum buffers and random stream, so
// that t's MarshalState and RestoreState checkpoint it.
func trainScaled(t *Trainer, data mat.Matrix, up, down float32, label string, onEpoch func(EpochStats) error) error {
	r, cfg := t.R, t.Cfg
	n, d := data.Dims()
	if d != r.NVis {
		return fmt.Errorf("rbmstack: %s: data has %d columns, the RBM %d visible units", label, d, r.NVis)
	}
	if n == 0 {
		return fmt.Errorf("rbmstack: %s: no training cases", label)
	}
	B := cfg.BatchSize
	src := t.src
	incW, incB, incA := t.incW, t.incB, t.incA
	gradW := mat.New(r.NVis, r.NHid)
	gradB, gradA := make([]float32, r.NVis), make([]float32, r.NHid)
	v0b, v1b := mat.New(B, r.NVis), mat.New(B, r.NVis)
	h0b, hsb, h1b := mat.New(B, r.NHid), mat.New(B, r.NHid), mat.New(B, r.NHid)
	perm := make([]int, n)
	nb := (n + B - 1) / B
	for epoch := t.epoch; epoch < cfg.Epochs; epoch++ {
		bar := progress.New(fmt.Sprintf("%s epoch %d/%d", label, epoch+1, cfg.Epochs), int64(n), "cases")
		src.Perm(perm)
		var recon float64
		for b := 0; b < nb; b++ {
			lo, hi := b*B, min((b+1)*B, n)
			m := hi - lo
			v0, v1 := v0b.Resize(m, r.NVis), v1b.Resize(m, r.NVis)
			h0, hs, h1 := h0b.Resize(m, r.NHid), hsb.Resize(m, r.NHid), h1b.Resize(m, r.NHid)
			data.DenseRowsTo(v0.Data, perm[lo:hi])
			sampleBernoulli(v0, v0, src.Uint64())
			scaledHidMeans(r, v0, up, h0)
			copy(h1.Data, h0.Data)
			for k := 0; k < cfg.CDk; k++ {
				sampleBernoulli(hs, h1, src.Uint64())
				scaledVisMeans(r, hs, down, v1)
				if k == 0 {
					recon += r.reconError(v0, v1)
				}
				scaledHidMeans(r, v1, up, h1)
			}
			inv := 1 / float32(m)
			mat.Mul(gradW, v0, true, h0, false, inv, 0)
			mat.Mul(gradW, v1, true, h1, false, -inv, 1)
			mat.ColSumsTo(gradB, v0, inv, 0)
			mat.ColSumsTo(gradB, v1, -inv, 1)
			mat.ColSumsTo(gradA, h0, inv, 0)
			mat.ColSumsTo(gradA, h1, -inv, 1)
			scale := float32(1)
			if cfg.Anneal {
				scale = 1 - (float32(epoch)+float32(b)/float32(nb))/float32(cfg.Epochs)
			}
			mom := cfg.Momentum
			if epoch >= cfg.MomentumEpochs {
				mom = cfg.FinalMomentum
			}
			update(r.W, incW, gradW.Data, mom, cfg.LR*scale, cfg.WeightDecay)
			update(r.VisBias, incB, gradB, mom, cfg.LR*scale, 0)
			update(r.HidBias, incA, gradA, mom, cfg.LRHidBias*scale, 0)
			bar.Add(int64(m))
		}
		recon /= float64(n)
		t.epoch = epoch + 1
		bar.SetSuffix("recon %.4g", recon)
		bar.Finish()
		if math.IsNaN(recon) || math.IsInf(recon, 0) || r.check() != nil {
			return fmt.Errorf("%w: %s epoch %d: NaN or Inf in the weights or reconstruction error (lower the learning rate)", ErrDiverged, label, epoch+1)
		}
		if onEpoch != nil {
			if err := onEpoch(EpochStats{Epoch: epoch + 1, Recon: recon}); err != nil {
				return err
			}
		}
	}
	return nil
}

// PretrainDBM trains the layers of a DBM of widths sizes (visible first)
// greedily, as in Salakhutdinov & Hinton (2009), section 3.1, and composes
// them. With two or more hidden layers the bottom RBM counts its bottom-up
// weights twice, p(h^1|v) = sigmoid(2 v W + a), p(v|h^1) = sigmoid(h^1 W' + b)
// (eq. 11-12), and the top RBM its top-down weights twice,
// p(h^{L-1}|h^L) = sigmoid(2 h^L W' + b), p(h^L|h^{L-1}) = sigmoid(h^{L-1} W + a)
// (eq. 13-14); middle RBMs are plain. Each RBM's data are the hidden means
// (with its doubling) of the one below, drawn as binary states per
// minibatch. In the composed DBM every weight is used once (the doubling
// stood in for the input a layer gets from the layer it does not see in
// pretraining); a hidden layer shared by two RBMs gets the mean of their
// two biases, the geometric average of the two models' conditionals.
//
// cfg applies to every RBM (layer l draws with seed cfg.Seed + l);
// onEpoch (may be nil) observes each epoch of each layer.
func PretrainDBM(data mat.Matrix, sizes []int, cfg Config, onEpoch func(layer int, st EpochStats) error) (*DBM, error) {
	var hooks Hooks
	if onEpoch != nil {
		hooks.Epoch = func(l int, _ *Trainer, st EpochStats) error { return onEpoch(l, st) }
	}
	return PretrainDBMFrom(data, sizes, cfg, nil, hooks)
}

// PretrainDBMFrom is PretrainDBM with checkpoints, as TrainStack: ck (may be
// nil) holds the RBMs finished earlier, bottom first, in ck.Stack and, when
// the next one was cut short, its trainer's state in ck.Partial; training
// continues from there and ends with the DBM an uninterrupted run makes.
// hooks.Epoch sees each layer's Trainer after every epoch and hooks.Layer
// the finished RBMs after every layer, so CheckpointHooks and
// ReadCheckpoint save and load the progress. The RBMs of a DBM checkpoint
// are the modified ones of section 3.1, not a greedy Stack's.
func PretrainDBMFrom(data mat.Matrix, sizes []int, cfg Config, ck *Checkpoint, hooks Hooks) (*DBM, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("rbmstack: a DBM needs a visible and a hidden layer, got sizes %v", sizes)
	}
	for l, s := range sizes {
		if s < 1 || s > maxUnits {
			return nil, fmt.Errorf("rbmstack: DBM layer %d: size must be in [1, %d], got %d", l, maxUnits, s)
		}
	}
	if _, d := data.Dims(); d != sizes[0] {
		return nil, fmt.Errorf("rbmstack: data have %d columns, the DBM %d visible units", d, sizes[0])
	}
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	L := len(sizes) - 1
	rbms := make([]*RBM, L)
	var partial []byte
	if ck != nil {
		if ck.Stack != nil {
			if len(ck.Stack.Layers) > L {
				return nil, fmt.Errorf("rbmstack: resume holds %d DBM layers, the DBM has %d", len(ck.Stack.Layers), L)
			}
			for l, r := range ck.Stack.Layers {
				if r.Vis != Binary || r.Hid != Binary || r.Labels != 0 || r.NVis != sizes[l] || r.NHid != sizes[l+1] {
					return nil, fmt.Errorf("rbmstack: resume DBM layer %d is a %s %d-%d %s RBM, the DBM asks binary %d-%d binary", l+1, r.Vis, r.NVis, r.NHid, r.Hid, sizes[l], sizes[l+1])
				}
				rbms[l] = r
			}
		}
		partial = ck.Partial
	}
	cur := data
	for l := 0; l < L; l++ {
		up, down := float32(1), float32(1)
		if L > 1 && l == 0 {
			up = 2
		}
		if L > 1 && l == L-1 {
			down = 2
		}
		r := rbms[l]
		if r == nil {
			c := cfg
			c.Seed = cfg.Seed + uint64(l)
			r = New(Binary, Binary, sizes[l], sizes[l+1], c.InitStd, c.Seed)
			r.InitVisBias(cur)
			t, err := NewTrainer(r, c)
			if err != nil {
				return nil, err
			}
			if partial != nil { // the first layer to train was cut short
				if err := t.RestoreState(partial); err != nil {
					return nil, fmt.Errorf("resuming dbm rbm %d: %w", l+1, err)
				}
				partial = nil
			}
			label := fmt.Sprintf("dbm rbm %d (%d-%d)", l+1, sizes[l], sizes[l+1])
			var cb func(EpochStats) error
			if hooks.Epoch != nil {
				cb = func(st EpochStats) error { return hooks.Epoch(l, t, st) }
			}
			if err := trainScaled(t, cur, up, down, label, cb); err != nil {
				return nil, err
			}
			rbms[l] = r
			if hooks.Layer != nil {
				if err := hooks.Layer(l, &Stack{Layers: rbms[:l+1]}); err != nil {
					return nil, err
				}
			}
		}
		if l+1 < L {
			cur = scaledTransform(r, cur, up)
		}
	}
	return ComposeDBM(rbms)
}

// ComposeDBM builds a DBM from a stack of binary-binary RBMs, each one's
// hidden layer the next one's visible layer: W[l] is RBM l's weights, the
// visible and top biases are taken as they are, and a hidden layer between
// two RBMs gets the mean of the lower one's hidden and the upper one's
// visible biases.
func ComposeDBM(rbms []*RBM) (*DBM, error) {
	if len(rbms) == 0 {
		return nil, errors.New("rbmstack: ComposeDBM of no RBMs")
	}
	d := &DBM{Sizes: []int{rbms[0].NVis}}
	d.B = append(d.B, append([]float32(nil), rbms[0].VisBias...))
	for l, r := range rbms {
		if r.Vis != Binary || r.Hid != Binary || r.Labels != 0 {
			return nil, fmt.Errorf("rbmstack: DBM layer %d must be a binary-binary RBM without labels", l+1)
		}
		if r.NVis != d.Sizes[l] {
			return nil, fmt.Errorf("rbmstack: DBM layer %d has %d visible units above %d hidden", l+1, r.NVis, d.Sizes[l])
		}
		if l > 0 {
			b := d.B[l]
			for i := range b {
				b[i] = (b[i] + r.VisBias[i]) / 2
			}
		}
		d.Sizes = append(d.Sizes, r.NHid)
		d.W = append(d.W, append([]float32(nil), r.W...))
		d.B = append(d.B, append([]float32(nil), r.HidBias...))
	}
	return d, nil
}

// Inference.

// dbmWork holds mean-field scratch.
type dbmWork struct {
	bottom mat.Dense   // v W[0], fixed during the iterations
	tmp    []mat.Dense // per layer, the new means
}

func (ws *dbmWork) ensure(d *DBM, rows int) {
	if len(ws.tmp) != len(d.Sizes) {
		ws.tmp = make([]mat.Dense, len(d.Sizes))
	}
	ws.bottom = ws.bottom.Resize(rows, d.Sizes[1])
	for l := 1; l < len(d.Sizes); l++ {
		ws.tmp[l] = ws.tmp[l].Resize(rows, d.Sizes[l])
	}
}

// MeanFieldInit sets mu[l-1] (rows x Sizes[l], l = 1..L) to the bottom-up
// initialisation of Salakhutdinov & Hinton (2009): every hidden layer below
// the top gets sigmoid(2 mu^{l-1} W[l-1] + B[l]), the doubled input standing
// in for the top-down input it lacks; the top gets its single input.
func (d *DBM) MeanFieldInit(v mat.Dense, mu []mat.Dense) {
	L := d.Layers()
	below := v
	for l := 1; l <= L; l++ {
		f := float32(2)
		if l == L {
			f = 1
		}
		m := mu[l-1]
		mat.Mul(m, below, false, d.weights(l-1), false, f, 0)
		mat.AddRowVec(m, d.B[l])
		mat.Sigmoid(m.Data)
		below = m
	}
}

// MeanField computes the factorial posterior q(h|v) = prod_l prod_j mu^l_j
// (eq. 8 of the paper, generalised to L layers): starting from
// MeanFieldInit it applies iters sweeps of the fixed-point equations
//
//	mu^l = sigmoid(mu^{l-1} W[l-1] + mu^{l+1} W[l]' + B[l]),  mu^0 = v,
//
// updating the layers in order 1..L with the newest values (each layer
// update maximises the variational bound given the others, so the bound
// never decreases). mu[l-1] holds layer l (rows x Sizes[l]). It returns the
// largest absolute change of a mean in the last sweep.
func (d *DBM) MeanField(v mat.Dense, mu []mat.Dense, iters int) float64 {
	var ws dbmWork
	return d.meanField(v, mu, iters, &ws)
}

func (d *DBM) meanField(v mat.Dense, mu []mat.Dense, iters int, ws *dbmWork) float64 {
	d.validate()
	L := d.Layers()
	if len(mu) != L || v.Cols != d.Sizes[0] {
		panic(fmt.Sprintf("rbmstack: MeanField with %d posteriors for %d layers, %d inputs for %d units", len(mu), L, v.Cols, d.Sizes[0]))
	}
	ws.ensure(d, v.Rows)
	d.MeanFieldInit(v, mu)
	mat.Mul(ws.bottom, v, false, d.weights(0), false, 1, 0)
	var res float32
	for it := 0; it < iters; it++ {
		res = 0
		for l := 1; l <= L; l++ {
			t := ws.tmp[l]
			if l == 1 {
				copy(t.Data, ws.bottom.Data)
			} else {
				mat.Mul(t, mu[l-2], false, d.weights(l-1), false, 1, 0)
			}
			if l < L {
				mat.Mul(t, mu[l], false, d.weights(l), true, 1, 1)
			}
			mat.AddRowVec(t, d.B[l])
			mat.Sigmoid(t.Data)
			for i, x := range t.Data {
				if dx := x - mu[l-1].Data[i]; dx > res || -dx > res {
					res = max(dx, -dx)
				}
			}
			copy(mu[l-1].Data, t.Data)
		}
	}
	return float64(res)
}

// Posterior returns the mean-field posteriors of every case of data, one
// mat.Dense per hidden layer (out[l-1] is layer l).
func (d *DBM) Posterior(data mat.Matrix, iters int) []*mat.Dense {
	n, c := data.Dims()
	if c != d.Sizes[0] {
		panic(fmt.Sprintf("rbmstack: Posterior: data have %d columns, the DBM %d visible units", c, d.Sizes[0]))
	}
	L := d.Layers()
	out := make([]*mat.Dense, L)
	for l := range out {
		out[l] = mat.NewDense(n, d.Sizes[l+1], make([]float32, n*d.Sizes[l+1]))
	}
	d.forBlocks(data, iters, func(lo int, v mat.Dense, mu []mat.Dense) {
		for l, m := range mu {
			copy(out[l].Data[lo*m.Cols:], m.Data)
		}
	})
	return out
}

// forBlocks runs mean-field on blocks of data and calls fn with each
// block's first row, inputs and posteriors.
func (d *DBM) forBlocks(data mat.Matrix, iters int, fn func(lo int, v mat.Dense, mu []mat.Dense)) {
	n, c := data.Dims()
	const block = 500
	L := d.Layers()
	vb := mat.New(block, c)
	mub := make([]mat.Dense, L)
	for l := range mub {
		mub[l] = mat.New(block, d.Sizes[l+1])
	}
	mu := make([]mat.Dense, L)
	rows := make([]int, 0, block)
	var ws dbmWork
	bar := progress.New("dbm mean-field", int64(n), "cases")
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		rows = rows[:0]
		for i := lo; i < hi; i++ {
			rows = append(rows, i)
		}
		v := vb.Resize(hi-lo, c)
		data.DenseRowsTo(v.Data, rows)
		for l := range mu {
			mu[l] = mub[l].Resize(hi-lo, d.Sizes[l+1])
		}
		d.meanField(v, mu, iters, &ws)
		fn(lo, v, mu)
		bar.Add(int64(hi - lo))
	}
	bar.Finish()
}

// LogProbBound returns the mean over the cases of data (binary vectors) of
// the variational lower bound on log p(v) with the mean-field posterior q
// (Salakhutdinov & Hinton 2009, eq. 6):
//
//	log p(v) >= sum_h q(h) log p*(v, h) + H(q) - log Z
//	          = B[0]'v + sum_l B[l]'mu^l + sum_l mu^l' W[l] mu^{l+1} + H(q) - logZ,
//
// with mu^0 = v and H(q) = -sum mu log mu + (1-mu) log(1-mu). logZ is an
// estimate (AIS) or the exact value.
func (d *DBM) LogProbBound(data mat.Matrix, logZ float64, iters int) float64 {
	n, _ := data.Dims()
	if n == 0 {
		return math.NaN()
	}
	L := d.Layers()
	var total float64
	var prod mat.Dense
	d.forBlocks(data, iters, func(lo int, v mat.Dense, mu []mat.Dense) {
		layer := func(l int) mat.Dense {
			if l == 0 {
				return v
			}
			return mu[l-1]
		}
		for l := 0; l <= L; l++ {
			m := layer(l)
			for i := 0; i < m.Rows; i++ {
				row := m.Row(i)
				var s float64
				for j, x := range row {
					s += float64(x * d.B[l][j])
					if l > 0 {
						s += entropy(x)
					}
				}
				total += s
			}
			if l == L {
				continue
			}
			up := layer(l + 1)
			prod = prod.Resize(m.Rows, up.Cols)
			mat.Mul(prod, m, false, d.weights(l), false, 1, 0)
			for i, x := range prod.Data {
				total += float64(x * up.Data[i])
			}
		}
	})
	return total/float64(n) - logZ
}

// entropy returns the entropy in nats of a Bernoulli(p) unit.
func entropy(p float32) float64 {
	q := float64(p)
	var h float64
	if q > 0 {
		h -= q * math.Log(q)
	}
	if q < 1 {
		h -= (1 - q) * math.Log1p(-q)
	}
	return h
}

// Gibbs sampling.

// gibbs runs sweeps of block Gibbs sampling on the states s[0..L]: each
// sweep draws the even layers given the odd ones, then the odd layers given
// the even ones. p[l] is scratch of the shape of s[l]. On return p[l] holds,
// for every even l, p(h^l = 1 | odd layers): conditional expectations that
// give lower-variance statistics than the even states themselves.
func (d *DBM) gibbs(s, p []mat.Dense, sweeps int, src *rng.Source) {
	L := d.Layers()
	for sw := 0; sw < sweeps; sw++ {
		for parity := 0; parity < 2; parity++ {
			for l := parity; l <= L; l += 2 {
				d.condInput(l, s, 1, p[l])
				mat.Sigmoid(p[l].Data)
				sampleBernoulli(s[l], p[l], src.Uint64())
			}
		}
	}
	for l := 0; l <= L; l += 2 {
		d.condInput(l, s, 1, p[l])
		mat.Sigmoid(p[l].Data)
	}
}

// Training: the stochastic approximation procedure (Algorithm 1).

// DBMConfig sets how a DBM is trained jointly. The zero value of a field
// means its default, applied by EnsureDefaults.
type DBMConfig struct {
	Epochs    int // passes over the data; default 10
	BatchSize int // cases per update; default 100
	// LR is the initial learning rate of weights and biases; default 0.005
	// (Salakhutdinov & Hinton 2009, section 4).
	LR float32
	// Tau > 0 decays the rate as LR / (1 + t/Tau) over updates t; 0 (the
	// default) decays it linearly to zero over the run. Stochastic
	// approximation needs a rate that goes to zero (section 2.1).
	Tau            float64
	Momentum       float32 // for the first MomentumEpochs; default 0.5
	FinalMomentum  float32 // afterwards; default 0.9
	MomentumEpochs int     // default 5
	WeightDecay    float32 // L2 penalty on W; default 2e-4; negative means none
	Particles      int     // persistent Gibbs chains (fantasy particles); default 100
	Gibbs          int     // Gibbs sweeps of the chains per update; default 5
	MeanField      int     // mean-field sweeps per minibatch; default 10
	Seed           uint64
}

// EnsureDefaults fills zero fields with their defaults.
func (c *DBMConfig) EnsureDefaults() {
	if c.Epochs == 0 {
		c.Epochs = 10
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
	}
	if c.LR == 0 {
		c.LR = 0.005
	}
	if c.Momentum == 0 {
		c.Momentum = 0.5
	}
	if c.FinalMomentum == 0 {
		c.FinalMomentum = 0.9
	}
	if c.MomentumEpochs == 0 {
		c.MomentumEpochs = 5
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = 2e-4
	}
	if c.WeightDecay < 0 {
		c.WeightDecay = 0
	}
	if c.Particles == 0 {
		c.Particles = 100
	}
	if c.Gibbs == 0 {
		c.Gibbs = 5
	}
	if c.MeanField == 0 {
		c.MeanField = 10
	}
}

// Validate reports every out-of-range field at once.
func (c DBMConfig) Validate() error {
	var errs []error
	bad := func(f string, args ...any) { errs = append(errs, fmt.Errorf("rbmstack: "+f, args...)) }
	if c.Epochs < 0 {
		bad("Epochs must not be negative, got %d", c.Epochs)
	}
	if c.BatchSize < 1 {
		bad("BatchSize must be positive, got %d", c.BatchSize)
	}
	if !(c.LR > 0 && c.LR <= 10) {
		bad("LR must be in (0, 10], got %g", c.LR)
	}
	if !(c.Tau >= 0) {
		bad("Tau must not be negative, got %g", c.Tau)
	}
	if !(c.Momentum >= 0 && c.Momentum < 1) || !(c.FinalMomentum >= 0 && c.FinalMomentum < 1) {
		bad("momentum must be in [0, 1), got %g and %g", c.Momentum, c.FinalMomentum)
	}
	if !(c.WeightDecay >= 0 && c.WeightDecay < 1) {
		bad("WeightDecay must be in [0, 1), got %g", c.WeightDecay)
	}
	if c.Particles < 1 || c.Particles > 1<<20 {
		bad("Particles must be in [1, 2^20], got %d", c.Particles)
	}
	if c.Gibbs < 1 || c.Gibbs > 1000 {
		bad("Gibbs must be in [1, 1000], got %d", c.Gibbs)
	}
	if c.MeanField < 1 || c.MeanField > 1000 {
		bad("MeanField must be in [1, 1000], got %d", c.MeanField)
	}
	return errors.Join(errs...)
}

// DBMEpochStats describes one finished epoch of joint training.
type DBMEpochStats struct {
	Epoch int
	// Recon is the mean squared error per case between the (binary) data
	// and sigmoid(mu^1 W[0]' + B[0]), its reconstruction from the
	// mean-field posterior of the first hidden layer.
	Recon float64
	LR    float32 // the learning rate at the end of the epoch
}

// DBMTrainer trains a DBM by stochastic approximation: mean-field
// posteriors give the data-dependent statistics and persistent Gibbs
// chains the model's (Salakhutdinov & Hinton 2009, Algorithm 1).
type DBMTrainer struct {
	D   *DBM
	Cfg DBMConfig

	src      *rng.Source
	incW     [][]float32
	incB     [][]float32
	gradW    []mat.Dense
	gradB    [][]float32
	v, recon mat.Dense
	mu       []mat.Dense // per hidden layer, the minibatch's posteriors
	muB      []mat.Dense // views of mu sized to the current minibatch
	chain    []mat.Dense // per layer, the particles' states
	chainP   []mat.Dense // per layer, scratch probabilities
	ws       dbmWork
	perm     []int
	epoch    int
	updates  int
}

// NewDBMTrainer prepares to train d with cfg (defaults applied).
func NewDBMTrainer(d *DBM, cfg DBMConfig) (*DBMTrainer, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d.validate()
	t := &DBMTrainer{D: d, Cfg: cfg, src: rng.New(cfg.Seed, 0xdb1)}
	L := d.Layers()
	for l := 0; l <= L; l++ {
		n := d.Sizes[l]
		t.incB = append(t.incB, make([]float32, n))
		t.gradB = append(t.gradB, make([]float32, n))
		t.chain = append(t.chain, mat.New(cfg.Particles, n))
		t.chainP = append(t.chainP, mat.New(cfg.Particles, n))
		if l < L {
			t.incW = append(t.incW, make([]float32, n*d.Sizes[l+1]))
			t.gradW = append(t.gradW, mat.New(n, d.Sizes[l+1]))
			t.mu = append(t.mu, mat.New(cfg.BatchSize, d.Sizes[l+1]))
		}
	}
	t.muB = make([]mat.Dense, L)
	t.v = mat.New(cfg.BatchSize, d.Sizes[0])
	t.recon = mat.New(cfg.BatchSize, d.Sizes[0])
	return t, nil
}

// Epoch returns the number of finished epochs.
func (t *DBMTrainer) Epoch() int { return t.epoch }

// Fantasy returns the visible probabilities p(v | h^1) of the persistent
// chains, one row per particle (zeros before training).
func (t *DBMTrainer) Fantasy() *mat.Dense {
	d := t.D
	p := mat.NewDense(t.Cfg.Particles, d.Sizes[0], make([]float32, t.Cfg.Particles*d.Sizes[0]))
	if t.updates > 0 {
		m := mat.View(p.Rows, p.Cols, p.Data)
		d.condInput(0, t.chain, 1, m)
		mat.Sigmoid(m.Data)
	}
	return p
}

// lr returns the learning rate of update u of total.
func (t *DBMTrainer) lr(u, total int) float32 {
	c := t.Cfg
	if c.Tau > 0 {
		return float32(float64(c.LR) / (1 + float64(u)/c.Tau))
	}
	return c.LR * float32(1-float64(u)/float64(total))
}

// Train runs the remaining epochs on data (probabilities of binary units:
// each minibatch draws binary states), calling onEpoch (may be nil) after
// each; an error from onEpoch stops training and is returned. A NaN or
// infinity returns an error wrapping ErrDiverged that names the epoch.
func (t *DBMTrainer) Train(data mat.Matrix, onEpoch func(DBMEpochStats) error) error {
	n, c := data.Dims()
	d := t.D
	if c != d.Sizes[0] {
		return fmt.Errorf("rbmstack: dbm: data have %d columns, the DBM %d visible units", c, d.Sizes[0])
	}
	if n == 0 {
		return errors.New("rbmstack: dbm: no training cases")
	}
	if len(t.perm) != n {
		t.perm = make([]int, n)
	}
	bs := t.Cfg.BatchSize
	nb := (n + bs - 1) / bs
	total := nb * t.Cfg.Epochs
	label := "dbm " + sizesString(d.Sizes)
	for t.epoch < t.Cfg.Epochs {
		bar := progress.New(fmt.Sprintf("%s epoch %d/%d", label, t.epoch+1, t.Cfg.Epochs), int64(n), "cases")
		if t.updates == 0 {
			t.initChains(data, n)
		}
		t.src.Perm(t.perm)
		var recon float64
		var lr float32
		for b := 0; b < nb; b++ {
			lo, hi := b*bs, min((b+1)*bs, n)
			lr = t.lr(t.updates, total)
			recon += t.step(data, t.perm[lo:hi], lr)
			t.updates++
			bar.Add(int64(hi - lo))
		}
		recon /= float64(n)
		t.epoch++
		bar.SetSuffix("recon %.4g lr %.3g", recon, lr)
		bar.Finish()
		if math.IsNaN(recon) || math.IsInf(recon, 0) || d.check() != nil || chainsNaN(t.chainP) {
			return fmt.Errorf("%w: %s epoch %d: NaN or Inf in the weights, chains or reconstruction error (lower the learning rate)", ErrDiverged, label, t.epoch)
		}
		if onEpoch != nil {
			if err := onEpoch(DBMEpochStats{Epoch: t.epoch, Recon: recon, LR: lr}); err != nil {
				return err
			}
		}
	}
	return nil
}

func chainsNaN(p []mat.Dense) bool {
	for _, m := range p {
		if mat.HasNaN(m.Data) {
			return true
		}
	}
	return false
}

func sizesString(s []int) string {
	out := ""
	for i, n := range s {
		if i > 0 {
			out += "-"
		}
		out += fmt.Sprint(n)
	}
	return out
}

// initChains starts the particles at random training cases: binary states
// drawn from the data and the bottom-up mean-field initialisation.
func (t *DBMTrainer) initChains(data mat.Matrix, n int) {
	d := t.D
	M := t.Cfg.Particles
	rows := make([]int, M)
	for i := range rows {
		rows[i] = t.src.IntN(n)
	}
	v := t.chain[0]
	data.DenseRowsTo(v.Data, rows)
	sampleBernoulli(v, v, t.src.Uint64())
	d.MeanFieldInit(v, t.chainP[1:])
	for l := 1; l <= d.Layers(); l++ {
		sampleBernoulli(t.chain[l], t.chainP[l], t.src.Uint64())
	}
}

// step performs one update on the listed rows and returns the summed
// squared reconstruction error of the minibatch.
func (t *DBMTrainer) step(data mat.Matrix, rows []int, lr float32) float64 {
	d, c := t.D, &t.Cfg
	L := d.Layers()
	B := len(rows)
	v := t.v.Resize(B, d.Sizes[0])
	data.DenseRowsTo(v.Data, rows)
	sampleBernoulli(v, v, t.src.Uint64())
	mu := t.muB
	for l := range mu {
		mu[l] = t.mu[l].Resize(B, d.Sizes[l+1])
	}
	d.meanField(v, mu, c.MeanField, &t.ws)

	// Reconstruction error, for monitoring only.
	rec := t.recon.Resize(B, d.Sizes[0])
	mat.Mul(rec, mu[0], false, d.weights(0), true, 1, 0)
	mat.AddRowVec(rec, d.B[0])
	mat.Sigmoid(rec.Data)
	var recon float64
	for i, x := range v.Data {
		e := float64(x - rec.Data[i])
		recon += e * e
	}

	// Data-dependent statistics from the mean-field posteriors.
	layer := func(l int) mat.Dense {
		if l == 0 {
			return v
		}
		return mu[l-1]
	}
	invB := 1 / float32(B)
	for l := 0; l <= L; l++ {
		mat.ColSumsTo(t.gradB[l], layer(l), invB, 0)
		if l < L {
			mat.Mul(t.gradW[l], layer(l), true, layer(l+1), false, invB, 0)
		}
	}

	// Model statistics from the persistent chains: states of the odd
	// layers, conditional probabilities of the even ones.
	d.gibbs(t.chain, t.chainP, c.Gibbs, t.src)
	neg := func(l int) mat.Dense {
		if l%2 == 0 {
			return t.chainP[l]
		}
		return t.chain[l]
	}
	invM := 1 / float32(c.Particles)
	for l := 0; l <= L; l++ {
		mat.ColSumsTo(t.gradB[l], neg(l), -invM, 1)
		if l < L {
			mat.Mul(t.gradW[l], neg(l), true, neg(l+1), false, -invM, 1)
		}
	}

	mom := c.Momentum
	if t.epoch >= c.MomentumEpochs {
		mom = c.FinalMomentum
	}
	for l := 0; l <= L; l++ {
		update(d.B[l], t.incB[l], t.gradB[l], mom, lr, 0)
		if l < L {
			update(d.W[l], t.incW[l], t.gradW[l].Data, mom, lr, c.WeightDecay)
		}
	}
	return recon
}
