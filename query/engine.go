package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/docsearch/docsearch/index"
)

// Errors of a search; each is wrapped with the detail.
var (
	// ErrNoWords means a query has no word that either side can use: none
	// that the full-text index knows and none of the model's vocabulary.
	ErrNoWords = errors.New("query: no searchable word")
	// ErrNoCode means a semantic search has nothing to compare: a query
	// text without a word of the model's vocabulary, or a document whose
	// code is empty.
	ErrNoCode = errors.New("query: no code for the query")
	// ErrUnknownDoc means a "more like this" document is not in the index.
	ErrUnknownDoc = errors.New("query: no such document")
	// ErrBadRequest means a parameter of a request is out of range.
	ErrBadRequest = errors.New("query: bad request")
)

// Limits of a request.
const (
	DefaultK = 10
	// MaxK bounds K and Offset+K.
	MaxK = 10000
	// MaxTextBytes bounds a query text.
	MaxTextBytes = 64 << 10
)

// Highlight styles of snippets (see index.Snippets).
const (
	NoSnippets    = ""
	SnippetsPlain = "plain"
	SnippetsHTML  = index.StyleHTML
	SnippetsANSI  = index.StyleANSI
)

// Engine answers queries on an open index: keyword search on its
// full-text index, semantic search on its codes, and both fused. It is
// safe for concurrent use.
type Engine struct {
	Index *index.Index
	Model *Model
	// Codes, Text and Hashes, when set, replace the index's own stores
	// (see CodeStore): the place where a store that outgrows one machine
	// plugs in. Open leaves them nil.
	Codes  CodeStore
	Text   TextStore
	Hashes func(bits int) HashStore
	// AllWordsBoost, when positive, adds to a text query of two or more
	// plain words a clause, of this boost, that matches the documents
	// holding every one of them (web search's "all words first"). Open
	// leaves it 0, off: on held-out subject-line queries it raised keyword
	// search's precision at 1 but lowered hybrid ranking's precision at 10
	// and its mean average precision (RECIPES.md, "Keyword and hybrid
	// ranking").
	AllWordsBoost float64
	// TitleBoost is the boost of a clause added to a text query that
	// matches its plain words in the documents' titles (0: none). Open sets
	// it to DefaultTitleBoost.
	TitleBoost float64
	// FeedbackDocs and FeedbackWeight, when both positive, move the code
	// of a hybrid text query towards the codes of its best FeedbackDocs
	// keyword hits (pseudo-relevance feedback in the code space, after
	// Rocchio): the query's unit code plus FeedbackWeight times the unit
	// mean of theirs. Open sets DefaultFeedbackDocs and
	// DefaultFeedbackWeight. Semantic mode (the codes alone) and document
	// queries, whose code is a whole document's, are not moved.
	FeedbackDocs   int
	FeedbackWeight float64
}

// DefaultFeedbackDocs and DefaultFeedbackWeight are Engine.FeedbackDocs
// and FeedbackWeight of an opened index. A few words make a poor code (the
// model learned from whole documents), while the best keyword hits of a
// typed query are usually about what it asks: their codes say it in the
// model's terms. Chosen on held-out subject-line queries of 20 Newsgroups
// training posts, split by date: hybrid precision at 10 rose from 0.535
// without feedback to 0.575 with 3 documents at weight 2 (0.567 with 5,
// 0.563 with 10, 0.574 with 1 at weight 2; 0.569-0.575 at weights 1-4 with
// 3), mean average precision from 0.305 to 0.361, precision at 1 fell from
// 0.793 to 0.789; the Go dev questions found 35 of 40 without it, 36 with
// it (RECIPES.md, "Feedback from the keyword hits").
const (
	DefaultFeedbackDocs   = 3
	DefaultFeedbackWeight = 2
)

// DefaultTitleBoost is Engine.TitleBoost of an opened index. A title says
// in a line what its document is about, so web and site search weigh it
// above the body. Boosts of 0.125 to 4 were tried on held-out subject-line
// queries of 20 Newsgroups training posts and on a set of Go questions
// written for the choice (testdata/goquestions-dev.json): on the posts
// hybrid precision at 10 rose from 0.520 without it to 0.527-0.529 at
// 0.125-0.25 and fell back beyond (0.511 at 4); the questions found 35 of 40
// without it and 36 at every boost tried on them (0.125 to 2). RECIPES.md, "Titles and words
// inside identifiers", has the figures and commands.
const DefaultTitleBoost = 0.25

