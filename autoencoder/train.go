package autoencoder

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"

	"github.com/docsearch/docsearch/internal/par"
	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// Batcher supplies training cases: the raw inputs and the targets of a
// list of cases.
type Batcher interface {
	Len() int
	// Fill writes the inputs (len(rows) x in) and targets (len(rows) x out)
	// of the listed cases, row after row.
	Fill(rows []int, x, t []float32)
}

// Reconstruction returns the Batcher of an autoencoder on data: the target
// is the input itself, or its word proportions for SoftmaxCE.
func Reconstruction(data mat.Matrix, loss Loss) Batcher {
	return reconBatcher{data, loss}
}

type reconBatcher struct {
	data mat.Matrix
	loss Loss
}

func (r reconBatcher) Len() int { n, _ := r.data.Dims(); return n }

func (r reconBatcher) Fill(rows []int, x, t []float32) {
	r.data.DenseRowsTo(x, rows)
	copy(t, x)
	if r.loss != SoftmaxCE {
		return
	}
	_, d := r.data.Dims()
	for i := range rows {
		row := t[i*d : (i+1)*d]
		var s float32
		for _, v := range row {
			s += v
		}
		if s > 0 {
			mat.Scale(row, 1/s)
		}
	}
}

// Classification returns the Batcher of a classifier on data with integer
// labels in [0, classes): targets are one-hot rows.
func Classification(data mat.Matrix, labels []int, classes int) Batcher {
	return classBatcher{data, labels, classes}
}

type classBatcher struct {
	data    mat.Matrix
	labels  []int
	classes int
}

func (c classBatcher) Len() int { return len(c.labels) }

func (c classBatcher) Fill(rows []int, x, t []float32) {
	c.data.DenseRowsTo(x, rows)
	clear(t[:len(rows)*c.classes])
	for i, r := range rows {
		t[i*c.classes+c.labels[r]] = 1
	}
}

// TrainConfig sets how a Net is fine-tuned. Zero fields take the defaults
// applied by EnsureDefaults.
type TrainConfig struct {
	// Method is "adam" (minibatch Adam, the default), "sgd" (momentum
	// Momentum, learning rate LR decayed by a cosine schedule to zero over
	// Epochs), or "cg": the Science paper's conjugate gradients,
	// LineSearches line searches on each minibatch of BatchSize cases
	// (default 3 on 1000).
	Method       string
	Momentum     float32 // sgd only; default 0.9
	Epochs       int     // default 20
	BatchSize    int     // default 100 for adam, 1000 for cg
	LR           float32 // Adam step size; default 1e-3
	WeightDecay  float32 // L2 penalty on weights (not biases); default 0
	LineSearches int     // cg only; default 3
	// Holdout is the fraction of cases kept out for early stopping; the
	// parameters with the lowest held-out loss are kept. Default 0 (none).
	Holdout float64
	// Patience stops training after this many epochs without a better
	// held-out loss; default 5.
	Patience int
	// Tied makes a mirror-shaped net's decoder the transpose of its
	// encoder: layer L-1-i's weights stay W_i' (biases remain separate),
	// the two layers' gradients are summed into the encoder's, and the
	// decoder is refreshed after every step. It is the classic greedy
	// autoencoder of Bengio et al. (2007), and it keeps an over-complete
	// layer from learning a free identity map. adam and sgd only.
	Tied bool
	Seed uint64
}

// EnsureDefaults fills zero fields.
func (c *TrainConfig) EnsureDefaults() {
	if c.Method == "" {
		c.Method = "adam"
	}
	if c.Epochs == 0 {
		c.Epochs = 20
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
		if c.Method == "cg" {
			c.BatchSize = 1000
		}
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.LineSearches == 0 {
		c.LineSearches = 3
	}
	if c.Momentum == 0 {
		c.Momentum = 0.9
	}
	if c.Patience == 0 {
		c.Patience = 5
	}
}

// Validate reports every problem at once.
func (c TrainConfig) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("autoencoder: "+f, a...)) }
	if c.Method != "adam" && c.Method != "cg" && c.Method != "sgd" {
		bad("Method must be adam, sgd or cg, got %q", c.Method)
	}
	if !(c.Momentum >= 0 && c.Momentum < 1) {
		bad("Momentum must be in [0, 1), got %g", c.Momentum)
	}
	if c.Epochs < 0 {
		bad("Epochs must not be negative, got %d", c.Epochs)
	}
	if c.BatchSize < 1 {
		bad("BatchSize must be positive, got %d", c.BatchSize)
	}
	if !(c.LR > 0 && c.LR <= 1) {
		bad("LR must be in (0, 1], got %g", c.LR)
	}
	if !(c.WeightDecay >= 0 && c.WeightDecay < 1) {
		bad("WeightDecay must be in [0, 1), got %g", c.WeightDecay)
	}
	if !(c.Holdout >= 0 && c.Holdout < 1) {
		bad("Holdout must be in [0, 1), got %g", c.Holdout)
	}
	if c.Tied && c.Method == "cg" {
		bad("Tied works with adam and sgd, not cg")
	}
	if c.LineSearches < 1 || c.Patience < 1 {
		bad("LineSearches and Patience must be positive, got %d and %d", c.LineSearches, c.Patience)
	}
	return errors.Join(errs...)
}

