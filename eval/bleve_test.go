package eval

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/simple"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/docsearch/docsearch/vocab"
)

// TestBM25MatchesBleve compares the native BM25 Scorer with bleve v2.6.3's
// BM25 (IndexMappingImpl.ScoringModel = index.BM25Scoring = "bm25").
//
// What runs. bleve's index packages (the root package, scorch, upsidedown,
// search/searcher, search/query, mapping) cannot be built with this
// module's go.mod and go.sum: they need zapx, vellum, scorch_segment_api,
// gtreap, ... which are not required. So this test runs the bleve code that
// builds: the "simple" analyzer (letter tokenizer + lowercase) on every
// document, and bleve's own scorers, search/scorer.TermQueryScorer (one per
// query term) and DisjunctionQueryScorer. It feeds them the statistics that
// bleve's searcher and scorch index give them in v2.6.3, reproduced here
// from that source:
//
//   - docTotal = the index's document count, docTerm = the term's document
//     frequency (searcher.newTermSearcherFromReader);
//   - avgDocLength = ceil(FieldCardinality / docCount)
//     (searcher.bm25ScoreMetrics), where scorch's FieldCardinality is the
//     number of distinct terms in the field's dictionary, summed over
//     segments (IndexSnapshot.FieldCardinality, zapx Dictionary.Cardinality),
//     not the number of tokens;
//   - Norm = float32(1/sqrt(number of tokens of the field)) (zapx
//     Posting.Norm), from which the scorer takes the length back as 1/Norm²;
//   - a DisjunctionQuery of TermQuerys sets every term's query norm
//     (DisjunctionSliceSearcher/DisjunctionHeapSearcher.computeQueryNorm):
//     queryNorm = 1/sqrt(sum_t idf(t)²), and each term's score is then
//     multiplied by queryWeight = idf(t) * queryNorm.
//
// A one-off run against a real index (bleve.NewUsing("", m, scorch.Name,
// scorch.Name, nil), in a scratch copy of the module with the missing
// requirements added) gave the same scores as bleveScores below with
// bleveShipped, to 6e-16 relative, and the same hits, for all 20 queries
// of this corpus (one Batch, so one segment). Note that bleve.NewMemOnly
// builds an upsidedown index, which has no BM25Reader: avgDocLength is then
// 0 and bleve silently scores by TF-IDF (scores off by up to 1.8e4 times).
//
// What bleve v2.6.3 computes for a disjunction of the query's distinct
// terms (checked exactly below against the closed form bleveFormula):
//
//	score(q, d) = coord * queryNorm * sum_{t in q∩d} idf(t)² * k1 √tf / (√tf + k1 (1 - b + b len(d)/avgB))
//	coord       = |q∩d| / |q|,  queryNorm = 1/sqrt(sum_{t in q} idf(t)²)
//	avgB        = ceil(distinct terms of the field / N)
//
// against the native (Okapi, as Lucene since 6.0)
//
//	score(q, d) = sum_{t in q∩d} idf(t) * tf (k1+1) / (tf + k1 (1 - b + b len(d)/avglen)),  avglen = mean len
//
// Five differences: bleve (1) takes √tf for tf, (2) weights each term by
// idf² (the query norm makes the ranking use idf twice), (3) multiplies by
// the coordination factor, (4) divides by the ceiled dictionary size per
// document instead of the mean document length (here ceil(40/60) = 1, so
// every document counts as many times longer than average), and (5) drops
// the constant (k1+1) (which alone would not change the ranking). They are
// bleve's behaviour, not Okapi BM25's, so the native scorer keeps the
// documented Okapi formula, and the test checks:
//
//  1. the native scores equal the Okapi formula (1e-5 relative, float32);
//  2. bleve's scorer, with the shipped statistics, equals bleveFormula
//     (1e-12 relative) and scores exactly the documents sharing a term;
//  3. bleve's scorer with differences (1)-(4) undone through its inputs
//     (Freq = tf², avgDocLength = the mean length, no query norm, summing
//     the term scores instead of the coord-weighted disjunction) ranks every
//     query's hits exactly as the native scorer, with the constant score
//     ratio k1/(k1+1) (difference (5)) to 1e-5 relative;
//  4. it logs how far the shipped bleve ranking is from the native one,
//     in all and with each difference alone; nothing is asserted there.
func TestBM25MatchesBleve(t *testing.T) {
	m := bleveTestCorpus(t)
	n := m.Rows()
	native := BM25(m, BM25K1, BM25B)
	ref := newOkapiRef(m, BM25K1, BM25B)

	shipped := bleveShipped(m)
	aligned := bleveStats{avgLen: ref.avg, squareFreq: true}
	if shipped.avgLen != 1 {
		t.Fatalf("bleve avgDocLength = %g, want ceil(40/60) = 1", shipped.avgLen)
	}
	t.Logf("%d documents, %d tokens; mean length %.3f, bleve's avgDocLength %g",
		n, int(ref.avg*float64(n)+0.5), ref.avg, shipped.avgLen)

	one := func(s bleveStats, f func(*bleveStats)) bleveStats { f(&s); return s }
	alone := []struct {
		name string
		s    bleveStats
	}{
		{"sqrt(tf)", one(aligned, func(s *bleveStats) { s.squareFreq = false })},
		{"idf² (query norm)", one(aligned, func(s *bleveStats) { s.queryNorm = true })},
		{"coord", one(aligned, func(s *bleveStats) { s.coord = true })},
		{"avgDocLength", one(aligned, func(s *bleveStats) { s.avgLen = shipped.avgLen })},
		{"all (shipped)", shipped},
	}
	disc := make([]rankDiff, len(alone))

	dst := make([]float32, n)
	queries := 0
	for q := 0; q < n; q += 3 {
		queries++
		native.Score(q, dst)
		nat := make([]float64, n)
		for d := range n {
			if d != q {
				nat[d] = float64(dst[d])
			}
		}

		// 1. Native = Okapi.
		for d := range n {
			if d == q {
				continue
			}
			want := ref.score(q, d)
			if math.Abs(nat[d]-want) > 1e-5*math.Abs(want) {
				t.Errorf("query %d doc %d: native %g, Okapi %g", q, d, nat[d], want)
			}
		}

		// 2. Shipped bleve = bleveFormula, hits = documents sharing a term.
		got := bleveScores(m, q, shipped)
		for d := range n {
			want := bleveFormula(m, q, d, ref, shipped.avgLen)
			if (got[d] > 0) != (nat[d] > 0) {
				t.Errorf("query %d doc %d: bleve hit %v, native hit %v", q, d, got[d] > 0, nat[d] > 0)
			}
			if math.Abs(got[d]-want) > 1e-12*math.Abs(want) {
				t.Errorf("query %d doc %d: bleve %.17g, formula %.17g", q, d, got[d], want)
			}
		}

		// 3. Aligned bleve ranks as native, ratio k1/(k1+1).
		checkSameRanking(t, q, nat, bleveScores(m, q, aligned), BM25K1/(BM25K1+1))

		// 4. Measured distance of the shipped ranking and of each difference.
		for i, a := range alone {
			disc[i].add(nat, bleveScores(m, q, a.s))
		}
	}
	for i, a := range alone {
		t.Logf("bleve with %-18s vs native over %d queries: %s", a.name, queries, disc[i].String())
	}
}

