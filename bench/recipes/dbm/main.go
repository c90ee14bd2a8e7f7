// Command dbm compares DBM training recipes on a slice of MNIST: it
// pretrains a 784-500-1000 DBM (cached in /tmp by its settings), trains it
// jointly, and prints weight and unit statistics, the AIS log Z and the
// variational bound on the first -nt test images. README's 20,000-image
// figures for the DBM recipe come from it, for example
//
//	go run ./bench/recipes/dbm -n 20000 -pe 20 -pwd 1e-3 -je 10 -jlr 0.01 -mom 0.5 -aisr 10 -aisb 3000 -nt 1000
package main

import (
	"context"
	"encoding/gob"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/docsearch/docsearch/mnist"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/dbm"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

func stats(tag string, d *dbm.DBM, x *mat.Dense) {
	for l, w := range d.W {
		var ss, mx float64
		for _, v := range w {
			ss += float64(v * v)
			mx = math.Max(mx, math.Abs(float64(v)))
		}
		fmt.Printf("%s W%d rms %.4f max %.3f\n", tag, l, math.Sqrt(ss/float64(len(w))), mx)
	}
	for l, b := range d.B {
		mn, mx, s := math.Inf(1), math.Inf(-1), 0.0
		for _, v := range b {
			mn = math.Min(mn, float64(v))
			mx = math.Max(mx, float64(v))
			s += float64(v)
		}
		fmt.Printf("%s B%d min %.3f mean %.3f max %.3f\n", tag, l, mn, s/float64(len(b)), mx)
	}
	post := d.Posterior(x, 10)
	for l, p := range post {
		n := p.Cols
		on, off := 0, 0
		var tot float64
		for j := 0; j < n; j++ {
			var m float64
			for i := 0; i < p.Rows; i++ {
				m += float64(p.Data[i*n+j])
			}
			m /= float64(p.Rows)
			tot += m
			if m > 0.99 {
				on++
			}
			if m < 0.01 {
				off++
			}
		}
		fmt.Printf("%s layer %d mean act %.3f always-on %d always-off %d of %d\n", tag, l+1, tot/float64(n), on, off, n)
	}
}

func main() {
	n := flag.Int("n", 20000, "train images")
	pe := flag.Int("pe", 10, "pretrain epochs")
	plr := flag.Float64("plr", 0.05, "pretrain lr")
	pwd := flag.Float64("pwd", 2e-4, "pretrain weight decay")
	je := flag.Int("je", 5, "joint epochs")
	jlr := flag.Float64("jlr", 0.005, "joint lr")
	aisr := flag.Int("aisr", 20, "")
	aisb := flag.Int("aisb", 5000, "")
	nt := flag.Int("nt", 2000, "test images for bound")
	skipPre := flag.Bool("skippre", false, "skip evaluating the pretrained DBM")
	mom := flag.Float64("mom", 0, "momentum after epoch 5 (0: the default, 0.9)")
	flag.Parse()
	ctx, obs := context.Background(), rbmstack.ProgressBars(os.Stderr)
	dir, err := mnist.DefaultDir()
	check(err)
	train, test, err := mnist.Load(dir)
	check(err)
	tr := train.Slice(0, *n)
	x := mat.NewDense(tr.N, tr.Dim(), tr.Images)
	xs := mat.NewDense(1000, tr.Dim(), tr.Images[:1000*tr.Dim()])
	tb := mnist.Binarize(test.Slice(0, *nt), 0xb1a5)
	start := time.Now()
	cache := fmt.Sprintf("/tmp/dbmpre-%d-%d-%g-%g.gob", *n, *pe, *plr, *pwd)
	d := cached(cache, func() *dbm.DBM {
		cfg := mnist.DBMPretrain
		cfg.Epochs, cfg.LR, cfg.WeightDecay, cfg.Seed = *pe, float32(*plr), float32(*pwd), 1
		p, err := dbm.NewPretrainer(x, []int{784, 500, 1000}, cfg)
		check(err)
		check(p.Train(ctx, obs))
		d, err := p.DBM()
		check(err)
		return d
	})
	fmt.Fprintf(os.Stderr, "pretrain %v\n", time.Since(start))
	stats("pre", d, xs)
	eval := func(tag string) {
		// The AIS of mnist dbm: base hidden units from the posteriors on
		// (at most) 10,000 of the images, chains over h1.
		n, c := x.Dims()
		n = min(n, 10000)
		cfg := dbm.AISConfig{Runs: *aisr, Betas: *aisb, BaseVisBias: dbm.BaseRateBias(x),
			BaseHidBias: d.BaseRateHidBias(mat.NewDense(n, c, x.Data[:n*c]), 10), OddChains: true, Seed: 3}
		a, err := d.AIS(ctx, cfg, obs)
		check(err)
		b := d.LogProbBound(tb, a.LogZ, 10)
		fmt.Printf("%s logZ %.2f (+%.2f, ESS %.1f of %d) bound %.2f\n", tag, a.LogZ, a.LogZHigh-a.LogZ, a.ESS, *aisr, b)
	}
	if !*skipPre {
		eval("pre")
	}
	jcache := fmt.Sprintf("%s-joint-%d-%g-%g.gob", cache, *je, *jlr, *mom)
	if *je > 0 {
		d = cached(jcache, func() *dbm.DBM {
			t, err := dbm.NewTrainer(d, x, dbm.Config{Schedule: rbmstack.Schedule{Epochs: *je, LR: float32(*jlr), Momentum: float32(*mom)}, Seed: 20})
			check(err)
			check(t.Train(ctx, func(e rbmstack.Event) error {
				if e.Kind == rbmstack.EpochEnd {
					fmt.Printf("joint epoch %d recon %.3f lr %.4g\n", e.Epoch, e.Loss, e.LR)
				}
				return obs.Notify(e)
			}))
			return d
		})
	}
	if *je > 0 {
		stats("joint", d, xs)
		eval("joint")
	}
	fmt.Fprintf(os.Stderr, "total %v\n", time.Since(start))
}

// cached returns the DBM gob-encoded in path, or makes it and stores it
// there.
func cached(path string, build func() *dbm.DBM) *dbm.DBM {
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		d := new(dbm.DBM)
		check(gob.NewDecoder(f).Decode(d))
		return d
	}
	d := build()
	f, err := os.Create(path)
	check(err)
	check(gob.NewEncoder(f).Encode(d))
	check(f.Close())
	return d
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
