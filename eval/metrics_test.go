package eval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// denseScorer scores from an explicit n x n matrix: row q holds query q's
// scores. It does not implement BlockScorer.
type denseScorer struct {
	n int
	s []float32
}

func (d denseScorer) Len() int { return d.n }
func (d denseScorer) Score(q int, dst []float32) {
	copy(dst, d.s[q*d.n:(q+1)*d.n])
}

// bruteForce is the reference implementation of the protocol: it fully
// sorts the other documents of every query (score descending, position
// ascending, comparing float32 values) and reads the metrics off the list.
// MAP walks the list: at each relevant document, the precision of the
// list up to it.
func bruteForce(s Scorer, labels []string) (prec, acc []float64, mapv float64, queries int) {
	n := s.Len()
	prec = make([]float64, len(RecallLevels))
	acc = make([]float64, len(KLevels))
	scores := make([]float32, n)
	for q := range n {
		if labels[q] == "" {
			continue
		}
		s.Score(q, scores)
		var order []int
		R := 0
		for d := range n {
			if d != q {
				order = append(order, d)
				if labels[d] == labels[q] {
					R++
				}
			}
		}
		if R == 0 {
			continue
		}
		queries++
		slices.SortStableFunc(order, func(a, b int) int {
			sa, sb := scores[a], scores[b]
			na, nb := sa != sa, sb != sb // NaN ranks last
			switch {
			case na && !nb:
				return 1
			case nb && !na:
				return -1
			case na && nb:
			case sa > sb:
				return -1
			case sa < sb:
				return 1
			}
			return a - b
		})
		// relRank[j-1] is the rank of the j-th relevant document.
		var relRank []int
		for i, d := range order {
			if labels[d] == labels[q] {
				relRank = append(relRank, i+1)
			}
		}
		for l, r := range RecallLevels {
			// j = max(1, ceil(r*R)) in exact rational arithmetic.
			x := new(big.Rat).Mul(ratOf(r), big.NewRat(int64(R), 1))
			j := new(big.Int).Quo(x.Num(), x.Denom())
			if !x.IsInt() {
				j.Add(j, big.NewInt(1))
			}
			jj := max(int(j.Int64()), 1)
			prec[l] += float64(jj) / float64(relRank[jj-1])
		}
		var ap float64
		hits := 0
		for i, d := range order {
			if labels[d] == labels[q] {
				hits++
				ap += float64(hits) / float64(i+1)
			}
		}
		mapv += ap / float64(R)
		for l, k := range KLevels {
			k = min(k, n-1)
			hits := 0
			for _, d := range order[:k] {
				if labels[d] == labels[q] {
					hits++
				}
			}
			acc[l] += float64(hits) / float64(k)
		}
	}
	for l := range prec {
		prec[l] /= float64(queries)
	}
	for l := range acc {
		acc[l] /= float64(queries)
	}
	return prec, acc, mapv / float64(queries), queries
}

func ratOf(r float64) *big.Rat {
	x, ok := new(big.Rat).SetString(RecallKey(r))
	if !ok {
		panic("bad recall level")
	}
	return x
}

func checkCurve(t *testing.T, c Curve, prec, acc []float64, mapv, tol float64) {
	t.Helper()
	if len(c.PrecisionAtRecall) != len(RecallLevels) || len(c.AccuracyAtK) != len(KLevels) {
		t.Fatalf("curve has %d recall and %d k entries", len(c.PrecisionAtRecall), len(c.AccuracyAtK))
	}
	for l, r := range RecallLevels {
		if got := c.PrecisionAtRecall[RecallKey(r)]; math.Abs(got-prec[l]) > tol {
			t.Errorf("precision at recall %v = %.15g, want %.15g", r, got, prec[l])
		}
	}
	for l, k := range KLevels {
		if got := c.AccuracyAtK[KKey(k)]; math.Abs(got-acc[l]) > tol {
			t.Errorf("accuracy at %d = %.15g, want %.15g", k, got, acc[l])
		}
	}
	if math.Abs(c.MAP-mapv) > tol {
		t.Errorf("MAP = %.15g, want %.15g", c.MAP, mapv)
	}
}

