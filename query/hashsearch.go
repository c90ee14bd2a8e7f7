package query

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/docsearch/docsearch/index"
)

// How mode Hash orders its short list (Request.Rerank).
const (
	// RerankNone orders it by the Hamming distance between whole codes.
	RerankNone = ""
	// RerankKeyword orders it by the keyword score of the query (bleve's
	// BM25, as keyword mode ranks), the documents the words do not match
	// after those they do, by Hamming distance.
	RerankKeyword = "keyword"
	// RerankSemantic orders it by the cosine between the real-valued codes,
	// as semantic mode ranks.
	RerankSemantic = "semantic"
)

// ErrNoBits means a request of mode Hamming or Hash names binary codes the
// index does not have.
var ErrNoBits = fmt.Errorf("%w: no binary codes of that width", ErrBadRequest)

// bitQuery is a request of mode Hamming or Hash made ready: the codes, the
// query's code and what the ranking may return.
type bitQuery struct {
	hs      HashStore
	code    []uint64
	exclude int
	keep    func(pos int) bool
	keyword bq.Query   // the query's keyword side, for reranking and snippets (nil: none)
	norm    index.Norm // of the keyword side: NormBleve for more-like-this
	real    []float32
}

// width returns the width of binary codes r asks for.
func (e *Engine) width(r *Request) (int, error) {
	bits := e.Index.Bits()
	if len(bits) == 0 {
		return 0, fmt.Errorf("%w: the index has no binary codes (build it with --bits 32, 64 or 128)", ErrNoBits)
	}
	switch {
	case r.Bits != 0:
		if !slices.Contains(bits, r.Bits) {
			return 0, fmt.Errorf("%w: %d bits asked, the index has %v", ErrNoBits, r.Bits, bits)
		}
		return r.Bits, nil
	case r.Mode == Hash && slices.Contains(bits, index.AddressBits):
		return index.AddressBits, nil
	case r.Mode == Hash:
		return bits[0], nil
	}
	return bits[len(bits)-1], nil
}

// planBits reads a request of mode Hamming or Hash.
func (e *Engine) planBits(ctx context.Context, r *Request) (*bitQuery, error) {
	w, err := e.width(r)
	if err != nil {
		return nil, err
	}
	bq := &bitQuery{hs: e.hashes(w), exclude: -1}
	h := e.Model.hasher(w)
	if bq.hs == nil || h == nil {
		return nil, fmt.Errorf("%w: the index lists %d-bit codes but lacks them or their model", ErrMismatch, w)
	}
	needKW := r.Rerank == RerankKeyword || r.Snippets != NoSnippets
	if r.DocID != "" {
		pos, ok := e.Index.Find(r.DocID)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownDoc, r.DocID)
		}
		if e.Index.Doc(pos).NoCode {
			return nil, fmt.Errorf("%w: document %q has no word of the vocabulary", ErrNoCode, r.DocID)
		}
		bq.exclude = pos
		bq.code = slices.Clone(bq.hs.Code(pos))
		if r.Rerank == RerankSemantic {
			bq.real = e.Index.Code(pos)
		}
		if needKW {
			bq.norm = index.NormBleve
			if bq.keyword, err = e.text().MoreLikeThis(ctx, pos); err != nil {
				return nil, err
			}
		}
	} else {
		if bq.exclude, err = e.excluded(r.Exclude); err != nil {
			return nil, err
		}
		pt := parseText(r.Text)
		v := e.Model.Vocab.Vectorize(pt.semantic)
		if v.Sum() == 0 {
			return nil, fmt.Errorf("%w: %q has no word of the model's vocabulary; try --mode keyword or hybrid", ErrNoCode, pt.semantic)
		}
		bq.code = h.EncodeVector(v)
		if r.Rerank == RerankSemantic {
			bq.real, _ = e.Model.Encode(pt.semantic)
		}
		if needKW {
			bq.keyword = pt.keyword
		}
	}
	var members []int
	if r.Label != "" {
		members = e.Index.WithLabel(r.Label)
		if bq.keyword != nil {
			lq := bleve.NewTermQuery(r.Label)
			lq.SetField(index.FieldLabel)
			bq.keyword = bleve.NewConjunctionQuery(bq.keyword, lq)
		}
	}
	exclude := bq.exclude
	switch {
	case r.Label != "":
		bq.keep = func(pos int) bool {
			_, ok := slices.BinarySearch(members, pos)
			return ok && pos != exclude
		}
	case exclude >= 0:
		bq.keep = func(pos int) bool { return pos != exclude }
	}
	return bq, nil
}

