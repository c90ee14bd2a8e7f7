package index

import (
	"context"
	"fmt"
	"math"
	"runtime"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Tokens counts the tokens the full-text index holds in each field over
// the live documents (an identifier's parts count beside it, as bleve
// counts them): what BM25's average field lengths are made of. The default
// field, which holds all three, has their sum.
type Tokens struct {
	Text  uint64 `json:"text"`
	Title uint64 `json:"title"`
	Label uint64 `json:"label"`
}

func (t *Tokens) add(u Tokens) { t.Text += u.Text; t.Title += u.Title; t.Label += u.Label }

func (t *Tokens) sub(u Tokens) { t.Text -= u.Text; t.Title -= u.Title; t.Label -= u.Label }

// countTokens counts the tokens the fields of a document (FieldText,
// FieldTitle, FieldLabel) give under mapping m, as bleve indexes them.
func countTokens(m mapping.IndexMapping, fields map[string]string) Tokens {
	n := func(f string) uint64 {
		return uint64(len(m.AnalyzerNamed(m.AnalyzerNameForPath(f)).Analyze([]byte(fields[f]))))
	}
	return Tokens{Text: n(FieldText), Title: n(FieldTitle), Label: n(FieldLabel)}
}

// count counts the tokens of a document being indexed under mapping m on
// another goroutine, beside bleve's own analysis of it (the analysis is
// most of the cost of counting: about 8 MB of text a second), and adds
// them to the Writer's counts. At most GOMAXPROCS documents are counted at
// once; counting.Wait waits for them all.
func (w *Writer) count(m mapping.IndexMapping, id string, fields map[string]string) {
	if w.countSem == nil {
		w.countSem = make(chan struct{}, runtime.GOMAXPROCS(0))
	}
	w.countSem <- struct{}{}
	w.counting.Add(1)
	go func() {
		defer func() {
			<-w.countSem
			w.counting.Done()
		}()
		t := countTokens(m, fields)
		w.countMu.Lock()
		defer w.countMu.Unlock()
		w.tokens.add(t)
		if w.added != nil {
			w.added[id] = t
		}
	}()
}

// storedFields returns the stored text, title and label of a bleve document.
func storedFields(d bindex.Document) map[string]string {
	fields := map[string]string{}
	d.VisitFields(func(f bindex.Field) {
		switch f.Name() {
		case FieldText, FieldTitle, FieldLabel:
			fields[f.Name()] = string(f.Value())
		}
	})
	return fields
}

// sumPostings counts the tokens of every field of a full-text index
// written before Meta.Tokens existed, from its postings: each occurrence of
// a term is one token. It reads every posting (about 0.3 s for the 7,532
// posts of 20 Newsgroups' test split), so indexes written since keep the
// counts in their meta instead.
func sumPostings(ctx context.Context, r bindex.IndexReader) (Tokens, error) {
	var t Tokens
	for _, f := range []struct {
		name string
		n    *uint64
	}{{FieldText, &t.Text}, {FieldTitle, &t.Title}, {FieldLabel, &t.Label}} {
		d, err := r.FieldDict(f.name)
		if err != nil {
			return t, err
		}
		for {
			e, err := d.Next()
			if err != nil {
				_ = d.Close()
				return t, err
			}
			if e == nil {
				break
			}
			tfr, err := r.TermFieldReader(ctx, []byte(e.Term), f.name, true, false, false)
			if err != nil {
				_ = d.Close()
				return t, err
			}
			var m *bindex.TermFieldDoc
			for m, err = tfr.Next(nil); err == nil && m != nil; m, err = tfr.Next(nil) {
				*f.n += m.Freq
			}
			_ = tfr.Close()
			if err != nil {
				_ = d.Close()
				return t, err
			}
		}
		if err := d.Close(); err != nil {
			return t, err
		}
	}
	return t, nil
}

// Norm chooses the average field lengths by which BM25 normalises a
// document's term frequencies (Keyword).
type Norm int

const (
	// NormTokens divides by the fields' true average lengths in tokens
	// (Tokens over the documents), as Okapi BM25 is defined: the norm of
	// typed queries. Bleve's own estimate (NormBleve) is a sixteenth to a
	// twentieth of it on 20 Newsgroups and the Go docs; on held-out subject
	// lines the true lengths rank better (RECIPES.md, "BM25's average field
	// length").
	NormTokens Norm = iota
	// NormBleve keeps bleve's estimate (v2.6.3): the number of distinct
	// terms of the field over the number of documents, rounded up. So
	// small an average makes a term's score nearly tf x idf / length, a
	// length-normalised tf-idf without saturation, which suits
	// more-like-this queries of a document's 50 rarest words: they ranked
	// better with it on held-out posts.
	NormBleve
)

// bm25Context returns ctx carrying the statistics bleve's BM25 takes for
// q under norm: the documents and, for each field q searches, the tokens
// that make the average field length bleve computes (their count divided
// by the documents, rounded up). Fields other than the index's own (which
// hold nothing) get an average of 1.
func (ix *Index) bm25Context(ctx context.Context, q query.Query, norm Norm) (context.Context, error) {
	if norm == NormBleve || len(ix.docs) == 0 {
		return ctx, nil
	}
	t, err := ix.tokens()
	if err != nil {
		return nil, err
	}
	n, m := len(ix.docs), ix.text.Mapping()
	clamp := func(v uint64) int { return int(min(max(v, 1), math.MaxInt32)) }
	card := map[string]int{
		FieldText:              clamp(t.Text),
		FieldTitle:             clamp(t.Title),
		FieldLabel:             clamp(t.Label),
		m.DefaultSearchField(): clamp(t.Text + t.Title + t.Label),
	}
	fs, err := query.ExtractFields(q, m, nil)
	if err != nil {
		return nil, fmt.Errorf("index: keyword query: %w", err)
	}
	for f := range fs {
		if _, ok := card[f]; !ok {
			card[f] = n
		}
	}
	return context.WithValue(ctx, search.BM25StatsKey, &search.BM25Stats{DocCount: float64(n), FieldCardinality: card}), nil
}

// tokens returns the token counts of the generation: from its meta, or
// for an index written before they were kept, counted once from its
// postings.
func (ix *Index) tokens() (Tokens, error) {
	if ix.meta.Tokens != nil {
		return *ix.meta.Tokens, nil
	}
	ix.tokOnce.Do(func() {
		adv, err := ix.text.Advanced()
		if err != nil {
			ix.tokErr = err
			return
		}
		r, err := adv.Reader()
		if err != nil {
			ix.tokErr = err
			return
		}
		defer r.Close()
		// Not a query's context: the count serves every later query.
		ix.tok, ix.tokErr = sumPostings(context.Background(), r)
	})
	if ix.tokErr != nil {
		return Tokens{}, fmt.Errorf("index: %s: counting the tokens of the full-text index: %w", ix.Generation(), ix.tokErr)
	}
	return ix.tok, nil
}
