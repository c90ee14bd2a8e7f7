package vocab

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
)

// Options configure the analysis and the vocabulary size. The zero value,
// after EnsureDefaults, is the reference setup: the 2000 most frequent
// alphabetic words of at least two letters after English stop words,
// unstemmed.
type Options struct {
	// Size is the number of terms kept, the most frequent first; default 2000.
	Size int
	// Stem applies bleve's English snowball (Porter2) stemmer after stop
	// word removal; default false.
	Stem bool
	// MinLength is the shortest token kept, in runes, counted after
	// stemming; default 2.
	MinLength int
	// KeepDigits keeps every token the tokenizer yields, numbers and
	// words with digits included; default false: only alphabetic tokens
	// (letters, and apostrophes between letters as in "o'clock").
	KeepDigits bool
}

// Defaults of Options, applied by EnsureDefaults to zero fields.
const (
	DefaultSize      = 2000
	DefaultMinLength = 2
)

// EnsureDefaults sets zero fields to their defaults.
func (o *Options) EnsureDefaults() {
	if o.Size == 0 {
		o.Size = DefaultSize
	}
	if o.MinLength == 0 {
		o.MinLength = DefaultMinLength
	}
}

// Validate reports every problem with o at once. It does not apply the
// defaults: call EnsureDefaults first.
func (o Options) Validate() error {
	var errs []error
	if o.Size <= 0 {
		errs = append(errs, fmt.Errorf("vocab: Size must be positive, got %d", o.Size))
	} else if o.Size > math.MaxInt32 {
		errs = append(errs, fmt.Errorf("vocab: Size must be at most %d, got %d", math.MaxInt32, o.Size))
	}
	if o.MinLength <= 0 {
		errs = append(errs, fmt.Errorf("vocab: MinLength must be positive, got %d", o.MinLength))
	}
	return errors.Join(errs...)
}

// Analyzer turns text into terms with bleve's analysis chain:
//
//	unicode tokenizer (UAX #29 words) -> compound splitting (unless KeepDigits)
//	-> to_lower -> apostrophe folding (’ ＇ -> ') -> possessive_en ("bob's" -> "bob")
//	-> stop_en -> alphabetic filter (unless KeepDigits)
//	-> stemmer_en_snowball (if Stem) -> length filter (MinLength runes)
//
// Contractions stay whole tokens as the tokenizer yields them ("don't"), and
// those on the English stop list are removed. Compound splitting cuts the
// tokens that UAX #29 keeps whole across '.', ':' or '_' ("cs.cmu.edu",
// "e.g", "snake_case") into their parts, as a regular expression for words
// would. Text that is not valid UTF-8 is read as Windows-1252 where invalid.
// An Analyzer is safe for concurrent use.
type Analyzer struct {
	opts  Options
	lower analysis.TokenFilter // bleve's to_lower, for the non-ASCII terms
	poss  analysis.TokenFilter
	stops analysis.TokenMap
	stop  analysis.TokenFilter
	stem  analysis.TokenFilter // nil unless opts.Stem
	pool  sync.Pool            // *scratch

	// stems caches the stemmer: snowball allocates three times a term, and
	// a corpus repeats few distinct words.
	stemMu sync.RWMutex
	stems  map[string][]byte
}

// maxStems bounds the stem cache; terms beyond it are stemmed every time.
const maxStems = 1 << 17

// stopWords is bleve's English stop list (the snowball list), parsed once.
var stopWords = sync.OnceValue(func() analysis.TokenMap {
	m := analysis.NewTokenMap()
	if err := m.LoadBytes(en.EnglishStopWords); err != nil {
		panic("vocab: bleve's English stop list does not parse: " + err.Error())
	}
	return m
})