// EpochStats describes one finished epoch of fine-tuning.
type EpochStats struct {
	Epoch     int
	TrainLoss float64 // mean loss over the training minibatches
	ValLoss   float64 // held-out loss; NaN without a holdout
	Best      bool    // the best held-out loss so far
}

// Trainer fine-tunes a Net; it keeps the optimizer state between epochs.
type Trainer struct {
	Net *Net
	Cfg TrainConfig

	b          Batcher
	src        *rng.Source
	train, val []int
	order      []int // the training cases in their initial order
	ws         Workspace
	grad       []float32
	m, v       []float32 // Adam moments
	step       int
	epoch      int
	best       []float32
	bestLoss   float64
	bestEpoch  int
	sinceBest  int
	wOff       []int // Tied: the offset of each layer's weights in Params
}

// NewTrainer prepares to fine-tune n on the cases of b.
func NewTrainer(n *Net, b Batcher, cfg TrainConfig) (*Trainer, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	N := b.Len()
	if N < 2 {
		return nil, fmt.Errorf("autoencoder: need at least 2 training cases, got %d", N)
	}
	t := &Trainer{Net: n, Cfg: cfg, b: b, src: rng.New(cfg.Seed, 2), grad: make([]float32, len(n.Params)),
		bestLoss: math.Inf(1)}
	perm := make([]int, N)
	t.src.Perm(perm)
	if cfg.Tied {
		if err := checkMirror(n); err != nil {
			return nil, err
		}
		n.tieDecoder()
		// where each layer's weights start in Params (and so in grad)
		t.wOff = make([]int, len(n.Layers))
		for i, o := 0, 0; i < len(n.Layers); i++ {
			t.wOff[i] = o
			o += len(n.Layers[i].W) + len(n.Layers[i].B)
		}
	}
	nv := int(cfg.Holdout * float64(N))
	t.val, t.train = perm[:nv], perm[nv:]
	t.order = append([]int(nil), t.train...)
	switch cfg.Method {
	case "adam":
		t.m = make([]float32, len(n.Params))
		t.v = make([]float32, len(n.Params))
	case "sgd":
		t.m = make([]float32, len(n.Params))
	}
	return t, nil
}

// Train runs the remaining epochs, stopping early when the held-out loss
// has not improved for Patience epochs, and leaves the net with the best
// held-out parameters (the last ones without a holdout).
func (t *Trainer) Train(label string, onEpoch func(EpochStats) error) error {
	cfg := t.Cfg
	// A trainer restored from the epoch where early stopping fired has
	// nothing left to do.
	for t.epoch < cfg.Epochs && !(len(t.val) > 0 && t.sinceBest >= cfg.Patience) {
		bar := progress.New(fmt.Sprintf("%s epoch %d/%d", label, t.epoch+1, cfg.Epochs), int64(len(t.train)), "cases")
		// Shuffle from the fixed order each epoch, so that the order depends
		// on the random stream alone (and a restored trainer reproduces it).
		copy(t.train, t.order)
		shuffle(t.src, t.train)
		var sum float64
		var nb int
		for lo := 0; lo < len(t.train); lo += cfg.BatchSize {
			rows := t.train[lo:min(lo+cfg.BatchSize, len(t.train))]
			var loss float64
			switch cfg.Method {
			case "cg":
				loss = t.cgBatch(rows)
			case "sgd":
				frac := (float64(t.epoch) + float64(lo)/float64(len(t.train))) / float64(cfg.Epochs)
				loss = t.sgdBatch(rows, float32(float64(cfg.LR)*0.5*(1+math.Cos(math.Pi*frac))))
			default:
				loss = t.adamBatch(rows)
			}
			sum += loss
			nb++
			bar.Add(int64(len(rows)))
		}
		t.epoch++
		st := EpochStats{Epoch: t.epoch, TrainLoss: sum / float64(nb), ValLoss: math.NaN()}
		if math.IsNaN(st.TrainLoss) || math.IsInf(st.TrainLoss, 0) || mat.HasNaN(t.Net.Params) {
			bar.Finish()
			return fmt.Errorf("%w: %s epoch %d: NaN or Inf in the loss or the weights (lower the learning rate)", ErrDiverged, label, t.epoch)
		}
		stop := false
		if len(t.val) > 0 {
			st.ValLoss = t.Loss(t.val)
			if st.ValLoss < t.bestLoss {
				t.bestLoss, t.bestEpoch, t.sinceBest = st.ValLoss, t.epoch, 0
				t.best = append(t.best[:0], t.Net.Params...)
				st.Best = true
			} else {
				t.sinceBest++
				stop = t.sinceBest >= cfg.Patience
			}
			bar.SetSuffix("train %.4g held-out %.4g", st.TrainLoss, st.ValLoss)
		} else {
			bar.SetSuffix("train %.4g", st.TrainLoss)
		}
		bar.Finish()
		if onEpoch != nil {
			if err := onEpoch(st); err != nil {
				return err
			}
		}
		if stop {
			break
		}
	}
	if t.best != nil {
		copy(t.Net.Params, t.best)
	}
	return nil
}

