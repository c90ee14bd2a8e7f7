package vocab

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/docsearch/docsearch/internal/binenc"
)

var (
	// ErrEmpty is returned by Builder.Build when the training documents hold
	// no term at all.
	ErrEmpty = errors.New("vocab: no terms in the training documents")
	// ErrCorrupt is wrapped by the errors of UnmarshalBinary for data that
	// is truncated, altered or inconsistent. It is the same value as
	// rbmstack's and autoencoder's: errors.Is matches any damaged
	// docsearch file, whichever package read it.
	ErrCorrupt = binenc.ErrCorrupt
	// ErrVersion is wrapped by the error of UnmarshalBinary for intact data
	// written in a format version this code does not read.
	ErrVersion = binenc.ErrVersion
)

// Builder collects term counts and document frequencies from training
// documents. Add and AddTokens are safe for concurrent use; the order of the
// calls does not change the vocabulary built.
type Builder struct {
	an *Analyzer

	mu    sync.Mutex
	terms map[string]*termStat
	docs  int
}

type termStat struct {
	count   int64
	df      int
	lastDoc int // the last document counted in df
}

// NewBuilder returns a builder for o, after EnsureDefaults and Validate.
func NewBuilder(o Options) (*Builder, error) {
	an, err := NewAnalyzer(o)
	if err != nil {
		return nil, err
	}
	return &Builder{an: an, terms: make(map[string]*termStat)}, nil
}

// Add analyzes text and counts its terms as one training document.
func (b *Builder) Add(text string) {
	s := b.an.get(text)
	ts := b.an.analyze(s)
	b.mu.Lock()
	doc := b.next()
	for _, t := range ts {
		b.count(t.Term, doc)
	}
	b.mu.Unlock()
	b.an.put(s)
}

// AddTokens counts already analyzed terms as one training document,
// skipping empty ones. The terms are taken as they are: they should come
// from an Analyzer with the builder's options, or text will not meet them.
func (b *Builder) AddTokens(terms []string) {
	b.mu.Lock()
	doc := b.next()
	for _, t := range terms {
		if t == "" {
			continue
		}
		st := b.terms[t]
		if st == nil {
			st = &termStat{}
			b.terms[t] = st
		}
		st.add(doc)
	}
	b.mu.Unlock()
}

// Docs returns the number of training documents added so far.
func (b *Builder) Docs() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.docs
}

// next numbers a new document; b.mu is held.
func (b *Builder) next() int {
	b.docs++
	return b.docs
}

// count adds one occurrence of term in document doc; b.mu is held.
func (b *Builder) count(term []byte, doc int) {
	st := b.terms[string(term)] // no allocation for the lookup
	if st == nil {
		st = &termStat{}
		b.terms[string(term)] = st
	}
	st.add(doc)
}

// add counts one occurrence in document doc.
func (st *termStat) add(doc int) {
	st.count++
	if st.lastDoc != doc {
		st.df++
		st.lastDoc = doc
	}
}

// Build returns the vocabulary of the Size most frequent terms by total
// count, ties broken by term (byte order), so the result does not depend on
// the order of the documents. Fewer distinct terms than Size give a smaller
// vocabulary (see Vocab.Short); none at all gives ErrEmpty. The builder may
// go on collecting after Build.
func (b *Builder) Build() (*Vocab, error) {
	b.mu.Lock()
	type entry struct {
		term string
		st   termStat
	}
	all := make([]entry, 0, len(b.terms))
	for term, st := range b.terms {
		all = append(all, entry{term, *st})
	}
	docs := b.docs
	b.mu.Unlock()
	if len(all) == 0 {
		return nil, ErrEmpty
	}
	slices.SortFunc(all, func(x, y entry) int {
		if c := cmp.Compare(y.st.count, x.st.count); c != 0 {
			return c
		}
		return cmp.Compare(x.term, y.term)
	})
	all = all[:min(len(all), b.an.opts.Size)]
	v := &Vocab{
		Terms: make([]string, len(all)),
		DF:    make([]int, len(all)),
		Count: make([]int64, len(all)),
		Docs:  docs,
		Opts:  b.an.opts,
	}
	for i, e := range all {
		v.Terms[i], v.DF[i], v.Count[i] = e.term, e.st.df, e.st.count
	}
	v.st.Store(newVocabState(v, b.an))
	return v, nil
}

// Vocab is a vocabulary: the terms that index the columns of count vectors,
// with their training statistics and the analysis options that produced
// them. Build one with a Builder or read one with UnmarshalBinary; the
// fields must not change once the Vocab is in use. Its methods are safe for
// concurrent use.
type Vocab struct {
	// Terms are the terms in index order, the most frequent first.
	Terms []string
	// DF[i] is the number of training documents holding Terms[i].
	DF []int
	// Count[i] is the number of occurrences of Terms[i] in training.
	Count []int64
	// Docs is the number of training documents.
	Docs int
	// Opts are the options of the analysis and selection, defaults applied.
	Opts Options

	st atomic.Pointer[vocabState] // built on first use
}

