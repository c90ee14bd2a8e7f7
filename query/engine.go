package query

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/docsearch/docsearch/index"
)

// Result is one ranked document.
type Result struct {
	Rank  int     `json:"rank"`
	ID    string  `json:"id"`
	Label string  `json:"label,omitempty"`
	Title string  `json:"title,omitempty"`
	Score float32 `json:"score"`
}

// ErrNoWords means a query text holds no word of the vocabulary.
var ErrNoWords = errors.New("query: the text contains no word of the vocabulary")

// Engine answers queries on an open index. It is safe for concurrent use.
type Engine struct {
	Index *index.Index
	Model *Model
	pool  sync.Pool
}

// Open opens the index in dir and its model, and checks that they belong
// together.
func Open(dir string) (*Engine, error) {
	ix, err := index.Open(dir)
	if err != nil {
		return nil, err
	}
	m, err := Decode(ix.Blob)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	if fp := ix.Meta().Fingerprint; fp != m.Fingerprint() {
		return nil, fmt.Errorf("index %s: %w: the codes were written by model %.12s, the stored model is %.12s", dir, ErrMismatch, fp, m.Fingerprint())
	}
	if ix.Dim() != m.Dim() {
		return nil, fmt.Errorf("index %s: %w: codes have %d values, the model makes %d", dir, ErrMismatch, ix.Dim(), m.Dim())
	}
	return &Engine{Index: ix, Model: m}, nil
}

func (e *Engine) search(code []float32, k, exclude int) []Result {
	s, _ := e.pool.Get().(*index.Searcher)
	if s == nil {
		s = e.Index.NewSearcher()
	}
	hits := s.Search(code, k, exclude, nil)
	out := make([]Result, len(hits))
	for i, h := range hits {
		d := e.Index.Doc(h.Pos)
		out[i] = Result{Rank: i + 1, ID: d.ID, Label: d.Label, Title: d.Title, Score: h.Score}
	}
	e.pool.Put(s)
	return out
}

// Text returns the k documents whose codes are closest (cosine) to the
// code of text.
func (e *Engine) Text(text string, k int) ([]Result, error) {
	if k <= 0 {
		return nil, fmt.Errorf("query: k must be positive, got %d", k)
	}
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("query: empty query text")
	}
	code, n := e.Model.Encode(text)
	if n == 0 {
		return nil, ErrNoWords
	}
	return e.search(code, k, -1), nil
}

// Doc returns the k documents closest to the indexed document id, leaving
// the document itself out.
func (e *Engine) Doc(id string, k int) ([]Result, error) {
	if k <= 0 {
		return nil, fmt.Errorf("query: k must be positive, got %d", k)
	}
	pos, ok := e.Index.Find(id)
	if !ok {
		return nil, fmt.Errorf("query: no document %q in the index", id)
	}
	return e.search(e.Index.Code(pos), k, pos), nil
}