// NewAnalyzer returns the analyzer for o, after EnsureDefaults and Validate.
func NewAnalyzer(o Options) (*Analyzer, error) {
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	a := &Analyzer{
		opts:  o,
		lower: lowercase.NewLowerCaseFilter(),
		poss:  en.NewPossessiveFilter(),
		stops: stopWords(),
	}
	a.stop = stop.NewStopTokensFilter(a.stops)
	if o.Stem {
		a.stem = en.NewEnglishStemmerFilter()
		a.stems = make(map[string][]byte)
	}
	return a, nil
}

// Options returns the options of a, defaults applied.
func (a *Analyzer) Options() Options { return a.opts }

// Tokens returns the terms of text in order, repeats included, as a
// vocabulary built with a's options names them.
func (a *Analyzer) Tokens(text string) []string {
	var out []string
	a.each(text, func(term []byte) { out = append(out, string(term)) })
	return out
}

// analyze runs the chain over s.buf, which it rewrites in place; the terms
// of the returned tokens alias s.buf or the stem cache and must not be
// written to.
func (a *Analyzer) analyze(s *scratch) analysis.TokenStream {
	ts := a.normalize(s)
	ts = a.stop.Filter(ts)
	if !a.opts.KeepDigits {
		ts = keepAlphabetic(ts)
	}
	if a.stem != nil {
		ts = a.stemTokens(s, ts)
	}
	return keepMinLength(ts, a.opts.MinLength)
}

// normalize runs the chain up to the stop words: tokenize, split,
// lowercase, apostrophes, possessives. Without stemming, what the rest of
// the chain keeps is a property of the term alone (see survives), which
// lets Vocab.Vectorize stop here.
func (a *Analyzer) normalize(s *scratch) analysis.TokenStream {
	ts := s.tokenize()
	if !a.opts.KeepDigits {
		ts = splitCompounds(s, ts)
	}
	// ASCII terms, nearly all, are lowercased here in place; the others go
	// through bleve's to_lower filter, which knows Unicode's special cases.
	other := s.other[:0]
	for _, t := range ts {
		for k, c := range t.Term {
			if c >= utf8.RuneSelf {
				other = append(other, t)
				break
			}
			if 'A' <= c && c <= 'Z' {
				t.Term[k] = c + 'a' - 'A'
			}
		}
	}
	if len(other) > 0 {
		foldApostrophes(a.lower.Filter(other))
	}
	s.other = other
	return a.poss.Filter(ts)
}

// survives reports whether a term, as normalize leaves it, passes the rest
// of the chain unchanged when the analyzer does not stem.
func (a *Analyzer) survives(term string) bool {
	if a.opts.Stem || a.stops[term] {
		return false
	}
	if !a.opts.KeepDigits && !isAlphabetic([]byte(term)) {
		return false
	}
	return utf8.RuneCountInString(term) >= a.opts.MinLength
}

// stemTokens stems ts through the stem cache.
func (a *Analyzer) stemTokens(s *scratch, ts analysis.TokenStream) analysis.TokenStream {
	miss := s.other[:0]
	a.stemMu.RLock()
	for _, t := range ts {
		if st, ok := a.stems[string(t.Term)]; ok {
			t.Term = st
		} else {
			miss = append(miss, t)
		}
	}
	a.stemMu.RUnlock()
	s.other = miss
	if len(miss) == 0 {
		return ts
	}
	keys := s.keys[:0]
	for _, t := range miss {
		keys = append(keys, string(t.Term))
	}
	a.stem.Filter(miss)
	a.stemMu.Lock()
	for k, t := range miss {
		if len(a.stems) >= maxStems {
			break
		}
		a.stems[keys[k]] = t.Term // a fresh slice from the stemmer
	}
	a.stemMu.Unlock()
	clear(keys)
	s.keys = keys[:0]
	return ts
}

