package index

import (
	"context"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/search/highlight/highlighter/ansi" // StyleANSI: registered by import
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Keyword runs q on the full-text index with bleve's scoring and returns
// the best size hits, best first, with the number of documents that match.
// Hit.Score is bleve's score (BM25, see ScoringModel), not a cosine, with
// the average field lengths norm chooses.
func (ix *Index) Keyword(ctx context.Context, q query.Query, size int, norm Norm) ([]Hit, uint64, error) {
	if size <= 0 {
		return nil, 0, nil
	}
	sctx, err := ix.bm25Context(ctx, q, norm)
	if err != nil {
		return nil, 0, err
	}
	req := bleve.NewSearchRequestOptions(q, min(size, len(ix.docs)), 0, false)
	res, err := ix.text.SearchInContext(sctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("index: keyword search: %w", err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		pos, ok := ix.byID[h.ID]
		if !ok {
			return nil, 0, fmt.Errorf("%w: %s: the full-text index returned %q, which the code store lacks",
				ErrCorrupt, ix.Generation(), h.ID)
		}
		hits = append(hits, Hit{Pos: pos, Score: float32(h.Score)})
	}
	return hits, res.Total, nil
}

// Highlight styles for Snippets.
const (
	StyleHTML  = "html" // text HTML-escaped, matches in <mark>...</mark>
	StyleANSI  = "ansi" // matches in ANSI reverse video, for terminals
	StylePlain = ""     // the plain text of the fragment
)

// SnippetRunes is about the length of a snippet.
const SnippetRunes = 200

// Snippets returns a snippet of the text of each document at pos: the best
// fragment around the terms of q where q matches the document (q may be
// nil), else the beginning of the text. style is StyleHTML, StyleANSI or
// StylePlain.
func (ix *Index) Snippets(ctx context.Context, q query.Query, pos []int, style string) ([]string, error) {
	out := make([]string, len(pos))
	if len(pos) == 0 {
		return out, nil
	}
	ids := make([]string, len(pos))
	for i, p := range pos {
		ids[i] = ix.docs[p].ID
	}
	var sq query.Query = bleve.NewDocIDQuery(ids)
	if q != nil {
		b := bleve.NewBooleanQuery()
		b.AddMust(sq)
		b.AddShould(q)
		sq = b
	}
	req := bleve.NewSearchRequestOptions(sq, len(ids), 0, false)
	req.Fields = []string{FieldText}
	hstyle := style
	if style == StylePlain {
		hstyle = StyleHTML // the best fragment, its markup taken off below
	}
	req.Highlight = bleve.NewHighlightWithStyle(hstyle)
	req.Highlight.AddField(FieldText)
	res, err := ix.text.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: snippets: %w", err)
	}
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	for _, h := range res.Hits {
		i, ok := at[h.ID]
		if !ok {
			continue
		}
		if f := h.Fragments[FieldText]; len(f) > 0 {
			out[i] = oneLine(f[0])
			if style == StylePlain {
				out[i] = html.UnescapeString(markTags.Replace(out[i]))
			}
			continue
		}
		text, _ := h.Fields[FieldText].(string)
		out[i] = oneLine(cut(text, SnippetRunes))
		if style == StyleHTML {
			out[i] = htmlEscape(out[i])
		}
	}
	return out, nil
}

// cut returns the first n runes of s, with "…" when it is longer.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i] + "…"
}

// oneLine collapses runs of white space into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var markTags = strings.NewReplacer("<mark>", "", "</mark>", "")

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func htmlEscape(s string) string { return htmlEscaper.Replace(s) }

// Text returns the stored text of the document at position pos.
func (ix *Index) Text(pos int) (string, error) {
	d, err := ix.text.Document(ix.docs[pos].ID)
	if err != nil {
		return "", fmt.Errorf("index: reading the text of %q: %w", ix.docs[pos].ID, err)
	}
	if d == nil {
		return "", fmt.Errorf("%w: %s: the full-text index lacks %q", ErrCorrupt, ix.Generation(), ix.docs[pos].ID)
	}
	var text string
	d.VisitFields(func(f bindex.Field) {
		if f.Name() == FieldText {
			text = string(f.Value())
		}
	})
	return text, nil
}

// Terms of a more-like-this query, after Lucene's MoreLikeThis: a term
// must occur MLTMinTermFreq times in the document and in MLTMinDocFreq
// documents of the index; the MLTMaxTerms terms of highest tf x idf, with
// Lucene's classic idf 1 + ln(N / (df + 1)), make the query. Lucene's
// defaults are 2, 5 and 25; 1, 2 and 50 ranked better on held-out 20
// Newsgroups training posts (precision at recall 0.1 0.47 against 0.39;
// RECIPES.md, "Keyword and hybrid ranking").
const (
	MLTMinTermFreq = 1
	MLTMinDocFreq  = 2
	MLTMaxTerms    = 50
)

// MoreLikeThis returns the keyword query of "documents like the one at
// pos": a disjunction of its most telling terms (see MLTMaxTerms) on the
// text field, or a query that matches nothing when no term qualifies. The
// terms are the document's words as written, analyzed without
// IdentifierFilter: the parts of identifiers, host names and addresses
// serve typed queries, but as terms of a whole document they drew its
// neighbours away from its topic (held-out 20 Newsgroups posts, RECIPES.md
// "Words inside identifiers").
func (ix *Index) MoreLikeThis(ctx context.Context, pos int) (query.Query, error) {
	text, err := ix.Text(pos)
	if err != nil {
		return nil, err
	}
	an := ix.text.Mapping().AnalyzerNamed(en.AnalyzerName)
	tf := make(map[string]int)
	for _, t := range an.Analyze([]byte(text)) {
		tf[string(t.Term)]++
	}
	adv, err := ix.text.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	type scored struct {
		term  string
		score float64
	}
	terms := make([]scored, 0, len(tf))
	n := float64(len(ix.docs))
	for t, c := range tf {
		if c < MLTMinTermFreq {
			continue
		}
		tfr, err := r.TermFieldReader(ctx, []byte(t), FieldText, false, false, false)
		if err != nil {
			return nil, err
		}
		df := tfr.Count()
		_ = tfr.Close()
		if df < MLTMinDocFreq {
			continue
		}
		terms = append(terms, scored{t, float64(c) * (1 + math.Log(n/float64(df+1)))})
	}
	slices.SortFunc(terms, func(a, b scored) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.term, b.term)
	})
	terms = terms[:min(len(terms), MLTMaxTerms)]
	if len(terms) == 0 {
		return bleve.NewMatchNoneQuery(), nil
	}
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := bleve.NewTermQuery(t.term)
		tq.SetField(FieldText)
		qs[i] = tq
	}
	return bleve.NewDisjunctionQuery(qs...), nil
}