// bleveWords is the vocabulary, most frequent first: lowercase letters
// only, no English stop words, so the simple analyzer keeps every token.
var bleveWords = [...]string{
	"amber", "basil", "cedar", "delta", "ember", "fjord", "gamma", "heron",
	"indigo", "juniper", "kelp", "lumen", "maple", "nectar", "onyx", "pepper",
	"quartz", "raven", "sage", "tundra", "umber", "violet", "willow", "xenon",
	"yarrow", "zephyr", "acorn", "birch", "cobalt", "dune", "flint", "garnet",
	"hazel", "iris", "jade", "krill", "lotus", "moss", "nutmeg", "opal",
}

// bleveTestCorpus returns 60 documents of 10 to 80 words drawn with Zipf
// weights 1/rank from bleveWords, as term counts. It checks that bleve's
// simple analyzer gives back exactly the drawn tokens of each document's
// text, so the counts and lengths are those bleve would index.
func bleveTestCorpus(t *testing.T) *vocab.Matrix {
	t.Helper()
	const nDocs = 60
	cdf := make([]float64, len(bleveWords))
	var sum float64
	for r := range cdf {
		sum += 1 / float64(r+1)
		cdf[r] = sum
	}
	an, err := registry.NewCache().AnalyzerNamed("simple")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2024, 11))
	m := vocab.NewMatrix(len(bleveWords))
	for i := range nDocs {
		words := make([]string, 10+rng.IntN(71))
		counts := make([]float32, len(bleveWords))
		for k := range words {
			r, _ := slices.BinarySearch(cdf, rng.Float64()*sum)
			r = min(r, len(bleveWords)-1)
			words[k] = bleveWords[r]
			counts[r]++
		}
		toks := an.Analyze([]byte(strings.Join(words, " ")))
		if len(toks) != len(words) {
			t.Fatalf("doc %d: simple analyzer gave %d tokens for %d words", i, len(toks), len(words))
		}
		for k, tok := range toks {
			if string(tok.Term) != words[k] {
				t.Fatalf("doc %d token %d: %q, want %q", i, k, tok.Term, words[k])
			}
		}
		var v vocab.Vector
		for j, c := range counts {
			if c > 0 {
				v.Idx = append(v.Idx, int32(j))
				v.Val = append(v.Val, c)
			}
		}
		m.Append(v)
	}
	return m
}

