package query

import (
	"context"

	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/docsearch/docsearch/index"
)

// The three stores an Engine reads, each in the one interface through
// which every ranking reads it. An *index.Index (and its *index.Hashes)
// implements all three on one machine; docs/SCALE.md says which existing
// distributed engine would carry each one past it. Positions are those of
// Engine.Index (Doc, Find, WithLabel), which stays the catalogue of
// documents.
type (
	// CodeStore scores the real-valued codes: semantic mode, the semantic
	// side of hybrid mode and the semantic rerank of hash mode.
	CodeStore interface {
		// CosinesTo writes the cosine between q and every document's code
		// (NaN for a document without one); false if q is not finite.
		CosinesTo(dst, q []float32) bool
		// CosinesAt does the same for the documents at pos only.
		CosinesAt(dst, q []float32, pos []int) bool
	}

	// TextStore is the full-text index: keyword mode, the keyword side of
	// hybrid mode, the keyword rerank of hash mode and the snippets.
	TextStore interface {
		Keyword(ctx context.Context, q bq.Query, size int, norm index.Norm) ([]index.Hit, uint64, error)
		MoreLikeThis(ctx context.Context, pos int) (bq.Query, error)
		Snippets(ctx context.Context, q bq.Query, pos []int, style string) ([]string, error)
	}

	// HashStore holds the binary codes of one width: modes hamming and
	// hash (Hamming ranking and address lookup).
	HashStore interface {
		Bits() int
		Len() int
		Code(pos int) []uint64
		Skipped(pos int) bool
		Nearest(q []uint64, k int, keep func(pos int) bool) []index.Hit
		Near(q []uint64, radius, k int, keep func(pos int) bool) ([]index.Hit, int, bool)
	}
)

var (
	_ CodeStore = (*index.Index)(nil)
	_ TextStore = (*index.Index)(nil)
	_ HashStore = (*index.Hashes)(nil)
)

// codes returns the store of the real-valued codes: Engine.Codes, or the
// index's own.
func (e *Engine) codes() CodeStore {
	if e.Codes != nil {
		return e.Codes
	}
	return e.Index
}

// text returns the full-text store: Engine.Text, or the index's own.
func (e *Engine) text() TextStore {
	if e.Text != nil {
		return e.Text
	}
	return e.Index
}

// hashes returns the store of the binary codes of width bits:
// Engine.Hashes, or the index's own; nil if there is none.
func (e *Engine) hashes(bits int) HashStore {
	if e.Hashes != nil {
		return e.Hashes(bits)
	}
	if h := e.Index.Hashes(bits); h != nil {
		return h
	}
	return nil
}
