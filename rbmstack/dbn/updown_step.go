package dbn

import (
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// upDownWork holds the workspaces of up-down, allocated once.
type upDownWork struct {
	// wake[l] and sleep[l] hold the states of layer l on the way up and
	// down (wake[0] = data), pred[l] predictions of layer l; w and s are
	// this batch's views of wake and sleep.
	wake, sleep, pred, w, s       []mat.Dense
	topV, negV, topH, topHS, negH mat.Dense
	labP                          mat.Dense // label probabilities (MeanLabels)
	gradTop                       mat.Dense
	gb, ga                        []float32
	perm, rows                    []int
	// vel is nil when the schedule has neither momentum nor weight
	// decay: the updates then go straight into the weights.
	vel *velocity
}

// velocity holds, for a schedule with momentum or weight decay, the
// gradient buffers of the lower layers (the top's are gradTop, gb and ga)
// and, for every parameter, what one step of rbmstack.Schedule.Ascend
// needs, in the order of the saved state: the top's weights, visible and
// hidden biases, then each generative layer's weights and visible biases,
// then each recognition layer's weights and hidden biases.
type velocity struct {
	genW, recW []mat.Dense
	genB, recB [][]float32
	params     []param
}

// param is one parameter of the DBN with its gradient and increment.
type param struct {
	w, grad, inc []float32
	decay        bool // weights decay, biases do not
}

func newVelocity(d *DBN, ws *upDownWork) *velocity {
	v := &velocity{}
	add := func(w, grad []float32, decay bool) {
		v.params = append(v.params, param{w, grad, make([]float32, len(w)), decay})
	}
	add(d.Top.W, ws.gradTop.Data, true)
	add(d.Top.VisBias, ws.gb, false)
	add(d.Top.HidBias, ws.ga, false)
	for _, g := range d.Gen {
		v.genW = append(v.genW, mat.New(g.NVis, g.NHid))
		v.genB = append(v.genB, make([]float32, g.NVis))
		add(g.W, v.genW[len(v.genW)-1].Data, true)
		add(g.VisBias, v.genB[len(v.genB)-1], false)
	}
	for _, r := range d.Rec {
		v.recW = append(v.recW, mat.New(r.NVis, r.NHid))
		v.recB = append(v.recB, make([]float32, r.NHid))
		add(r.W, v.recW[len(v.recW)-1].Data, true)
		add(r.HidBias, v.recB[len(v.recB)-1], false)
	}
	return v
}

func (ws *upDownWork) init(d *DBN, B, n int) {
	L := len(d.Rec)
	t := d.Top
	for l := 0; l <= L; l++ {
		w := d.widthBelow(l)
		ws.wake = append(ws.wake, mat.New(B, w))
		ws.sleep = append(ws.sleep, mat.New(B, w))
		ws.pred = append(ws.pred, mat.New(B, w))
	}
	ws.w, ws.s = make([]mat.Dense, L+1), make([]mat.Dense, L+1)
	ws.topV, ws.negV = mat.New(B, t.NVis), mat.New(B, t.NVis)
	ws.topH, ws.topHS, ws.negH = mat.New(B, t.NHid), mat.New(B, t.NHid), mat.New(B, t.NHid)
	ws.gradTop = mat.New(t.NVis, t.NHid)
	ws.labP = mat.New(B, t.Labels)
	ws.gb, ws.ga = make([]float32, t.NVis), make([]float32, t.NHid)
	ws.perm, ws.rows = make([]int, n), make([]int, 0, B)
}

// batch runs one up-down update on the listed cases with cdk Gibbs steps
// in the top memory at learning rate rate, in epoch (0-based).
func (u *UpDownTrainer) batch(rows []int, cdk int, rate float32, epoch int) {
	ws := &u.ws
	b := len(rows)
	lr := rate / float32(b)
	ws.rows = append(ws.rows[:0], rows...)
	for l := range ws.w {
		ws.w[l] = ws.wake[l].Resize(b, ws.wake[l].Cols)
		ws.s[l] = ws.sleep[l].Resize(b, ws.sleep[l].Cols)
	}
	u.data.DenseRowsTo(ws.w[0].Data, ws.rows)
	// Wake: stochastic up-pass with the recognition weights.
	for l, r := range u.D.Rec {
		r.HidMeans(ws.w[l], nil, ws.w[l+1])
		rbm.SampleBernoulli(ws.w[l+1], ws.w[l+1], u.src.Uint64())
	}
	if ws.vel == nil {
		// The updates go straight into the weights.
		u.sleepPass(u.top(b, cdk, lr, true))
		u.learn(b, lr, 1)
		return
	}
	// With momentum or weight decay: gradients averaged over the batch,
	// then one step of rbmstack.Schedule.Ascend for each parameter.
	inv := 1 / float32(b)
	u.sleepPass(u.top(b, cdk, inv, false))
	u.learn(b, inv, 0)
	for _, p := range ws.vel.params {
		u.Cfg.Ascend(p.w, p.inc, p.grad, epoch, rate, p.decay)
	}
}

// top runs CD-k in the top memory from the wake states joined with the
// labels and returns its negative visible sample. It writes the top's
// gradients times lr to gradTop, gb and ga and, when apply is set, adds them
// to the top's parameters.
func (u *UpDownTrainer) top(b, cdk int, lr float32, apply bool) mat.Dense {
	ws, t := &u.ws, u.D.Top
	L := len(u.D.Rec)
	nb := t.NVis - t.Labels
	tv := ws.topV.Resize(b, t.NVis)
	for i := 0; i < b; i++ {
		row := tv.Row(i)
		copy(row, ws.w[L].Row(i))
		clear(row[nb:])
		row[nb+u.labels[ws.rows[i]]] = 1
	}
	th, ths := ws.topH.Resize(b, t.NHid), ws.topHS.Resize(b, t.NHid)
	t.HidMeans(tv, nil, th)
	t.SampleHid(ths, th, u.src.Uint64())
	nv, nh := ws.negV.Resize(b, t.NVis), ws.negH.Resize(b, t.NHid)
	for k := 0; k < cdk; k++ {
		t.VisMeans(ths, nv)
		// With MeanLabels, keep the label probabilities the draw replaces.
		lp := ws.labP.Resize(b, t.Labels)
		if u.Cfg.MeanLabels {
			for i := 0; i < b; i++ {
				copy(lp.Row(i), nv.Row(i)[nb:])
			}
		}
		t.SampleVis(nv, nv, nil, false, u.src.Uint64())
		if u.Cfg.MeanLabels {
			for i := 0; i < b; i++ {
				copy(nv.Row(i)[nb:], lp.Row(i))
			}
		}
		t.HidMeans(nv, nil, nh)
		if k < cdk-1 {
			t.SampleHid(ths, nh, u.src.Uint64())
		}
	}
	// The gradients times scale; applied at rate lr (scale 1) or left
	// for the caller (scale lr).
	scale := float32(1)
	if !apply {
		scale = lr
	}
	rbm.CDGradient(ws.gradTop, ws.gb, ws.ga, tv, th, nv, nh, scale)
	if apply {
		mat.Axpy(lr, ws.gradTop.Data, t.W)
		mat.Axpy(lr, ws.gb, t.VisBias)
		mat.Axpy(lr, ws.ga, t.HidBias)
	}
	return nv
}

// sleepPass runs the stochastic down-pass from the top's negative sample
// nv with the generative weights.
func (u *UpDownTrainer) sleepPass(nv mat.Dense) {
	ws := &u.ws
	L := len(u.D.Rec)
	nb := u.D.Top.NVis - u.D.Top.Labels
	for i := 0; i < nv.Rows; i++ {
		copy(ws.s[L].Row(i), nv.Row(i)[:nb])
	}
	for l := L - 1; l >= 0; l-- {
		u.D.Gen[l].VisMeans(ws.s[l+1], ws.s[l])
		if l > 0 {
			rbm.SampleBernoulli(ws.s[l], ws.s[l], u.src.Uint64())
		}
	}
}

// learn updates the generative weights to reconstruct the wake states
// from above, dGen_l = wake_{l+1}' (wake_l - p(wake_l | wake_{l+1})), and
// the recognition weights to recover the sleep states from below,
// dRec_l = sleep_l' (sleep_{l+1} - p(sleep_{l+1} | sleep_l)): it sets each
// destination to alpha times its gradient plus beta times itself, the
// destinations being the weights and biases themselves, or with momentum
// or weight decay the velocity's gradient buffers.
func (u *UpDownTrainer) learn(b int, alpha, beta float32) {
	ws, v := &u.ws, u.ws.vel
	for l, g := range u.D.Gen {
		p := ws.pred[l].Resize(b, ws.pred[l].Cols)
		g.VisMeans(ws.w[l+1], p)
		mat.Sub(p.Data, ws.w[l].Data, p.Data)
		dw, db := g.Weights(), g.VisBias
		if v != nil {
			dw, db = v.genW[l], v.genB[l]
		}
		mat.Mul(dw, p, true, ws.w[l+1], false, alpha, beta)
		mat.ColSumsTo(db, p, alpha, beta)
	}
	for l, r := range u.D.Rec {
		p := ws.pred[l+1].Resize(b, ws.pred[l+1].Cols)
		r.HidMeans(ws.s[l], nil, p)
		mat.Sub(p.Data, ws.s[l+1].Data, p.Data)
		dw, db := r.Weights(), r.HidBias
		if v != nil {
			dw, db = v.recW[l], v.recB[l]
		}
		mat.Mul(dw, ws.s[l], true, p, false, alpha, beta)
		mat.ColSumsTo(db, p, alpha, beta)
	}
}