// vocabState is what a Vocab derives from its fields to vectorize text.
type vocabState struct {
	index map[string]int32
	an    *Analyzer
	// direct: every term survives the chain after normalize (always so for
	// a vocabulary built without stemming), so Vectorize looks the
	// normalized tokens up directly: a token the rest of the chain would
	// drop is no term anyway.
	direct bool
	pool   sync.Pool // *[]float32 of length len(Terms), all zero between uses
}

func newVocabState(v *Vocab, an *Analyzer) *vocabState {
	if an == nil {
		var err error
		if an, err = NewAnalyzer(v.Opts); err != nil {
			panic(fmt.Sprintf("vocab: Vocab with invalid options: %v", err))
		}
	}
	s := &vocabState{index: make(map[string]int32, len(v.Terms)), an: an, direct: !an.opts.Stem}
	for i, t := range v.Terms {
		s.index[t] = int32(i)
		s.direct = s.direct && an.survives(t)
	}
	return s
}

// state returns the derived state, building it on first use. It panics if
// v was assembled by hand with invalid options.
func (v *Vocab) state() *vocabState {
	if s := v.st.Load(); s != nil {
		return s
	}
	v.st.CompareAndSwap(nil, newVocabState(v, nil))
	return v.st.Load()
}

// Len returns the number of terms.
func (v *Vocab) Len() int { return len(v.Terms) }

// Short reports whether the training documents held fewer distinct terms
// than Opts.Size, leaving the vocabulary smaller than asked.
func (v *Vocab) Short() bool {
	o := v.Opts
	o.EnsureDefaults()
	return len(v.Terms) < o.Size
}

// Index returns the index of term, which must be analyzed already
// (lowercase, stemmed if Opts.Stem).
func (v *Vocab) Index(term string) (int, bool) {
	i, ok := v.state().index[term]
	return int(i), ok
}

// Analyzer returns the analyzer that turns text into this vocabulary's
// terms.
func (v *Vocab) Analyzer() *Analyzer { return v.state().an }

// Vectorize returns the counts of the vocabulary's terms in text, with
// strictly increasing indices. Terms outside the vocabulary are ignored.
func (v *Vocab) Vectorize(text string) Vector {
	out, _ := v.VectorizeWords(text)
	return out
}

// VectorizeWords is Vectorize that also returns the number of word tokens
// the analyzer found in text, known to the vocabulary or not: the sum of
// the counts divided by it is the vocabulary's coverage of the text.
func (v *Vocab) VectorizeWords(text string) (Vector, int) {
	st := v.state()
	s := st.an.get(text)
	var ts analysis.TokenStream
	if st.direct {
		ts = st.an.normalize(s)
	} else {
		ts = st.an.analyze(s)
	}

	dp, _ := st.pool.Get().(*[]float32)
	if dp == nil {
		d := make([]float32, len(v.Terms))
		dp = &d
	}
	dense := *dp
	// The indices seen, in s.hits, then sorted: fewer than the tokens, and
	// far fewer than the terms, so this beats a scan of dense.
	hits := s.hits[:0]
	for _, t := range ts {
		if j, ok := st.index[string(t.Term)]; ok {
			if dense[j] == 0 {
				hits = append(hits, j)
			}
			dense[j]++
		}
	}
	slices.Sort(hits)
	out := Vector{Idx: make([]int32, len(hits)), Val: make([]float32, len(hits))}
	for k, j := range hits {
		out.Idx[k] = j
		out.Val[k] = dense[j]
		dense[j] = 0
	}
	s.hits = hits
	st.pool.Put(dp)
	st.an.put(s)
	return out, len(ts)
}

// VectorizeAll returns the count matrix of texts, one row per text, using
// all of GOMAXPROCS.
func (v *Vocab) VectorizeAll(texts []string) *Matrix {
	m, _ := v.VectorizeAllWords(texts)
	return m
}

// IDF returns the smooth inverse document frequency of each term,
//
//	idf_i = ln((1 + Docs) / (1 + DF_i)) + 1,
//
// as scikit-learn's TfidfVectorizer(smooth_idf=True).
func (v *Vocab) IDF() []float64 {
	idf := make([]float64, len(v.DF))
	for i, df := range v.DF {
		idf[i] = math.Log(float64(1+v.Docs)/float64(1+df)) + 1
	}
	return idf
}

// pipeline names the analysis chain in Fingerprint, so that a change to it
// changes every fingerprint. Bump it whenever tokens would come out
// differently.
const pipeline = "docsearch/vocab analysis v1: cp1252,unicode,split,to_lower,possessive_en,apostrophe,stop_en,alpha,stemmer_en_snowball,length"

// Fingerprint returns the hex SHA-256 of the analysis pipeline, the options
// and the terms in order: two vocabularies that map text to columns alike
// share it, and a model and an index built on different vocabularies differ
// in it. The training statistics (DF, Count, Docs) are not part of it.
func (v *Vocab) Fingerprint() string {
	h := sha256.New()
	var b []byte
	b = appendString(b, pipeline)
	o := v.Opts
	o.EnsureDefaults()
	b = appendOptions(b, o)
	b = binary.AppendUvarint(b, uint64(len(v.Terms)))
	h.Write(b)
	for _, t := range v.Terms {
		b = appendString(b[:0], t)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