// Open opens the index in dir and its model, and checks that they belong
// together. Close releases the index.
func Open(dir string) (*Engine, error) {
	ix, err := index.Open(dir)
	if err != nil {
		return nil, err
	}
	m, err := Decode(ix.Blob)
	if err == nil {
		err = checkFits(ix, m)
	}
	if err == nil {
		m.Hash, err = DecodeHashers(ix.Blob, ix.Bits(), m.Vocab.Len())
	}
	if err != nil {
		ix.Close()
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	return &Engine{Index: ix, Model: m, TitleBoost: DefaultTitleBoost, FeedbackDocs: DefaultFeedbackDocs, FeedbackWeight: DefaultFeedbackWeight}, nil
}

func checkFits(ix *index.Index, m *Model) error {
	if fp := ix.Meta().Fingerprint; fp != m.Fingerprint() {
		return fmt.Errorf("%w: the codes were written by model %.12s, the stored model is %.12s", ErrMismatch, fp, m.Fingerprint())
	}
	if ix.Dim() != m.Dim() {
		return fmt.Errorf("%w: codes have %d values, the model makes %d", ErrMismatch, ix.Dim(), m.Dim())
	}
	return nil
}

// Close releases the index.
func (e *Engine) Close() error { return e.Index.Close() }

// Request is one search.
type Request struct {
	// Text is the query: words, "phrases", +must, -mustnot, field:value on
	// label and title (bleve's query-string syntax; see prepare for what is
	// read as plain text). Exactly one of Text and DocID is set.
	Text string
	// DocID asks for the documents most like an indexed one.
	DocID string
	Mode  Mode
	// Label keeps only documents with this label.
	Label string
	// Exclude leaves the document with this id out of the collection, as
	// if it were not indexed (a DocID query always leaves its document out).
	Exclude string
	// K results from rank Offset+1 on; K 0 means DefaultK.
	K, Offset int
	// Snippets is the highlight style of result snippets; NoSnippets for
	// none.
	Snippets string
	// Bits is the width of the binary codes of modes Hamming and Hash; 0
	// takes the widest the index has for Hamming, and 32 (else the
	// narrowest) for Hash.
	Bits int
	// Radius is the Hamming radius of address lookup (mode Hash); nil
	// grows it from 0 until Offset+K documents are found (see
	// index.Hashes.Near).
	Radius *int
	// Rerank orders the short list of mode Hash: RerankNone (by Hamming
	// distance), RerankKeyword or RerankSemantic.
	Rerank string
}

// validate checks r and fills its default.
func (r *Request) validate() error {
	var errs []error
	bad := func(f string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: "+f, append([]any{ErrBadRequest}, a...)...))
	}
	if r.K == 0 {
		r.K = DefaultK
	}
	switch {
	case r.Text == "" && r.DocID == "":
		bad("a query text or a document id is required")
	case r.Text != "" && r.DocID != "":
		bad("give a query text or a document id, not both")
	case r.DocID != "" && r.Exclude != "" && r.Exclude != r.DocID:
		bad("a document query excludes its own document only")
	}
	if strings.TrimSpace(r.Text) == "" && r.Text != "" {
		bad("the query text is blank")
	}
	if len(r.Text) > MaxTextBytes {
		bad("the query text has %d bytes, at most %d are allowed", len(r.Text), MaxTextBytes)
	}
	if !utf8.ValidString(r.Text) || !utf8.ValidString(r.DocID) || !utf8.ValidString(r.Label) || !utf8.ValidString(r.Exclude) {
		bad("the query is not valid UTF-8")
	}
	if r.K < 1 || r.K > MaxK {
		bad("k must be in [1, %d], got %d", MaxK, r.K)
	}
	if r.Offset < 0 || r.Offset > MaxK-min(max(r.K, 1), MaxK) {
		bad("offset must be in [0, %d - k], got %d", MaxK, r.Offset)
	}
	if r.Mode < Hybrid || r.Mode > Hash {
		bad("unknown mode %d", int(r.Mode))
	}
	if r.Bits != 0 && (r.Bits < 1 || r.Bits > index.MaxBits) {
		bad("bits must be in [1, %d], got %d", index.MaxBits, r.Bits)
	}
	if r.Radius != nil && (*r.Radius < 0 || *r.Radius > index.AddressBits) {
		bad("radius must be in [0, %d], got %d", index.AddressBits, *r.Radius)
	}
	switch r.Rerank {
	case RerankNone, RerankKeyword, RerankSemantic:
	default:
		bad("unknown rerank %q (known: keyword, semantic)", r.Rerank)
	}
	if (r.Rerank != RerankNone || r.Radius != nil) && r.Mode != Hash {
		bad("radius and rerank apply to mode hash, not %s", r.Mode)
	}
	if r.Bits != 0 && r.Mode != Hash && r.Mode != Hamming {
		bad("bits apply to modes hamming and hash, not %s", r.Mode)
	}
	switch r.Snippets {
	case NoSnippets, SnippetsPlain, SnippetsHTML, SnippetsANSI:
	default:
		bad("unknown snippet style %q", r.Snippets)
	}
	return errors.Join(errs...)
}

// Result is one ranked document.
type Result struct {
	Rank    int     `json:"rank"`
	ID      string  `json:"id"`
	Label   string  `json:"label,omitempty"`
	Title   string  `json:"title,omitempty"`
	Score   float32 `json:"score"`
	Snippet string  `json:"snippet,omitempty"`
}

// Response is the answer to a Request.
type Response struct {
	Mode    Mode     `json:"mode"`
	Results []Result `json:"results"`
	// Total is the number of documents the query ranks (for paging).
	Total int           `json:"total"`
	Took  time.Duration `json:"-"`
	// Notes says what a user should know about how the query was read: a
	// syntax error searched as plain words, a side that had nothing to go on.
	Notes []string `json:"notes,omitempty"`
}

// plan is a validated request made into the two sides of a ranking.
type plan struct {
	sides
	keyword bq.Query   // nil: no keyword side
	norm    index.Norm // BM25's average field lengths for keyword
	notes   []string
}

// plan reads the request: the keyword query and the query code. The
// keyword side reads FusionWindow hits in hybrid mode and kwSize in keyword
// mode.
func (e *Engine) plan(ctx context.Context, r *Request, kwSize int) (*plan, error) {
	p := &plan{sides: sides{exclude: -1}}
	var code []float32
	var err error
	if r.DocID != "" {
		code, err = e.planDoc(ctx, r, p)
	} else {
		code, err = e.planText(r, p)
	}
	if err != nil {
		return nil, err
	}
	withLabel := e.labelFilter(r, p)
	if p.keyword != nil {
		if err := e.keywordSide(ctx, r, p, withLabel, kwSize); err != nil {
			return nil, err
		}
	}
	if code != nil && r.DocID == "" && r.Mode == Hybrid {
		code = e.feedback(code, p.kw, p.exclude)
	}
	if code != nil {
		p.cos = make([]float32, e.Index.Len())
		if !e.codes().CosinesTo(p.cos, code) {
			p.cos = nil
		}
	}
	if err := p.noteEmptySides(r); err != nil {
		return nil, err
	}
	return p, nil
}

// planDoc reads a request for the documents like r.DocID, which is left
// out: its code, and (but in semantic mode) bleve's more-like-this query
// of its text.
func (e *Engine) planDoc(ctx context.Context, r *Request, p *plan) ([]float32, error) {
	pos, ok := e.Index.Find(r.DocID)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownDoc, r.DocID)
	}
	p.exclude = pos
	var code []float32
	if !e.Index.Doc(pos).NoCode {
		code = e.Index.Code(pos)
	}
	if r.Mode == Semantic {
		if code == nil {
			return nil, fmt.Errorf("%w: document %q has no word of the vocabulary", ErrNoCode, r.DocID)
		}
		return code, nil
	}
	q, err := e.text().MoreLikeThis(ctx, pos)
	if err != nil {
		return nil, err
	}
	p.keyword, p.norm = q, index.NormBleve
	return code, nil
}

