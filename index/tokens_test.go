package index

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search"
)

// postingTokens counts ix's tokens from its postings, the ground truth
// the meta's counts must equal.
func postingTokens(t *testing.T, ix *Index) Tokens {
	t.Helper()
	adv, err := ix.text.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tok, err := sumPostings(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func checkTokens(t *testing.T, dir, when string) *Index {
	t.Helper()
	ix := mustOpen(t, dir)
	if ix.meta.Tokens == nil {
		t.Fatalf("%s: the meta keeps no token counts", when)
	}
	if got, want := *ix.meta.Tokens, postingTokens(t, ix); got != want {
		t.Fatalf("%s: the meta counts %+v tokens, the postings %+v", when, got, want)
	}
	return ix
}

// tokenEntry is a document with identifiers (whose parts count as tokens),
// stop words and, for some, no title or label.
func tokenEntry(i int) Entry {
	e := testEntry(5, i, 3)
	e.Text += fmt.Sprintf(" The bufio.Scanner reads line by line; ReadLine_%d is older.", i)
	if i%4 == 0 {
		e.Title = ""
	}
	if i%5 == 0 {
		e.Label = ""
	}
	return e
}

// TestTokensKept: every way of writing a generation (Create, Update's adds,
// removes and replacements, Reanalyze, and the first update of an index
// written before the counts existed) leaves token counts in its meta equal
// to its postings'.
func TestTokensKept(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, 3, "fp")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if err := w.Add(tokenEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	checkTokens(t, dir, "created")

	w, err = Update(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 40; i < 60; i++ {
		if err := w.Add(tokenEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Removed: documents of the live generation and documents added by this
	// very update; one replaced (removed and added again, with another text).
	for _, i := range []int{0, 3, 5, 41, 59} {
		if err := w.Remove(tokenEntry(i).ID); err != nil {
			t.Fatal(err)
		}
	}
	e := tokenEntry(7)
	if err := w.Remove(e.ID); err != nil {
		t.Fatal(err)
	}
	e.Text = "replaced by a much shorter text"
	if err := w.Add(e); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	checkTokens(t, dir, "updated")

	// An index of the plain English analysis, without counts, as one
	// written before they were kept: opened, it counts its postings; its
	// first update stores the counts, and Reanalyze counts them anew.
	old := t.TempDir()
	w, err = Create(old, 3, "fp")
	if err != nil {
		t.Fatal(err)
	}
	w.analyzer = en.AnalyzerName
	for i := range 30 {
		if err := w.Add(tokenEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	w.tokensKnown = false
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	ix := mustOpen(t, old)
	if ix.meta.Tokens != nil {
		t.Fatal("the old-style index keeps counts")
	}
	got, err := ix.tokens()
	if err != nil {
		t.Fatal(err)
	}
	if want := postingTokens(t, ix); got != want {
		t.Fatalf("counted %+v tokens from the postings, want %+v", got, want)
	}
	ix.Close()
	w, err = Update(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(tokenEntry(30)); err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(tokenEntry(1).ID); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	checkTokens(t, old, "first update of an old index")

	// Reanalyze counts anew: the identifier filter gives "bufio.Scanner"
	// and "ReadLine_7" their parts as further tokens.
	w, err = Update(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(tokenEntry(31)); err != nil {
		t.Fatal(err)
	}
	if err := w.Reanalyze(); err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(tokenEntry(31).ID); err != nil { // added before the rewrite
		t.Fatal(err)
	}
	if err := w.Remove(tokenEntry(2).ID); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	checkTokens(t, old, "reanalyzed")
}

// TestKeywordNorm: with NormTokens a term's BM25 score uses the field's
// true average length in tokens (rounded up, as bleve rounds its own
// estimate); NormBleve keeps bleve's estimate, distinct terms per
// document, which here is several times smaller.
func TestKeywordNorm(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, 2, "fp")
	if err != nil {
		t.Fatal(err)
	}
	lengths := []int{1, 4, 16, 64, 9}
	for i, n := range lengths {
		text := "kiwi"
		for j := range n - 1 {
			text += fmt.Sprintf(" filler%d", j%12)
		}
		e := Entry{Doc: Doc{ID: fmt.Sprint(i), Label: "l", Words: n, Known: 1}, Text: text, Code: []float32{1, float32(i)}}
		if i == len(lengths)-1 {
			e.Text = "plum plum " + text[len("kiwi "):] // no kiwi: the average counts it all the same
		}
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	ix := mustOpen(t, dir)
	total := 0
	for _, n := range lengths {
		total += n
	}
	nDocs := float64(len(lengths))
	avg := math.Ceil(float64(total) / nDocs)
	df := float64(len(lengths) - 1)
	idf := math.Log(1 + (nDocs-df+0.5)/(df+0.5))
	q := bleve.NewTermQuery("kiwi")
	q.SetField(FieldText)
	for _, norm := range []Norm{NormTokens, NormBleve} {
		hits, _, err := ix.Keyword(context.Background(), q, 10, norm)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != len(lengths)-1 {
			t.Fatalf("%d hits, want %d", len(hits), len(lengths)-1)
		}
		for _, h := range hits {
			n := float64(lengths[h.Pos])
			// bleve's BM25 (scorer_term.go): tf is the square root of the
			// frequency, here 1.
			want := idf * search.BM25_k1 / (1 + search.BM25_k1*(1-search.BM25_b+search.BM25_b*n/avg))
			match := math.Abs(float64(h.Score)-want) < 1e-5*want
			if match != (norm == NormTokens) {
				t.Errorf("norm %d: doc of %v tokens scores %v; true-length BM25 gives %v", norm, n, h.Score, want)
			}
		}
	}
	// A field the index does not have matches nothing and is no error.
	if ids := keywordIDs(t, ix, "author:kiwi"); len(ids) != 0 {
		t.Errorf("author:kiwi found %v", ids)
	}
	if ids := keywordIDs(t, ix, "kiwi label:l"); len(ids) != len(lengths) {
		t.Errorf("kiwi label:l found %v", ids)
	}
}