// okapiRef holds the corpus statistics for the Okapi formula, in float64.
type okapiRef struct {
	m     *vocab.Matrix
	k1, b float64
	idf   []float64
	df    []int
	avg   float64
}

func newOkapiRef(m *vocab.Matrix, k1, b float64) *okapiRef {
	n := m.Rows()
	r := &okapiRef{m: m, k1: k1, b: b, idf: make([]float64, m.Cols), df: docFreq(m)}
	for j, f := range r.df {
		r.idf[j] = math.Log(1 + (float64(n)-float64(f)+0.5)/(float64(f)+0.5))
	}
	for i := range n {
		r.avg += float64(m.RowSum(i))
	}
	r.avg /= float64(n)
	return r
}

// rowCount returns the count of term j in row d of m.
func rowCount(m *vocab.Matrix, d int, j int32) float64 {
	idx, val := m.Row(d)
	if k, ok := slices.BinarySearch(idx, j); ok {
		return float64(val[k])
	}
	return 0
}

func (r *okapiRef) score(q, d int) float64 {
	qidx, _ := r.m.Row(q)
	norm := r.k1 * (1 - r.b + r.b*float64(r.m.RowSum(d))/r.avg)
	var s float64
	for _, j := range qidx {
		if tf := rowCount(r.m, d, j); tf > 0 {
			s += r.idf[j] * tf * (r.k1 + 1) / (tf + norm)
		}
	}
	return s
}

// bleveFormula is the closed form of bleve v2.6.3's BM25 score of document
// d for the disjunction of the distinct terms of q (see the test comment),
// with k1 = 1.2, b = 0.75 (search.BM25_k1, search.BM25_b).
func bleveFormula(m *vocab.Matrix, q, d int, r *okapiRef, avgB float64) float64 {
	if q == d {
		return 0
	}
	qidx, _ := m.Row(q)
	k1, b := search.BM25_k1, search.BM25_b
	length := 1 / math.Pow(float64(float32(1/math.Sqrt(float64(m.RowSum(d))))), 2)
	var sumIDF2, s float64
	matched := 0
	for _, j := range qidx {
		sumIDF2 += r.idf[j] * r.idf[j]
		if tf := rowCount(m, d, j); tf > 0 {
			matched++
			st := math.Sqrt(tf)
			s += r.idf[j] * r.idf[j] * k1 * st / (st + k1*(1-b+b*length/avgB))
		}
	}
	return float64(matched) / float64(len(qidx)) / math.Sqrt(sumIDF2) * s
}

// bleveStats says what bleve's scorers are fed.
type bleveStats struct {
	avgLen     float64 // avgDocLength passed to every TermQueryScorer
	queryNorm  bool    // set the disjunction's query norm, as its searcher does
	coord      bool    // combine by DisjunctionQueryScorer (sum * coord), else plain sum
	squareFreq bool    // pass Freq = tf² so that bleve's √Freq is tf
}

// bleveShipped returns the statistics bleve v2.6.3 feeds its scorers for
// m in one scorch segment.
func bleveShipped(m *vocab.Matrix) bleveStats {
	distinct := 0
	for _, f := range docFreq(m) {
		if f > 0 {
			distinct++
		}
	}
	return bleveStats{
		avgLen:    math.Ceil(float64(distinct) / float64(m.Rows())),
		queryNorm: true,
		coord:     true,
	}
}