// excluded returns the position of the document a text query excludes,
// -1 for none (id ""), or ErrUnknownDoc.
func (e *Engine) excluded(id string) (int, error) {
	if id == "" {
		return -1, nil
	}
	pos, ok := e.Index.Find(id)
	if !ok {
		return -1, fmt.Errorf("%w: %q (to exclude)", ErrUnknownDoc, id)
	}
	return pos, nil
}

// planText reads a request of text: the keyword query (but in semantic
// mode) and the code of its words (but in keyword mode; nil when none is in
// the vocabulary).
func (e *Engine) planText(r *Request, p *plan) ([]float32, error) {
	pos, err := e.excluded(r.Exclude)
	if err != nil {
		return nil, err
	}
	p.exclude = pos
	pt := parseText(r.Text)
	if e.AllWordsBoost > 0 && !pt.fellBack {
		pt.keyword = allWords(pt.keyword, e.AllWordsBoost)
	}
	if e.TitleBoost > 0 && !pt.fellBack {
		pt.keyword = titleWords(pt.keyword, e.TitleBoost)
	}
	if pt.fellBack {
		p.notes = append(p.notes, pt.note)
	}
	if r.Mode != Semantic {
		p.keyword = pt.keyword
	}
	var code []float32
	if r.Mode != Keyword {
		var n int
		if code, n = e.Model.Encode(pt.semantic); n == 0 {
			code = nil
		}
	}
	if r.Mode == Semantic && code == nil {
		return nil, fmt.Errorf("%w: %q has no word of the model's vocabulary; try --mode keyword or hybrid", ErrNoCode, pt.semantic)
	}
	return code, nil
}

