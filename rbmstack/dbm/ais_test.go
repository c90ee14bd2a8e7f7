package dbm

import (
	"context"
	"math"
	"testing"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack/internal/testcase"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

func TestExactLogZAgreesWithVisibleEnumeration(t *testing.T) {
	t.Parallel()
	// testcase.LogLik enumerates the 2^6 visible states; ExactLogZ
	// enumerates the 2^4 hidden ones. log p(v) of the same data must agree.
	r := rbm.New(rbm.Binary, rbm.Binary, 6, 4, 1, 5)
	r.VisBias[0], r.HidBias[1] = 0.7, -1.2
	data := testcase.TwoPatterns(50, 2)
	d, err := FromRBM(r)
	if err != nil {
		t.Fatal(err)
	}
	logZ, err := d.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	var ll float64
	for i := 0; i < data.Rows; i++ {
		ll += exactLogPStar(d, data.Row(i))
	}
	ll = ll/float64(data.Rows) - logZ
	if want := testcase.LogLik(r.NVis, r.NHid, r.W, r.VisBias, r.HidBias, data); math.Abs(ll-want) > 1e-9 {
		t.Errorf("log-likelihood %.12f via ExactLogZ, %.12f by visible enumeration", ll, want)
	}
}

func TestAISMatchesExactLogZ(t *testing.T) {
	t.Parallel()
	r := rbm.New(rbm.Binary, rbm.Binary, 10, 8, 1, 11)
	src := rng.New(12, 12)
	for i := range r.VisBias {
		r.VisBias[i] = float32(src.Norm()) * 0.5
	}
	for i := range r.HidBias {
		r.HidBias[i] = float32(src.Norm()) * 0.5
	}
	one, _ := FromRBM(r)
	// A base-rate model from samples of 0.3-probability units, as from data.
	base := make([]float32, 10)
	for i := range base {
		base[i] = float32(math.Log(0.3 / 0.7))
	}
	dbm := randomDBM([]int{8, 6, 4}, 1, 0.5, 13)
	// Three hidden layers: h^1 and h^3 summed out, v and h^2 sampled.
	dbm3 := randomDBM([]int{6, 5, 4, 3}, 1, 0.5, 14)
	// Base hidden biases of either sign, as from posteriors.
	hid := func(sizes ...int) [][]float32 {
		var out [][]float32
		for _, n := range sizes {
			b := make([]float32, n)
			for i := range b {
				b[i] = float32(src.Norm())
			}
			out = append(out, b)
		}
		return out
	}
	cases := []struct {
		name string
		d    *DBM
		base []float32
		hid  [][]float32
	}{
		{"rbm 10x8", one, base, nil},
		{"dbm 8-6-4", dbm, nil, nil},
		{"dbm 6-5-4-3", dbm3, base[:6], nil},
		{"rbm 10x8 hidden base", one, base, hid(8)},
		{"dbm 8-6-4 hidden base", dbm, nil, hid(6, 4)},
		{"dbm 6-5-4-3 hidden base", dbm3, base[:6], [][]float32{nil, hid(4)[0], hid(3)[0]}},
	}
	for _, c := range cases {
		for _, odd := range []bool{false, true} {
			name := c.name + "/even chains"
			if odd {
				name = c.name + "/odd chains"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				exact, err := c.d.ExactLogZ()
				if err != nil {
					t.Fatal(err)
				}
				res, err := c.d.AIS(context.Background(), AISConfig{Runs: 100, Betas: 10000, BaseVisBias: c.base, BaseHidBias: c.hid, OddChains: odd, Seed: 1}, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("AIS log Z %.4f [%.4f, %.4f] (100 runs, 10,000 betas), exact %.4f, base %.4f", res.LogZ, res.LogZLow, res.LogZHigh, exact, res.LogZBase)
				// The tolerance: 0.1 nats.
				if math.Abs(res.LogZ-exact) > 0.1 {
					t.Errorf("AIS log Z %.4f, exact %.4f", res.LogZ, exact)
				}
				if !(res.LogZHigh >= res.LogZ && res.LogZLow <= res.LogZ) {
					t.Errorf("error bar [%g, %g] does not hold %g", res.LogZLow, res.LogZHigh, res.LogZ)
				}
				if !res.Reliable() || res.ESS > 100 {
					t.Errorf("effective sample size %.1f of 100 runs (log-weight s.d. %.3f) on a model AIS gets right", res.ESS, res.LogWStd)
				}
			})
		}
	}
}

// TestAISSpread checks the diagnostics of the log weights: equal weights
// count fully, one weight far above the rest counts once.
func TestAISSpread(t *testing.T) {
	r := newAISResult(0, []float64{3, 3, 3, 3})
	sd, ess := r.LogWStd, r.ESS
	if sd != 0 || math.Abs(ess-4) > 1e-12 {
		t.Errorf("equal weights: s.d. %g, ESS %g; want 0 and 4", sd, ess)
	}
	r = newAISResult(0, []float64{0, -40, -40, -40})
	sd, ess = r.LogWStd, r.ESS
	if math.Abs(sd-math.Sqrt(300)) > 1e-9 || math.Abs(ess-1) > 1e-9 {
		t.Errorf("one dominant weight: s.d. %g, ESS %g; want %g and 1", sd, ess, math.Sqrt(300))
	}
	r = &AISResult{LogW: make([]float64, 100), ESS: 9.9}
	if r.Reliable() {
		t.Error("ESS 9.9 of 100 runs called reliable")
	}
}

func TestAISBetas(t *testing.T) {
	t.Parallel()
	for _, k := range []int{3, 10, 1000, 14500} {
		b := AISBetas(k)
		if len(b) != k+1 || b[0] != 0 || b[k] != 1 {
			t.Fatalf("AISBetas(%d): %d values from %g to %g", k, len(b), b[0], b[len(b)-1])
		}
		for i := 1; i <= k; i++ {
			if !(b[i] > b[i-1]) {
				t.Fatalf("AISBetas(%d) not increasing at %d: %g, %g", k, i, b[i-1], b[i])
			}
		}
	}
	// The paper's schedule: 500 steps to 0.5, 4,000 to 0.9.
	if b := AISBetas(14500); b[500] != 0.5 || math.Abs(b[4500]-0.9) > 1e-12 {
		t.Errorf("AISBetas(14500)[500] = %g, [4500] = %g", b[500], b[4500])
	}
}