// TestEvaluateHand checks a 5-document case worked out by hand.
func TestEvaluateHand(t *testing.T) {
	t.Parallel()
	// Documents x and y are alone in their class (R = 0): not queries.
	labels := []string{"a", "a", "x", "a", "y"}
	s := denseScorer{n: 5, s: []float32{
		0, 0.9, 0.8, 0.8, 0.1, // q0: d1, d2, d3 (ties with d2, comes later), d4 -> relevant at ranks 1, 3
		0, 0, 0, 0, 0, // q1: all tie, position order d0, d2, d3, d4 -> relevant at ranks 1, 3
		0, 0, 0, 0, 0, // d2 is not a query
		0.1, 0.2, 0.3, 0, 0.4, // q3: d4, d2, d1, d0 -> relevant at ranks 3, 4
		0, 0, 0, 0, 0, // d4 is not a query
	}}
	//
	// precision: j = 1 for r <= 0.5 (R = 2): (1/1 + 1/1 + 1/3) / 3 = 7/9;
	//            j = 2 for r = 0.8, 1: (2/3 + 2/3 + 2/4) / 3 = 11/18.
	// accuracy (k capped at n-1 = 4): k=1: (1+1+0)/3; k=3: (2/3+2/3+1/3)/3;
	//            k>=4: (2/4+2/4+2/4)/3.
	// average precision: q0, q1: (1/1 + 2/3)/2 = 5/6; q3: (1/3 + 2/4)/2 =
	//            5/12; MAP = (5/6 + 5/6 + 5/12)/3 = 25/36.
	prec := []float64{7. / 9, 7. / 9, 7. / 9, 7. / 9, 7. / 9, 7. / 9, 7. / 9, 7. / 9, 7. / 9, 11. / 18, 11. / 18}
	acc := []float64{2. / 3, 5. / 9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
	c, nq := Evaluate(s, labels)
	if nq != 3 {
		t.Errorf("queries = %d, want 3", nq)
	}
	checkCurve(t, c, prec, acc, 25./36, 1e-15)
}

// TestEvaluateMAP checks mean average precision and precision at 1, 3 and
// 10 on hand-worked cases of 12 documents, four of them labeled "a" and the
// rest unlabeled (ranked, but neither queries nor relevant).
func TestEvaluateMAP(t *testing.T) {
	t.Parallel()
	labels := make([]string, 12)
	for _, d := range []int{0, 2, 5, 10} {
		labels[d] = "a"
	}
	for _, tc := range []struct {
		name         string
		score        func(q, d int) float32
		mapv, p1, p3 float64
		p10          float64
	}{{
		// All scores tie, so every query ranks the others by position:
		//   q0:  d2, d5, d10 at ranks 2, 5, 10: AP = (1/2 + 2/5 + 3/10)/3 = 36/90
		//   q2:  d0, d5, d10 at ranks 1, 5, 10: AP = (1 + 2/5 + 3/10)/3   = 51/90
		//   q5:  d0, d2, d10 at ranks 1, 3, 10: AP = (1 + 2/3 + 3/10)/3   = 59/90
		//   q10: d0, d2, d5 at ranks 1, 3, 6:   AP = (1 + 2/3 + 3/6)/3    = 65/90
		// MAP = 211/360; P@1 = 3/4; P@3 = (1 + 1 + 2 + 2)/3/4 = 1/2;
		// P@10 = 3/10 for every query.
		name:  "ties",
		score: func(q, d int) float32 { return 0 },
		mapv:  211. / 360, p1: 3. / 4, p3: 1. / 2, p10: 3. / 10,
	}, {
		// Score = position: every query ranks the others from d11 down:
		//   q0:  d10, d5, d2 at ranks 2, 7, 10: AP = (1/2 + 2/7 + 3/10)/3
		//   q2:  d10, d5, d0 at ranks 2, 7, 11: AP = (1/2 + 2/7 + 3/11)/3
		//   q5:  d10, d2, d0 at ranks 2, 9, 11: AP = (1/2 + 2/9 + 3/11)/3
		//   q10: d5, d2, d0 at ranks 6, 9, 11:  AP = (1/6 + 2/9 + 3/11)/3
		// P@1 = 0; P@3 = (1 + 1 + 1 + 0)/3/4 = 1/4; P@10 = (3 + 2 + 2 + 2)/10/4.
		name:  "reversed",
		score: func(q, d int) float32 { return float32(d) },
		mapv:  (1./2 + 2./7 + 3./10 + 1./2 + 2./7 + 3./11 + 1./2 + 2./9 + 3./11 + 1./6 + 2./9 + 3./11) / 12,
		p1:    0, p3: 1. / 4, p10: 9. / 40,
	}} {
		s := denseScorer{n: 12, s: make([]float32, 144)}
		for q := range 12 {
			for d := range 12 {
				s.s[q*12+d] = tc.score(q, d)
			}
		}
		c, nq := Evaluate(s, labels)
		if nq != 4 {
			t.Errorf("%s: queries = %d, want 4", tc.name, nq)
		}
		for _, w := range []struct {
			what      string
			got, want float64
		}{
			{"MAP", c.MAP, tc.mapv},
			{"precision at 1", c.AccuracyAtK[KKey(1)], tc.p1},
			{"precision at 3", c.AccuracyAtK[KKey(3)], tc.p3},
			{"precision at 10", c.AccuracyAtK[KKey(10)], tc.p10},
		} {
			if math.Abs(w.got-w.want) > 1e-15 {
				t.Errorf("%s: %s = %.17g, want %.17g", tc.name, w.what, w.got, w.want)
			}
		}
	}
}

// TestEvaluateBruteForce compares Evaluate with the full-sort reference on
// random scores drawn from a few values, so that ties are common, including
// -0 against +0, infinities and NaN.
func TestEvaluateBruteForce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, classes, values int
		unlabeled          float64
	}{
		{n: 2, classes: 1, values: 2},
		{n: 7, classes: 2, values: 2},
		{n: 60, classes: 3, values: 4, unlabeled: 0.1},
		{n: 300, classes: 7, values: 5, unlabeled: 0.05},
		{n: 1500, classes: 20, values: 50},
	} {
		rng := rand.New(rand.NewPCG(uint64(tc.n), 7))
		labels := make([]string, tc.n)
		for i := range labels {
			if rng.Float64() >= tc.unlabeled {
				labels[i] = string(rune('A' + rng.IntN(tc.classes)))
			}
		}
		s := denseScorer{n: tc.n, s: make([]float32, tc.n*tc.n)}
		for i := range s.s {
			v := float32(rng.IntN(tc.values)) - 1
			switch {
			case v == 0 && rng.IntN(2) == 0:
				v = float32(math.Copysign(0, -1))
			case rng.IntN(50) == 0:
				v = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}[rng.IntN(3)]
			}
			s.s[i] = v
		}
		prec, acc, mapv, nq := bruteForce(s, labels)
		c, got := Evaluate(s, labels)
		if got != nq {
			t.Errorf("n=%d: queries = %d, want %d", tc.n, got, nq)
		}
		if nq == 0 {
			continue
		}
		checkCurve(t, c, prec, acc, mapv, 1e-12)
	}
}