// labelFilter limits both sides to r.Label, if set: it sets p.allowed and
// returns what a keyword query needs to match as well.
func (e *Engine) labelFilter(r *Request, p *plan) func(bq.Query) bq.Query {
	if r.Label == "" {
		return func(q bq.Query) bq.Query { return q }
	}
	members := e.Index.WithLabel(r.Label)
	p.allowed = func(pos int) bool { _, ok := slices.BinarySearch(members, pos); return ok }
	p.members = max(len(members), 1) // 0 would mean all; an empty label allows none
	return func(q bq.Query) bq.Query {
		lq := bleve.NewTermQuery(r.Label)
		lq.SetField(index.FieldLabel)
		return bleve.NewConjunctionQuery(q, lq)
	}
}

// keywordSide runs the keyword query of p, within the label: kwSize hits
// in keyword mode, FusionWindow in hybrid mode. A text query whose terms
// expand to too many words is searched as plain words, with a note.
func (e *Engine) keywordSide(ctx context.Context, r *Request, p *plan, withLabel func(bq.Query) bq.Query, kwSize int) error {
	p.keyword = withLabel(p.keyword)
	size := FusionWindow
	if r.Mode == Keyword {
		size = kwSize
	}
	hits, total, err := e.text().Keyword(ctx, p.keyword, size, p.norm)
	if isExpansion(err) && r.DocID == "" {
		// A term matched too many words: search the words.
		p.keyword = withLabel(plainText(r.Text, "").keyword)
		p.notes = append(p.notes, noteExpansion)
		hits, total, err = e.text().Keyword(ctx, p.keyword, size, p.norm)
	}
	if err != nil {
		return err
	}
	p.kw, p.kwTotal = hits, total
	return nil
}

// noteEmptySides says when a side of the ranking has nothing to go on, and
// refuses a hybrid text query for which neither side has.
func (p *plan) noteEmptySides(r *Request) error {
	if r.Mode == Keyword && p.kwTotal == 0 {
		p.notes = append(p.notes, "no document contains the query's words")
	}
	if r.Mode == Hybrid && r.DocID == "" {
		switch {
		case p.cos == nil && p.kwTotal == 0:
			return fmt.Errorf("%w: %q matches no document and has no word of the model's vocabulary", ErrNoWords, r.Text)
		case p.cos == nil:
			p.notes = append(p.notes, "no word of the query is in the model's vocabulary: ranked by keywords only")
		case p.kwTotal == 0:
			p.notes = append(p.notes, "no document contains the query's words: ranked by meaning only")
		}
	}
	return nil
}

