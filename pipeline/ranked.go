package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/query"
)

// firstError keeps the first error of concurrent calls.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (f *firstError) set(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// engineScorer scores each document's "more like this" query in one of the
// product's modes, exactly as `docsearch query --doc ID --mode M` ranks.
type engineScorer struct {
	eng  *query.Engine
	mode query.Mode
	err  *firstError
}

func (s *engineScorer) Len() int { return s.eng.Index.Len() }

func (s *engineScorer) Score(q int, dst []float32) {
	r := query.Request{DocID: s.eng.Index.Doc(q).ID, Mode: s.mode}
	if err := s.eng.Scores(context.Background(), r, dst); err != nil {
		s.err.set(err)
		fill(dst, float32(math.Inf(-1)))
	}
}

func fill(dst []float32, x float32) {
	for i := range dst {
		dst[i] = x
	}
}

// ShortReport is the short-query protocol's result: each labeled document
// whose title (a post's Subject line without "Re:") has a word queries the
// other documents as a user would type it; a retrieved document is
// relevant when it shares the query document's label.
type ShortReport struct {
	Queries int                   `json:"queries"`
	Methods map[string]ShortCurve `json:"methods"`
}

// ShortCurve holds one mode's short-query figures.
type ShortCurve struct {
	PrecisionAtK map[string]float64 `json:"precision_at_k"` // keys "1", "3", "10"
	MAP          float64            `json:"map"`
}

// ShortK are the cut-offs of the short-query protocol.
var ShortK = []int{1, 3, 10}

// subject returns a title without leading "Re:" (any case, repeated).
func subject(title string) string {
	s := strings.TrimSpace(title)
	for len(s) >= 3 && strings.EqualFold(s[:3], "re:") {
		s = strings.TrimSpace(s[3:])
	}
	return s
}

// titleScorer scores document q's title as a query text.
type titleScorer struct {
	eng   *query.Engine
	mode  query.Mode
	texts []string
	err   *firstError
}

func (s *titleScorer) Len() int { return s.eng.Index.Len() }

func (s *titleScorer) Score(q int, dst []float32) {
	if s.texts[q] == "" { // no title: a query the product cannot answer
		fill(dst, float32(math.Inf(-1)))
		return
	}
	// The query's own document is left out of the collection: the title
	// queries the other documents, as the protocol says.
	r := query.Request{Text: s.texts[q], Mode: s.mode, Exclude: s.eng.Index.Doc(q).ID}
	err := s.eng.Scores(context.Background(), r, dst)
	switch {
	case err == nil:
	case isNoAnswer(err):
		// The product answers this query with an error: nothing is ranked.
		fill(dst, float32(math.Inf(-1)))
	default:
		s.err.set(err)
		fill(dst, float32(math.Inf(-1)))
	}
}

// isNoAnswer reports whether err is the product's answer to a query it
// cannot rank (no usable word), rather than a failure.
func isNoAnswer(err error) bool {
	return errors.Is(err, query.ErrNoWords) || errors.Is(err, query.ErrNoCode)
}

// shortQueries runs the short-query protocol in every mode.
func shortQueries(eng *query.Engine) (*ShortReport, error) {
	ix := eng.Index
	n := ix.Len()
	labels := make([]string, n)
	texts := make([]string, n)
	for i := range n {
		d := ix.Doc(i)
		texts[i] = subject(d.Title)
		labels[i] = d.Label
	}
	rep := &ShortReport{Methods: map[string]ShortCurve{}}
	for _, m := range query.Modes {
		var ferr firstError
		c, nq := eval.Evaluate(&titleScorer{eng: eng, mode: m, texts: texts, err: &ferr}, labels)
		if err := ferr.get(); err != nil {
			return nil, fmt.Errorf("short queries, %s: %w", m, err)
		}
		sc := ShortCurve{PrecisionAtK: map[string]float64{}, MAP: c.MAP}
		for _, k := range ShortK {
			sc.PrecisionAtK[eval.KKey(k)] = c.AccuracyAtK[eval.KKey(k)]
		}
		rep.Methods[m.String()] = sc
		rep.Queries = nq
	}
	return rep, nil
}