// TestEvaluateNoQueries: with no document sharing a label, nothing is
// averaged and the curve is empty (NaN would not encode as JSON).
func TestEvaluateNoQueries(t *testing.T) {
	t.Parallel()
	s := denseScorer{n: 3, s: make([]float32, 9)}
	c, nq := Evaluate(s, []string{"a", "b", ""})
	if nq != 0 || len(c.PrecisionAtRecall) != 0 || len(c.AccuracyAtK) != 0 || c.MAP != 0 {
		t.Errorf("got %d queries, curve %v", nq, c)
	}
}

// TestEvaluateBlock checks that the BlockScorer path gives the same curve
// as scoring one query at a time.
func TestEvaluateBlock(t *testing.T) {
	t.Parallel()
	const n, dim = 257, 3
	rng := rand.New(rand.NewPCG(3, 4))
	vecs := make([]float32, n*dim)
	for i := range vecs {
		vecs[i] = float32(rng.IntN(3) - 1) // many exact ties and some zero rows
	}
	labels := make([]string, n)
	for i := range labels {
		labels[i] = string(rune('a' + rng.IntN(4)))
	}
	cs := CosineScorer(vecs, dim)
	c1, n1 := Evaluate(cs, labels)
	c2, n2 := Evaluate(onlyScorer{cs}, labels)
	if n1 != n2 {
		t.Fatalf("queries %d vs %d", n1, n2)
	}
	prec, acc, mapv, _ := bruteForce(onlyScorer{cs}, labels)
	checkCurve(t, c1, prec, acc, mapv, 1e-12)
	checkCurve(t, c2, prec, acc, mapv, 1e-12)
}

