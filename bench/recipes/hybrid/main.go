// Command hybrid measures ways of fusing the keyword and the code rankings,
// the experiment behind query.HybridWeight and the choice of z-scores
// (RECIPES.md, "Keyword and hybrid ranking"). Run it on an index of
// held-out TRAINING documents, never on the test split:
//
//	bench/recipes/hybrid/split.sh   # 20news-bydate-train -> /tmp/val/train80.jsonl, held20.jsonl
//	docsearch index --train /tmp/val/train80.jsonl --corpus /tmp/val/held20.jsonl --index /tmp/val/ix
//	go run ./bench/recipes/hybrid -index /tmp/val/ix -protocol doc
//	go run ./bench/recipes/hybrid -index /tmp/val/ix -protocol title
//
// The keyword and semantic scores come from the product (query.Engine.Scores
// in keyword and semantic mode, exactly as `docsearch query` ranks); the
// fusions are computed here from them, and the product's own hybrid mode is
// evaluated beside them as a check.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/query"
)

func main() {
	dir := flag.String("index", "/tmp/val/ix", "index of held-out training documents")
	protocol := flag.String("protocol", "doc", "doc (each document queries the others) or title (each title does)")
	window := flag.Int("window", query.FusionWindow, "keyword hits read per query (the product reads query.FusionWindow)")
	titleBoost := flag.Float64("title", query.DefaultTitleBoost, "query.Engine.TitleBoost: boost of the clause matching a text query's words in the titles (0: none)")
	allWords := flag.Float64("allwords", 0, "query.Engine.AllWordsBoost: boost of the clause matching every word of a text query (0: off, as the product)")
	fbDocs := flag.Int("fbdocs", query.DefaultFeedbackDocs, "query.Engine.FeedbackDocs: keyword hits whose codes move a hybrid text query's code (0: none)")
	fbWeight := flag.Float64("fbweight", query.DefaultFeedbackWeight, "query.Engine.FeedbackWeight: their weight")
	flag.Parse()
	eng, err := query.Open(*dir)
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()
	eng.AllWordsBoost = *allWords
	eng.TitleBoost = *titleBoost
	eng.FeedbackDocs, eng.FeedbackWeight = *fbDocs, *fbWeight
	ix := eng.Index
	n := ix.Len()
	labels := make([]string, n)
	for i := range n {
		labels[i] = ix.Doc(i).Label
	}
	req := requests(ix, *protocol)
	s := readSides(eng, req, *window)
	fmt.Printf("%s protocol, %s, %d documents, keyword window %d\n", *protocol, *dir, n, *window)
	printTable(s.methods(eng, req), labels)
	os.Exit(0)
}

// requests returns the request of query q in mode m under the protocol:
// the document itself ("doc"), or its title, without "Re:", leaving the
// document out ("title").
func requests(ix *index.Index, protocol string) func(q int, m query.Mode) query.Request {
	return func(q int, m query.Mode) query.Request {
		if protocol == "doc" {
			return query.Request{DocID: ix.Doc(q).ID, Mode: m}
		}
		t := strings.TrimSpace(ix.Doc(q).Title)
		for len(t) >= 3 && strings.EqualFold(t[:3], "re:") {
			t = strings.TrimSpace(t[3:])
		}
		return query.Request{Text: t, Mode: m, Exclude: ix.Doc(q).ID}
	}
}

// sides holds both sides of every query, read once from the product:
// keyword scores of the best window hits (0 elsewhere), cosines (NaN: no
// code).
type sides struct {
	n   int
	kw  [][]hit
	cos [][]float32
}

func readSides(eng *query.Engine, req func(int, query.Mode) query.Request, window int) *sides {
	n := eng.Index.Len()
	s := &sides{n: n, kw: make([][]hit, n), cos: make([][]float32, n)}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float32, n)
			for q := int(next.Add(1)) - 1; q < n; q = int(next.Add(1)) - 1 {
				if err := eng.Scores(context.Background(), req(q, query.Keyword), buf); err == nil {
					s.kw[q] = best(buf, window)
				}
				c := make([]float32, n)
				if err := eng.Scores(context.Background(), req(q, query.Semantic), c); err == nil {
					s.cos[q] = c
				}
			}
		}()
	}
	wg.Wait()
	return s
}

// sem writes the cosines of query q to dst, NaN where a document has no
// code, all 0 when q has none.
func (s *sides) sem(q int, dst []float32) {
	if s.cos[q] == nil {
		fill(dst, 0)
		return
	}
	copy(dst, s.cos[q])
	for i, x := range dst {
		if math.IsInf(float64(x), -1) {
			dst[i] = float32(math.NaN())
		}
	}
}

// key writes the keyword scores of query q to dst.
func (s *sides) key(q int, dst []float32) {
	fill(dst, 0)
	for _, h := range s.kw[q] {
		dst[h.pos] = h.score
	}
}

// method is a ranking to evaluate.
type method struct {
	name string
	f    func(q int, dst []float32)
}

// methods returns the rankings compared: each side alone, reciprocal rank
// fusion, sums of normalized scores, a short list by code ranked by
// keywords, and the product's hybrid mode.
func (s *sides) methods(eng *query.Engine, req func(int, query.Mode) query.Request) []method {
	methods := []method{{"keyword", s.key}, {"semantic", s.sem}}
	for _, k := range []float64{10, 60} {
		methods = append(methods, method{fmt.Sprintf("rrf-%g", k), s.rrf(k)})
	}
	for _, w := range []float64{1, 2, 3, 4, 6} {
		methods = append(methods, method{fmt.Sprintf("z-%g", w), s.normalizedSum(zscore, w)})
	}
	for _, w := range []float64{0.5, 1, 2} {
		methods = append(methods, method{fmt.Sprintf("minmax-%g", w), s.normalizedSum(minmax, w)})
	}
	for _, l := range []int{20, 100, 300} {
		methods = append(methods, method{fmt.Sprintf("shortlist-%d", l), s.shortlist(l)})
	}
	methods = append(methods, method{"product-hybrid", func(q int, dst []float32) {
		if err := eng.Scores(context.Background(), req(q, query.Hybrid), dst); err != nil {
			fill(dst, float32(math.Inf(-1)))
		}
	}})
	return methods
}