// Epoch returns the number of finished epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// BestEpoch returns the epoch with the lowest held-out loss (0 if none).
func (t *Trainer) BestEpoch() int { return t.bestEpoch }

// Loss returns the mean loss over the listed cases.
func (t *Trainer) Loss(rows []int) float64 {
	const block = 500
	var sum float64
	for lo := 0; lo < len(rows); lo += block {
		r := rows[lo:min(lo+block, len(rows))]
		t.fill(r)
		sum += t.Net.LossGrad(&t.ws, nil) * float64(len(r))
	}
	return sum / float64(len(rows))
}

func (t *Trainer) fill(rows []int) {
	in := t.Net.Input(&t.ws, len(rows))
	t.b.Fill(rows, in.Data, t.ws.target.Data)
	t.Net.prepare(in)
}

func (t *Trainer) adamBatch(rows []int) float64 {
	t.fill(rows)
	loss := t.Net.LossGrad(&t.ws, t.grad)
	t.tieGrad()
	t.step++
	t.adam()
	t.tieParams()
	return loss
}

// checkMirror returns an error unless every layer i of n has the transposed
// shape of layer L-1-i, as Tied needs.
func checkMirror(n *Net) error {
	L := len(n.Layers)
	for i := 0; i < L/2; i++ {
		a, b := n.Layers[i], n.Layers[L-1-i]
		if a.In != b.Out || a.Out != b.In {
			return fmt.Errorf("autoencoder: Tied needs a mirror-shaped net; layer %d is %dx%d, layer %d %dx%d", i, a.In, a.Out, L-1-i, b.In, b.Out)
		}
	}
	if L%2 == 1 {
		return fmt.Errorf("autoencoder: Tied needs an even number of layers, got %d", L)
	}
	return nil
}

// tieDecoder sets each decoder layer's weights to its encoder's transpose.
func (n *Net) tieDecoder() {
	L := len(n.Layers)
	for i := 0; i < L/2; i++ {
		a, b := n.Layers[i], n.Layers[L-1-i]
		for r := 0; r < a.In; r++ {
			for c, w := range a.W[r*a.Out : (r+1)*a.Out] {
				b.W[c*b.Out+r] = w
			}
		}
	}
}

// tieGrad folds each decoder layer's weight gradient, transposed, into its
// encoder's and zeroes it, so that the optimiser moves the shared weights
// by their whole gradient and leaves the decoder copies alone.
func (t *Trainer) tieGrad() {
	if !t.Cfg.Tied {
		return
	}
	n := t.Net
	L := len(n.Layers)
	for i := 0; i < L/2; i++ {
		a, b := n.Layers[i], n.Layers[L-1-i]
		ga := t.grad[t.wOff[i] : t.wOff[i]+len(a.W)]
		gb := t.grad[t.wOff[L-1-i] : t.wOff[L-1-i]+len(b.W)]
		for r := 0; r < a.In; r++ {
			row := ga[r*a.Out : (r+1)*a.Out]
			for c := range row {
				row[c] += gb[c*b.Out+r]
			}
		}
		clear(gb)
	}
}

// tieParams refreshes the decoder copies after a step.
func (t *Trainer) tieParams() {
	if t.Cfg.Tied {
		t.Net.tieDecoder()
	}
}

// sgdBatch applies one step of gradient descent with momentum and L2
// weight decay on the weights: v = mom*v - lr*(g + wd*w); p += v.
func (t *Trainer) sgdBatch(rows []int, lr float32) float64 {
	t.fill(rows)
	loss := t.Net.LossGrad(&t.ws, t.grad)
	t.tieGrad()
	t.decay()
	mom := t.Cfg.Momentum
	p, g, v := t.Net.Params, t.grad, t.m
	par.For(len(p), 1<<15, func(lo, hi int) {
		p, g, v := p[lo:hi], g[lo:hi], v[lo:hi]
		for i := range p {
			v[i] = mom*v[i] - lr*g[i]
			p[i] += v[i]
		}
	})
	t.tieParams()
	return loss
}