// bleveScores runs bleve's TermQueryScorer (one per distinct term of row q)
// and DisjunctionQueryScorer over every row d != q of m, as bleve's term
// and disjunction searchers drive them, and returns the scores, zero where
// no term matches and at q.
func bleveScores(m *vocab.Matrix, q int, s bleveStats) []float64 {
	n := m.Rows()
	df := docFreq(m)
	qidx, _ := m.Row(q)
	opts := search.SearcherOptions{}
	terms := make([]*scorer.TermQueryScorer, len(qidx))
	var sumSq float64
	for k, j := range qidx {
		terms[k] = scorer.NewTermQueryScorer([]byte(bleveWords[j]), "body", 1,
			uint64(n), uint64(df[j]), s.avgLen, opts)
		sumSq += terms[k].Weight()
	}
	if s.queryNorm {
		qn := 1 / math.Sqrt(sumSq)
		for _, ts := range terms {
			ts.SetQueryNorm(qn)
		}
	}
	ctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(len(qidx)+1, 0)}
	disj := scorer.NewDisjunctionQueryScorer(opts)
	out := make([]float64, n)
	var cons []*search.DocumentMatch
	for d := range n {
		if d == q {
			continue
		}
		id := index.IndexInternalID(strconv.Itoa(d))
		norm := float64(float32(1 / math.Sqrt(float64(m.RowSum(d)))))
		cons = cons[:0]
		for k, j := range qidx {
			tf := uint64(rowCount(m, d, j))
			if tf == 0 {
				continue
			}
			if s.squareFreq {
				tf *= tf
			}
			cons = append(cons, terms[k].Score(ctx, &index.TermFieldDoc{
				Term: bleveWords[j], ID: id, Freq: tf, Norm: norm,
			}))
		}
		if len(cons) == 0 {
			continue
		}
		if s.coord {
			out[d] = disj.Score(ctx, cons, len(cons), len(qidx)).Score
		} else {
			for _, dm := range cons {
				out[d] += dm.Score
			}
		}
		for _, dm := range cons {
			ctx.DocumentMatchPool.Put(dm)
		}
	}
	return out
}

// checkSameRanking checks that other scores the same documents as nat,
// with other/nat = ratio to 1e-5 relative, and orders every pair of them
// whose native scores differ by more than 1e-4 relative as nat does.
func checkSameRanking(t *testing.T, q int, nat, other []float64, ratio float64) {
	t.Helper()
	for d := range nat {
		if (nat[d] > 0) != (other[d] > 0) {
			t.Errorf("query %d doc %d: native %g, bleve %g", q, d, nat[d], other[d])
			continue
		}
		if nat[d] > 0 && math.Abs(other[d]/nat[d]-ratio) > 1e-5*ratio {
			t.Errorf("query %d doc %d: bleve/native = %.7g, want %.7g", q, d, other[d]/nat[d], ratio)
		}
	}
	for a := range nat {
		for c := range nat {
			if nat[a] <= 0 || nat[c] <= 0 || nat[a]-nat[c] <= 1e-4*nat[a] {
				continue
			}
			if other[a] <= other[c] {
				t.Errorf("query %d: native ranks doc %d (%g) above doc %d (%g), bleve does not (%g, %g)",
					q, a, nat[a], c, nat[c], other[a], other[c])
			}
		}
	}
}

// rankDiff accumulates how far two rankings of the same hits are apart.
type rankDiff struct {
	pairs, discordant int // hit pairs with distinct native scores; ordered otherwise
	top1, top10       int // queries with the same first hit; shared hits in the top 10s
	queries, hits     int
}

func (r *rankDiff) add(nat, other []float64) {
	var hits []int
	for d := range nat {
		if nat[d] > 0 {
			hits = append(hits, d)
		}
	}
	for _, a := range hits {
		for _, c := range hits {
			if nat[a]-nat[c] > 1e-4*nat[a] {
				r.pairs++
				if other[a] <= other[c] {
					r.discordant++
				}
			}
		}
	}
	by := func(s []float64) []int {
		h := slices.Clone(hits)
		slices.SortStableFunc(h, func(x, y int) int {
			switch {
			case s[x] > s[y]:
				return -1
			case s[x] < s[y]:
				return 1
			}
			return 0
		})
		return h
	}
	hn, ho := by(nat), by(other)
	r.queries++
	r.hits += len(hits)
	if len(hits) > 0 && hn[0] == ho[0] {
		r.top1++
	}
	k := min(10, len(hits))
	for _, d := range hn[:k] {
		if slices.Contains(ho[:k], d) {
			r.top10++
		}
	}
}

func (r *rankDiff) String() string {
	return "discordant pairs " + strconv.Itoa(r.discordant) + "/" + strconv.Itoa(r.pairs) +
		" (" + strconv.FormatFloat(100*float64(r.discordant)/float64(max(r.pairs, 1)), 'f', 1, 64) + "%)" +
		", same top-1 " + strconv.Itoa(r.top1) + "/" + strconv.Itoa(r.queries) +
		", top-10 overlap " + strconv.FormatFloat(float64(r.top10)/float64(max(r.queries, 1)), 'f', 1, 64) + "/10"
}