// rrf is reciprocal rank fusion with constant k: sum over the sides of
// 1/(k + rank).
func (s *sides) rrf(k float64) func(q int, dst []float32) {
	return func(q int, dst []float32) {
		sc := make([]float32, s.n)
		s.sem(q, sc)
		fill(dst, 0)
		for r, i := range order(sc, q) {
			dst[i] += float32(1 / (k + float64(r+1)))
		}
		for r, h := range s.kw[q] {
			dst[h.pos] += float32(1 / (k + float64(r+1)))
		}
	}
}

// normalizedSum is keyword + w * semantic, each side normalized by stat
// over the query's documents.
func (s *sides) normalizedSum(stat func([]float64) (float64, float64), w float64) func(q int, dst []float32) {
	return func(q int, dst []float32) {
		sc := make([]float32, s.n)
		s.sem(q, sc)
		normalize(sc, q, stat)
		s.key(q, dst)
		normalize(dst, q, stat)
		for i := range dst {
			dst[i] += float32(w) * zeroNaN(sc[i])
		}
	}
}

// shortlist is semantic hashing (Salakhutdinov & Hinton 2009): the codes
// pick a short list of l that the keyword score ranks; the rest by code.
func (s *sides) shortlist(l int) func(q int, dst []float32) {
	return func(q int, dst []float32) {
		s.sem(q, dst)
		k := make([]float32, s.n)
		s.key(q, k)
		for r, i := range order(dst, q) {
			if r < l {
				dst[i] = 10 + k[i] + 1e-3*dst[i]
			}
		}
	}
}

// printTable evaluates every method on labels and prints a row each.
func printTable(methods []method, labels []string) {
	rl := []float64{0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8}
	ks := []int{1, 3, 7, 10, 15}
	fmt.Printf("%-15s", "method")
	for _, r := range rl {
		fmt.Printf(" %7s", fmt.Sprintf("R%g", r))
	}
	for _, k := range ks {
		fmt.Printf(" %7s", fmt.Sprintf("P@%d", k))
	}
	fmt.Printf(" %7s\n", "MAP")
	for _, m := range methods {
		c, _ := eval.Evaluate(scorer{len(labels), m.f}, labels)
		fmt.Printf("%-15s", m.name)
		for _, r := range rl {
			fmt.Printf(" %7.4f", c.PrecisionAtRecall[eval.RecallKey(r)])
		}
		for _, k := range ks {
			fmt.Printf(" %7.4f", c.AccuracyAtK[eval.KKey(k)])
		}
		fmt.Printf(" %7.4f\n", c.MAP)
	}
}

type hit struct {
	pos   int
	score float32
}

// best returns the window highest finite scores of s, best first.
func best(s []float32, window int) []hit {
	var hs []hit
	for i, x := range s {
		if !math.IsInf(float64(x), -1) {
			hs = append(hs, hit{i, x})
		}
	}
	slices.SortStableFunc(hs, func(a, b hit) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return a.pos - b.pos
	})
	return hs[:min(len(hs), window)]
}

type scorer struct {
	n int
	f func(q int, dst []float32)
}

func (s scorer) Len() int                   { return s.n }
func (s scorer) Score(q int, dst []float32) { s.f(q, dst) }

func fill(dst []float32, x float32) {
	for i := range dst {
		dst[i] = x
	}
}

func zeroNaN(x float32) float32 {
	if math.IsNaN(float64(x)) {
		return 0
	}
	return x
}

// order returns the documents by score, best first (NaN last), q left out.
func order(s []float32, q int) []int {
	idx := make([]int, 0, len(s))
	for i := range s {
		if i != q {
			idx = append(idx, i)
		}
	}
	key := func(i int) float32 {
		if math.IsNaN(float64(s[i])) {
			return float32(math.Inf(-1))
		}
		return s[i]
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case key(a) > key(b):
			return -1
		case key(a) < key(b):
			return 1
		}
		return a - b
	})
	return idx
}

func zscore(vals []float64) (float64, float64) {
	var sum, sq float64
	for _, x := range vals {
		sum += x
		sq += x * x
	}
	m := sum / float64(len(vals))
	return m, math.Sqrt(max(sq/float64(len(vals))-m*m, 0))
}

func minmax(vals []float64) (float64, float64) {
	lo, hi := slices.Min(vals), slices.Max(vals)
	return lo, hi - lo
}

// normalize maps s to (s - a) / b with a, b from stat over every document
// but q with a value; NaN stays NaN, b = 0 gives 0.
func normalize(s []float32, q int, stat func([]float64) (float64, float64)) {
	vals := make([]float64, 0, len(s))
	for i, x := range s {
		if i != q && !math.IsNaN(float64(x)) {
			vals = append(vals, float64(x))
		}
	}
	if len(vals) == 0 {
		return
	}
	a, b := stat(vals)
	for i, x := range s {
		switch {
		case math.IsNaN(float64(x)):
		case b == 0:
			s[i] = 0
		default:
			s[i] = float32((float64(x) - a) / b)
		}
	}
}