// Scores writes the score of every document position under the request's
// mode to dst (len Index.Len()): the ranking Search returns, read in full
// (keyword mode reads every match), with -Inf for the documents the mode
// leaves out. K, Offset and Snippets are ignored. It is what evaluation
// ranks by.
func (e *Engine) Scores(ctx context.Context, r Request, dst []float32) error {
	r.K, r.Offset, r.Snippets = 1, 0, NoSnippets
	if err := r.validate(); err != nil {
		return err
	}
	if len(dst) != e.Index.Len() {
		panic(fmt.Sprintf("query: Scores: dst has length %d, index %d", len(dst), e.Index.Len()))
	}
	if r.Mode == Hamming || r.Mode == Hash {
		return e.bitScores(ctx, &r, dst)
	}
	p, err := e.plan(ctx, &r, e.Index.Len())
	if err != nil {
		return err
	}
	p.fuse(r.Mode, dst)
	return nil
}

// Search runs one request.
func (e *Engine) Search(ctx context.Context, r Request) (*Response, error) {
	start := time.Now()
	if err := r.validate(); err != nil {
		return nil, err
	}
	if r.Mode == Hamming || r.Mode == Hash {
		return e.searchBits(ctx, &r, start)
	}
	// +1: the query document may be among the keyword hits.
	p, err := e.plan(ctx, &r, r.Offset+r.K+1)
	if err != nil {
		return nil, err
	}
	scores := make([]float32, e.Index.Len())
	p.fuse(r.Mode, scores)
	ranked, total := index.TopK(scores, r.Offset+r.K)
	if r.Mode == Keyword { // only the first hits were read: bleve counted them all
		total = int(p.kwTotal)
		// A document matches its own "more like this" query; an excluded
		// one may be among the matches.
		if p.exclude >= 0 && total > 0 && (r.DocID != "" || slices.ContainsFunc(p.kw, func(h index.Hit) bool { return h.Pos == p.exclude })) {
			total--
		}
	}
	return e.respond(ctx, &r, ranked, total, p.notes, p.keyword, start)
}

// respond makes the Response of r from the ranked hits of positions
// 0..Offset+K-1, with snippets highlighting kwq (may be nil).
func (e *Engine) respond(ctx context.Context, r *Request, ranked []index.Hit, total int, notes []string, kwq bq.Query, start time.Time) (*Response, error) {
	resp := &Response{Mode: r.Mode, Total: total, Notes: notes, Results: []Result{}}
	if r.Offset < len(ranked) {
		ranked = ranked[r.Offset:]
	} else {
		ranked = nil
	}
	pos := make([]int, len(ranked))
	for i, h := range ranked {
		d := e.Index.Doc(h.Pos)
		pos[i] = h.Pos
		resp.Results = append(resp.Results, Result{Rank: r.Offset + i + 1, ID: d.ID, Label: d.Label, Title: d.Title, Score: h.Score})
	}
	if r.Snippets != NoSnippets && len(pos) > 0 {
		style := r.Snippets
		if style == SnippetsPlain {
			style = index.StylePlain
		}
		sn, err := e.text().Snippets(ctx, kwq, pos, style)
		if err != nil {
			return nil, err
		}
		for i := range resp.Results {
			resp.Results[i].Snippet = sn[i]
		}
	}
	resp.Took = time.Since(start)
	return resp, nil
}

// feedback returns code moved towards the codes of the best FeedbackDocs
// keyword hits (Engine.FeedbackDocs) other than exclude, or code itself
// when there is nothing to move it by.
func (e *Engine) feedback(code []float32, hits []index.Hit, exclude int) []float32 {
	if e.FeedbackDocs <= 0 || e.FeedbackWeight <= 0 {
		return code
	}
	mean := make([]float64, len(code))
	n := 0
	for _, h := range hits {
		if n == e.FeedbackDocs {
			break
		}
		if h.Pos == exclude || e.Index.Doc(h.Pos).NoCode {
			continue
		}
		c := e.Index.Code(h.Pos)
		if norm := norm2(c); norm > 0 {
			for j, x := range c {
				mean[j] += float64(x) / norm
			}
			n++
		}
	}
	qn, mn := norm2(code), 0.0
	for _, x := range mean {
		mn += x * x
	}
	mn = math.Sqrt(mn)
	if n == 0 || qn == 0 || mn == 0 {
		return code
	}
	out := make([]float32, len(code))
	for j := range out {
		out[j] = float32(float64(code[j])/qn + e.FeedbackWeight*mean[j]/mn)
	}
	return out
}

// norm2 is the Euclidean norm of x, in float64.
func norm2(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}
