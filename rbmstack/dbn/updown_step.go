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
// gradient and the increment of every parameter of the lower layers (the
// top's gradients are gradTop, gb and ga); params lists the order.
type velocity struct {
	genW, recW []mat.Dense
	genB, recB [][]float32
	inc        [][]float32
}

// params returns the parameters up-down updates, in the order of
// velocity.inc and of the saved state: the top's weights, visible and
// hidden biases, then each generative layer's weights and visible biases,
// then each recognition layer's weights and hidden biases.
func (d *DBN) params() [][]float32 {
	p := [][]float32{d.Top.W, d.Top.VisBias, d.Top.HidBias}
	for _, g := range d.Gen {
		p = append(p, g.W, g.VisBias)
	}
	for _, r := range d.Rec {
		p = append(p, r.W, r.HidBias)
	}
	return p
}

func newVelocity(d *DBN) *velocity {
	v := &velocity{}
	for _, g := range d.Gen {
		v.genW = append(v.genW, mat.New(g.NVis, g.NHid))
		v.genB = append(v.genB, make([]float32, g.NVis))
	}
	for _, r := range d.Rec {
		v.recW = append(v.recW, mat.New(r.NVis, r.NHid))
		v.recB = append(v.recB, make([]float32, r.NHid))
	}
	for _, p := range d.params() {
		v.inc = append(v.inc, make([]float32, len(p)))
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
		nv := u.top(b, cdk, lr, true)
		u.sleepPass(nv)
		u.learn(b, lr)
		return
	}
	// With momentum or weight decay: gradients averaged over the batch,
	// then one step of rbmstack.Schedule.Ascend for each parameter.
	inv := 1 / float32(b)
	nv := u.top(b, cdk, inv, false)
	u.sleepPass(nv)
	u.gradients(b, inv)
	c, inc := &u.Cfg.Schedule, ws.vel.inc
	grads := [][]float32{ws.gradTop.Data, ws.gb, ws.ga}
	for l := range u.D.Gen {
		grads = append(grads, ws.vel.genW[l].Data, ws.vel.genB[l])
	}
	for l := range u.D.Rec {
		grads = append(grads, ws.vel.recW[l].Data, ws.vel.recB[l])
	}
	for i, p := range u.D.params() {
		// Weight decay on the weights (the even entries after the top's
		// three), never the biases.
		weights := i == 0 || i >= 3 && (i-3)%2 == 0
		c.Ascend(p, inc[i], grads[i], epoch, rate, weights)
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
		if u.Cfg.MeanLabels {
			// Keep the label probabilities the draw would replace.
			lp := ws.labP.Resize(b, t.Labels)
			for i := 0; i < b; i++ {
				copy(lp.Row(i), nv.Row(i)[nb:])
			}
			t.SampleVis(nv, nv, nil, false, u.src.Uint64())
			for i := 0; i < b; i++ {
				copy(nv.Row(i)[nb:], lp.Row(i))
			}
		} else {
			t.SampleVis(nv, nv, nil, false, u.src.Uint64())
		}
		t.HidMeans(nv, nil, nh)
		if k < cdk-1 {
			t.SampleHid(ths, nh, u.src.Uint64())
		}
	}
	if !apply {
		mat.Mul(ws.gradTop, tv, true, th, false, lr, 0)
		mat.Mul(ws.gradTop, nv, true, nh, false, -lr, 1)
		mat.ColSumsTo(ws.gb, tv, lr, 0)
		mat.ColSumsTo(ws.gb, nv, -lr, 1)
		mat.ColSumsTo(ws.ga, th, lr, 0)
		mat.ColSumsTo(ws.ga, nh, -lr, 1)
		return nv
	}
	mat.Mul(ws.gradTop, tv, true, th, false, 1, 0)
	mat.Mul(ws.gradTop, nv, true, nh, false, -1, 1)
	mat.ColSumsTo(ws.gb, tv, 1, 0)
	mat.ColSumsTo(ws.gb, nv, -1, 1)
	mat.ColSumsTo(ws.ga, th, 1, 0)
	mat.ColSumsTo(ws.ga, nh, -1, 1)
	mat.Axpy(lr, ws.gradTop.Data, t.W)
	mat.Axpy(lr, ws.gb, t.VisBias)
	mat.Axpy(lr, ws.ga, t.HidBias)
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
// dRec_l = sleep_l' (sleep_{l+1} - p(sleep_{l+1} | sleep_l)).
func (u *UpDownTrainer) learn(b int, lr float32) {
	ws := &u.ws
	for l, g := range u.D.Gen {
		p := ws.pred[l].Resize(b, ws.pred[l].Cols)
		g.VisMeans(ws.w[l+1], p)
		mat.Sub(p.Data, ws.w[l].Data, p.Data)
		mat.Mul(g.Weights(), p, true, ws.w[l+1], false, lr, 1)
		mat.ColSumsTo(g.VisBias, p, lr, 1)
	}
	for l, r := range u.D.Rec {
		p := ws.pred[l+1].Resize(b, ws.pred[l+1].Cols)
		r.HidMeans(ws.s[l], nil, p)
		mat.Sub(p.Data, ws.s[l+1].Data, p.Data)
		mat.Mul(r.Weights(), ws.s[l], true, p, false, lr, 1)
		mat.ColSumsTo(r.HidBias, p, lr, 1)
	}
}

// gradients is learn for a schedule with momentum or weight decay: it
// writes the lower layers' gradients times scale to the velocity's
// buffers instead of adding them to the weights.
func (u *UpDownTrainer) gradients(b int, scale float32) {
	ws, v := &u.ws, u.ws.vel
	for l, g := range u.D.Gen {
		p := ws.pred[l].Resize(b, ws.pred[l].Cols)
		g.VisMeans(ws.w[l+1], p)
		mat.Sub(p.Data, ws.w[l].Data, p.Data)
		mat.Mul(v.genW[l], p, true, ws.w[l+1], false, scale, 0)
		mat.ColSumsTo(v.genB[l], p, scale, 0)
	}
	for l, r := range u.D.Rec {
		p := ws.pred[l+1].Resize(b, ws.pred[l+1].Cols)
		r.HidMeans(ws.s[l], nil, p)
		mat.Sub(p.Data, ws.s[l+1].Data, p.Data)
		mat.Mul(v.recW[l], ws.s[l], true, p, false, scale, 0)
		mat.ColSumsTo(v.recB[l], p, scale, 0)
	}
}