// rank returns the ranking of mode Hamming or Hash, best first, at least
// want documents long where the collection has them, the number of
// documents it ranks in all, and notes.
func (e *Engine) rankBits(ctx context.Context, r *Request, q *bitQuery, want int) ([]index.Hit, int, []string, error) {
	if r.Mode == Hamming {
		hits := q.hs.Nearest(q.code, want, q.keep)
		return hits, e.codedCount(r, q), nil, nil
	}
	radius := -1
	if r.Radius != nil {
		radius = *r.Radius
	}
	hits, reached, scanned := q.hs.Near(q.code, radius, want, q.keep)
	var notes []string
	if scanned {
		notes = append(notes, fmt.Sprintf("address lookup: fewer than %d documents within Hamming radius %d of the query's address; ranked by Hamming distance over every code", want, reached))
	} else {
		notes = append(notes, fmt.Sprintf("address lookup: %d documents within Hamming radius %d of the query's %d-bit address", len(hits), reached, min(q.hs.Bits(), index.AddressBits)))
	}
	switch r.Rerank {
	case RerankKeyword:
		if err := e.rerankKeyword(ctx, q, hits); err != nil {
			return nil, 0, nil, err
		}
	case RerankSemantic:
		e.rerankSemantic(q, hits)
	}
	total := len(hits)
	if scanned {
		total = e.codedCount(r, q)
	}
	return hits, total, notes, nil
}

// codedCount is the number of documents with a binary code that r may
// return.
func (e *Engine) codedCount(r *Request, q *bitQuery) int {
	n := 0
	if r.Label == "" && q.exclude < 0 {
		for i := range q.hs.Len() {
			if !q.hs.Skipped(i) {
				n++
			}
		}
		return n
	}
	if r.Label == "" {
		for i := range q.hs.Len() {
			if !q.hs.Skipped(i) && i != q.exclude {
				n++
			}
		}
		return n
	}
	for _, i := range e.Index.WithLabel(r.Label) {
		if !q.hs.Skipped(i) && i != q.exclude {
			n++
		}
	}
	return n
}

// rerankKeyword orders hits by the keyword score of q among them: matches
// first, by score, the rest after them in their order.
func (e *Engine) rerankKeyword(ctx context.Context, q *bitQuery, hits []index.Hit) error {
	if q.keyword == nil || len(hits) == 0 {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = e.Index.Doc(h.Pos).ID
	}
	kw, _, err := e.text().Keyword(ctx, bleve.NewConjunctionQuery(bleve.NewDocIDQuery(ids), q.keyword), len(hits), q.norm)
	if err != nil {
		return err
	}
	score := make(map[int]float32, len(kw))
	for _, h := range kw {
		score[h.Pos] = h.Score
	}
	// Unmatched documents keep their order, below every match.
	for i := range hits {
		if s, ok := score[hits[i].Pos]; ok {
			hits[i].Score = s
		} else {
			hits[i].Score = float32(math.Inf(-1))
		}
	}
	// Stable: hits the keyword side ties keep their Hamming order.
	slices.SortStableFunc(hits, func(a, b index.Hit) int { return cmp.Compare(b.Score, a.Score) })
	for i := range hits {
		if math.IsInf(float64(hits[i].Score), -1) {
			hits[i].Score = 0
		}
	}
	return nil
}

// rerankSemantic orders hits by the cosine between the real-valued codes.
func (e *Engine) rerankSemantic(q *bitQuery, hits []index.Hit) {
	if q.real == nil || len(hits) == 0 {
		return
	}
	pos := make([]int, len(hits))
	for i, h := range hits {
		pos[i] = h.Pos
	}
	cos := make([]float32, len(hits))
	if !e.codes().CosinesAt(cos, q.real, pos) {
		return
	}
	for i := range hits {
		hits[i].Score = cos[i]
	}
	slices.SortFunc(hits, index.CompareHits)
}

// searchBits runs a validated request of mode Hamming or Hash.
func (e *Engine) searchBits(ctx context.Context, r *Request, start time.Time) (*Response, error) {
	q, err := e.planBits(ctx, r)
	if err != nil {
		return nil, err
	}
	hits, total, notes, err := e.rankBits(ctx, r, q, r.Offset+r.K)
	if err != nil {
		return nil, err
	}
	return e.respond(ctx, r, hits[:min(len(hits), r.Offset+r.K)], total, notes, q.keyword, start)
}

// bitScores writes the scores of mode Hamming or Hash to dst: a score
// falling with the rank for the documents ranked, -Inf for the others.
func (e *Engine) bitScores(ctx context.Context, r *Request, dst []float32) error {
	q, err := e.planBits(ctx, r)
	if err != nil {
		return err
	}
	want := e.Index.Len()
	if r.Mode == Hash {
		want = DefaultK
	}
	hits, _, _, err := e.rankBits(ctx, r, q, want)
	if err != nil {
		return err
	}
	for i := range dst {
		dst[i] = notRanked
	}
	for i, h := range hits {
		dst[h.Pos] = float32(len(hits) - i)
	}
	return nil
}
