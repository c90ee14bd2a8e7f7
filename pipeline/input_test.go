package pipeline

import (
	"math"
	"testing"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/vocab"
)

// TestInputWeights: the log-idf input weighs word j by ln(N/df) (a word in
// no document as if in one), the counts input by nothing; Weigh gives
// ln(1+count) x weight; the fine-tuning cases feed the raw counts (the net
// weighs them) against the weighted word proportions.
func TestInputWeights(t *testing.T) {
	t.Parallel()
	m := vocab.NewMatrix(3)
	m.Append(vocab.Vector{Idx: []int32{0, 1}, Val: []float32{1, 3}})
	m.Append(vocab.Vector{Idx: []int32{0}, Val: []float32{2}})
	if w := (Recipe{Input: InputCounts}).InputWeights(m); w != nil || Weigh(m, w) != m {
		t.Fatalf("counts input: weights %v", w)
	}
	w := Recipe{Input: InputLogIDF}.InputWeights(m)
	want := []float64{0, math.Log(2), math.Log(2)}
	for j := range want {
		if math.Abs(float64(w[j])-want[j]) > 1e-6 {
			t.Fatalf("weights %v, want %v", w, want)
		}
	}
	x := Weigh(m, w)
	if got := x.Val[1]; math.Abs(float64(got)-math.Log(4)*math.Log(2)) > 1e-6 || x.Val[0] != 0 || m.Val[1] != 3 {
		t.Fatalf("weighed %v (counts %v)", x.Val, m.Val)
	}
	in, tg := make([]float32, 3), make([]float32, 3)
	Reconstruction(m, w, autoencoder.SoftmaxCE).Fill([]int{0}, in, tg)
	if in[0] != 1 || in[1] != 3 || tg[0] != 0 || math.Abs(float64(tg[1])-1) > 1e-6 {
		t.Fatalf("input %v, target %v; want the counts and the weighted proportions", in, tg)
	}
}

// TestProfileInputs: the paper profile weighs its input and trains its code
// layer with fresh noise; the quick profile keeps the counts and no noise;
// binary codes keep the paper's noise drawn once.
func TestProfileInputs(t *testing.T) {
	t.Parallel()
	p, err := RecipeFor(Paper, []int{50, 10}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Input != PaperInput || p.FineTune.CodeNoise != PaperCodeNoise || !p.FineTune.FreshNoise {
		t.Errorf("paper: input %s, noise %g, fresh %v", p.Input, p.FineTune.CodeNoise, p.FineTune.FreshNoise)
	}
	if h := HashRecipeFor(p, 32, 1); h.Input != p.Input || h.FineTune.CodeNoise != HashNoise || h.FineTune.FreshNoise {
		t.Errorf("hash: input %s, noise %g, fresh %v", h.Input, h.FineTune.CodeNoise, h.FineTune.FreshNoise)
	}
	q, err := RecipeFor(Quick, []int{50, 10}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if q.Input != InputCounts || q.FineTune.CodeNoise != 0 || q.FineTune.FreshNoise {
		t.Errorf("quick: input %s, noise %g, fresh %v", q.Input, q.FineTune.CodeNoise, q.FineTune.FreshNoise)
	}
	r, err := recipe(Options{Profile: Paper, Hidden: []int{50}, Code: 10, FineTune: FineTuneCG})
	if err != nil {
		t.Fatal(err)
	}
	c := r.FineTune
	c.EnsureDefaults()
	if err := c.Validate(); err != nil || c.FreshNoise {
		t.Errorf("paper with conjugate gradients: %v, fresh noise %v", err, c.FreshNoise)
	}
}