// isJoiner reports whether r, inside a token, joins two words rather than
// belonging to one: '.', ':', '_' and the like, which UAX #29 keeps inside
// "cs.cmu.edu", "e.g" and "snake_case". Letters, marks, digits and
// apostrophes are not joiners.
func isJoiner(r rune) bool {
	if r < utf8.RuneSelf {
		c := wbClass[r]
		return c != wbLetter && c != wbDigit && r != '\''
	}
	return !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || isApostrophe(r))
}

// plainByte marks the ASCII bytes that are not joiners.
var plainByte = func() (p [256]bool) {
	for c := range utf8.RuneSelf {
		p[c] = !isJoiner(rune(c))
	}
	return p
}()

// hasJoiner reports whether term may hold a joiner: it does or it is not
// ASCII.
func hasJoiner(term []byte) bool {
	for _, c := range term {
		if !plainByte[c] {
			return true
		}
	}
	return false
}

// splitCompounds splits tokens at joiners, as a regular expression for
// words would: "cs.cmu.edu" gives "cs", "cmu" and "edu". The parts alias
// the original terms; the new tokens live in s.
func splitCompounds(s *scratch, ts analysis.TokenStream) analysis.TokenStream {
	out := s.split[:0]
	for _, t := range ts {
		term := t.Term
		if !hasJoiner(term) {
			out = append(out, t)
			continue
		}
		lo := 0 // start of the current part
		for i := 0; i < len(term); {
			r, n := rune(term[i]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRune(term[i:])
			}
			if isJoiner(r) {
				if lo < i {
					out = append(out, s.partOf(t, lo, i))
				}
				lo = i + n
			}
			i += n
		}
		switch {
		case lo == 0:
			out = append(out, t) // non-ASCII, no joiner
		case lo < len(term):
			out = append(out, s.partOf(t, lo, len(term)))
		}
	}
	s.split = out
	return out
}

// isApostrophe reports whether r is one of the apostrophes bleve's
// possessive filter knows.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == '＇'
}

// foldApostrophes rewrites ’ (U+2019) and ＇ (U+FF07) as ' so that "don’t"
// meets the stop list's "don't". The replacement is shorter, so it is done
// in place.
func foldApostrophes(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		term := t.Term
		k := 0
		for k < len(term) && term[k] < utf8.RuneSelf {
			k++
		}
		if k == len(term) {
			continue // ASCII: the common case
		}
		out := term[:k]
		for i := k; i < len(term); {
			r, n := utf8.DecodeRune(term[i:])
			if r == '’' || r == '＇' {
				out = append(out, '\'')
			} else {
				out = append(out, term[i:i+n]...)
			}
			i += n
		}
		t.Term = out
	}
	return ts
}

// keepAlphabetic keeps tokens made of letters (and combining marks), with
// apostrophes allowed between letters; it drops numbers and words with
// digits.
func keepAlphabetic(ts analysis.TokenStream) analysis.TokenStream {
	j := 0
	for _, t := range ts {
		if isAlphabetic(t.Term) {
			ts[j] = t
			j++
		}
	}
	return ts[:j]
}

func isAlphabetic(term []byte) bool {
	if len(term) == 0 {
		return false
	}
	prevApos := true // no apostrophe first
	for i := 0; i < len(term); {
		c := term[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
				prevApos = false
			case c == '\'' && !prevApos:
				prevApos = true
			default:
				return false
			}
			continue
		}
		r, n := utf8.DecodeRune(term[i:])
		i += n
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r):
			prevApos = false
		case isApostrophe(r) && !prevApos:
			prevApos = true
		default:
			return false
		}
	}
	return !prevApos // no apostrophe last
}

func keepMinLength(ts analysis.TokenStream, minLen int) analysis.TokenStream {
	j := 0
	for _, t := range ts {
		// A rune takes at most utf8.UTFMax bytes, so long terms need no count.
		if n := len(t.Term); n >= minLen && (n >= utf8.UTFMax*minLen || utf8.RuneCount(t.Term) >= minLen) {
			ts[j] = t
			j++
		}
	}
	return ts[:j]
}