// decay adds the L2 weight-decay gradient wd*w to the weights' gradients.
func (t *Trainer) decay() {
	wd := t.Cfg.WeightDecay
	if wd <= 0 {
		return
	}
	off := 0
	for _, l := range t.Net.Layers {
		mat.Axpy(wd, t.Net.Params[off:off+len(l.W)], t.grad[off:off+len(l.W)])
		off += len(l.W) + len(l.B)
	}
}

// adam applies one Adam update (Kingma & Ba 2015, Algorithm 1) with L2
// weight decay added to the weight gradients.
func (t *Trainer) adam() {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	c1 := 1 - math.Pow(b1, float64(t.step))
	c2 := 1 - math.Pow(b2, float64(t.step))
	lr := float32(float64(t.Cfg.LR) * math.Sqrt(c2) / c1)
	t.decay()
	p, g, m, v := t.Net.Params, t.grad, t.m, t.v
	par.For(len(p), 1<<15, func(lo, hi int) {
		p, g, m, v := p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi]
		for i := range p {
			gi := g[i]
			mi := b1*m[i] + (1-b1)*gi
			vi := b2*v[i] + (1-b2)*gi*gi
			m[i], v[i] = mi, vi
			p[i] -= lr * mi / (sqrt32(vi) + eps)
		}
	})
}

// cgBatch minimises the loss on one minibatch with LineSearches iterations
// of nonlinear conjugate gradients (gonum/optimize CG, Hager-Zhang line
// search), as the Science paper's minimize.m with 3 line searches.
func (t *Trainer) cgBatch(rows []int) float64 {
	t.fill(rows)
	n := t.Net
	x0 := make([]float64, len(n.Params))
	for i, v := range n.Params {
		x0[i] = float64(v)
	}
	var lastX []float64
	var lastF float64
	lastG := make([]float64, len(x0))
	eval := func(x []float64) {
		if lastX != nil && equal(lastX, x) {
			return
		}
		for i, v := range x {
			n.Params[i] = float32(v)
		}
		f := n.LossGrad(&t.ws, t.grad)
		if wd := t.Cfg.WeightDecay; wd > 0 {
			off := 0
			for _, l := range n.Layers {
				for i := off; i < off+len(l.W); i++ {
					w := n.Params[i]
					f += 0.5 * float64(wd) * float64(w*w)
					t.grad[i] += wd * w
				}
				off += len(l.W) + len(l.B)
			}
		}
		for i, g := range t.grad {
			lastG[i] = float64(g)
		}
		lastF = f
		lastX = append(lastX[:0], x...)
	}
	start := math.NaN()
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			eval(x)
			if math.IsNaN(start) {
				start = lastF
			}
			return lastF
		},
		Grad: func(g, x []float64) { eval(x); copy(g, lastG) },
	}
	settings := &optimize.Settings{MajorIterations: t.Cfg.LineSearches, Converger: &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 1 << 30}}
	res, err := optimize.Minimize(p, x0, settings, &optimize.CG{})
	best := x0
	if res != nil && !math.IsNaN(res.F) && (err == nil || res.F <= start) {
		best = res.X
	}
	for i, v := range best {
		n.Params[i] = float32(v)
	}
	return start
}

// sqrt32 is a float32 square root; the compiler turns float64 math.Sqrt
// of a widened float32 into SQRTSS.
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func shuffle(src *rng.Source, x []int) {
	for i := len(x) - 1; i > 0; i-- {
		j := src.IntN(i + 1)
		x[i], x[j] = x[j], x[i]
	}
}

// Encode returns the code-layer outputs of every case of data.
func (n *Net) Encode(data mat.Matrix) *mat.Dense {
	if n.Code < 0 {
		panic("autoencoder: Encode on a net without a code layer")
	}
	return n.Activations(data, n.Code)
}

// Activations returns the outputs of layer `layer` for every case of data.
func (n *Net) Activations(data mat.Matrix, layer int) *mat.Dense {
	N, d := data.Dims()
	if d != n.Layers[0].In {
		panic(fmt.Sprintf("autoencoder: data has %d columns, the net %d inputs", d, n.Layers[0].In))
	}
	w := n.Layers[layer].Out
	out := mat.NewDense(N, w, make([]float32, N*w))
	const block = 500
	var ws Workspace
	rows := make([]int, 0, block)
	for lo := 0; lo < N; lo += block {
		hi := min(lo+block, N)
		rows = rows[:0]
		for i := lo; i < hi; i++ {
			rows = append(rows, i)
		}
		in := n.Input(&ws, hi-lo)
		data.DenseRowsTo(in.Data, rows)
		n.prepare(in)
		n.forward(&ws, layer+1)
		copy(out.Data[lo*w:hi*w], ws.acts[layer+1].Data)
	}
	return out
}