// onlyScorer hides a BlockScorer's ScoreBlock method.
type onlyScorer struct{ Scorer }

func TestRankKey(t *testing.T) {
	t.Parallel()
	negZero := float32(math.Copysign(0, -1))
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	// Each entry must rank strictly above the next.
	order := []struct {
		s   float32
		pos int
	}{
		{inf, 9}, {1, 0}, {1, 1}, {1e-30, 5}, {0, 2}, {negZero, 3}, {0, 4},
		{-1e-30, 0}, {-1, 0}, {float32(math.Inf(-1)), 0}, {nan, 0}, {nan, 1},
	}
	for i := 1; i < len(order); i++ {
		a, b := order[i-1], order[i]
		if rankKey(a.s, a.pos) <= rankKey(b.s, b.pos) {
			t.Errorf("(%v, %d) does not rank above (%v, %d)", a.s, a.pos, b.s, b.pos)
		}
	}
}

func TestRecallCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r    float64
		R, j int
	}{
		{0.1, 30, 3}, // 0.1*30 = 3.0000000000000004 in float64
		{0.001, 376, 1},
		{0.1, 376, 38},
		{0.8, 5, 4},
		{1.0, 7, 7},
		{0.2, 1, 1},
		{0.05, 20, 1},
		{0.4, 10, 4},
	} {
		if got := recallCount(tc.r, tc.R); got != tc.j {
			t.Errorf("recallCount(%v, %d) = %d, want %d", tc.r, tc.R, got, tc.j)
		}
	}
}

func TestLowerBound(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for n := range 40 {
		a := make([]uint64, n)
		for i := range a {
			a[i] = uint64(2 * rng.IntN(50))
		}
		slices.Sort(a)
		for x := uint64(0); x < 102; x++ {
			want, _ := slices.BinarySearch(a, x)
			if got := lowerBound(a, x); got != want {
				t.Fatalf("lowerBound(%v, %d) = %d, want %d", a, x, got, want)
			}
		}
	}
}

func TestRecallKey(t *testing.T) {
	t.Parallel()
	var got []string
	for _, r := range RecallLevels {
		got = append(got, RecallKey(r))
	}
	want := []string{"0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.4", "0.8", "1.0"}
	if !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
}

// TestEvaluateQueries: the curve of a set of queries is the mean of its
// queries' curves, each ranking every document; unlabelled queries and
// those alone with their label are skipped; nil means every document.
func TestEvaluateQueries(t *testing.T) {
	t.Parallel()
	const n = 120
	rng := rand.New(rand.NewPCG(5, 6))
	labels := make([]string, n)
	for i := range labels {
		labels[i] = string(rune('a' + rng.IntN(3)))
	}
	labels[0], labels[1] = "", "alone"
	s := denseScorer{n: n, s: make([]float32, n*n)}
	for i := range s.s {
		s.s[i] = float32(rng.IntN(7))
	}
	all, na := Evaluate(s, labels)
	if c, nq := EvaluateQueries(s, labels, nil); nq != na || !reflect.DeepEqual(c, all) {
		t.Errorf("nil queries: %d, %v; Evaluate %d, %v", nq, c, na, all)
	}
	from := []int{0, 1, 5, 17, 40, 41, 99}
	c, nq := EvaluateQueries(s, labels, from)
	if nq != 5 {
		t.Fatalf("%d queries, want 5 (the unlabelled and the lone one skipped)", nq)
	}
	var sum float64
	for _, q := range from[2:] {
		one, _ := EvaluateQueries(s, labels, []int{q})
		sum += one.PrecisionAtRecall[RecallKey(0.1)]
	}
	if got, want := c.PrecisionAtRecall[RecallKey(0.1)], sum/5; math.Abs(got-want) > 1e-12 {
		t.Errorf("precision at recall 0.1: %g, the mean of its queries' %g", got, want)
	}
}
