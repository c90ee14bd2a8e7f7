package vocab

import (
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/segment"
)

// maxPooledBuf is the largest text whose workspace returns to the pool; a
// rare huge document should not pin its buffers forever.
const maxPooledBuf = 1 << 20

// scratch is the workspace of one analysis, kept in a pool: with it, the
// analysis of a document allocates nothing in the common case.
type scratch struct {
	buf   []byte               // a copy of the text, which the filters rewrite in place
	segs  [][]byte             // the segments of buf, words and the rest
	types []int                // segment types
	toks  []analysis.Token     // the word tokens
	ts    analysis.TokenStream // pointers to toks
	split analysis.TokenStream // ts with compounds split
	parts []analysis.Token     // storage for the parts of split compounds
	other analysis.TokenStream // a subset of the tokens, for one filter
	keys  []string             // stem cache keys
	hits  []int32              // Vocab.Vectorize: the columns seen
}

// partOf returns a new token for t.Term[lo:hi], stored in s.parts. It never
// grows s.parts in place, so earlier pointers stay valid.
func (s *scratch) partOf(t *analysis.Token, lo, hi int) *analysis.Token {
	if len(s.parts) == cap(s.parts) {
		s.parts = make([]analysis.Token, 0, max(64, 2*cap(s.parts)))
	}
	s.parts = append(s.parts, analysis.Token{
		Term:     t.Term[lo:hi],
		Start:    t.Start + lo,
		End:      t.Start + hi,
		Position: t.Position,
		Type:     t.Type,
	})
	return &s.parts[len(s.parts)-1]
}

// each calls fn with each term of text in order. The slice passed to fn is
// only valid during the call.
func (a *Analyzer) each(text string, fn func(term []byte)) {
	s := a.get(text)
	for _, t := range a.analyze(s) {
		fn(t.Term)
	}
	a.put(s)
}

// get returns a workspace from the pool holding a copy of text.
func (a *Analyzer) get(text string) *scratch {
	s, _ := a.pool.Get().(*scratch)
	if s == nil {
		s = new(scratch)
	}
	s.buf = appendValidUTF8(s.buf[:0], text)
	return s
}

// appendValidUTF8 appends text to dst, reading each byte that is not part
// of valid UTF-8 as Windows-1252 (ISO 8859-1 but for 0x80-0x9F), the usual
// encoding of such bytes in old mail and news: 20 Newsgroups holds 73 such
// posts. The bleve segmenter would stop at the first invalid byte after
// white space and drop the rest of the text.
func appendValidUTF8(dst []byte, text string) []byte {
	if utf8.ValidString(text) {
		return append(dst, text...)
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && n == 1 {
			r = rune(text[i])
			if 0x80 <= r && r < 0xa0 {
				r = cp1252[r-0x80]
			}
			dst = utf8.AppendRune(dst, r)
		} else {
			dst = append(dst, text[i:i+n]...)
		}
		i += n
	}
	return dst
}

// cp1252 maps the bytes 0x80-0x9F of Windows-1252 to runes; its five
// unassigned bytes keep their ISO 8859-1 (C1 control) meaning.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8d, 'Ž', 0x8f,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9d, 'ž', 'Ÿ',
}

// put returns s to the pool, unless a huge text made it huge; the tokens of
// its analysis die with it.
func (a *Analyzer) put(s *scratch) {
	if cap(s.buf) > maxPooledBuf {
		return
	}
	s.parts = s.parts[:0]
	a.pool.Put(s)
}

// tokenize splits s.buf into word tokens as bleve's unicode tokenizer
// (analysis/tokenizer/unicode, the UAX #29 segmenter of
// github.com/blevesearch/segment) does, into storage reused from call to
// call. The bleve tokenizer allocates about 30 KB per 20 Newsgroups post,
// and the segmenter's table-driven scanner runs at about 25 MB/s: together
// they were most of the cost of Vectorize. So runs of text between ASCII
// white space that are pure ASCII, nearly all of them in English, go
// through asciiWords, which applies the same rules; the other runs go to
// the segmenter. White space always stands alone as a segment in the
// segmenter's grammar, so the runs segment independently.
// TestTokenizeMatchesBleve and FuzzTokenize hold the two to the same
// output. s.buf must be valid UTF-8.
func (s *scratch) tokenize() analysis.TokenStream {
	s.segs, s.types = s.segs[:0], s.types[:0]
	buf := s.buf
	for i := 0; i < len(buf); {
		if asciiSpace[buf[i]] {
			i++
			continue
		}
		j, ascii := i, true
		for ; j < len(buf) && !asciiSpace[buf[j]]; j++ {
			if buf[j] >= utf8.RuneSelf {
				ascii = false
			}
		}
		if ascii {
			s.segs = asciiWords(s.segs, buf[i:j])
			i = j
			continue
		}
		// Keep the word segments only, as the bleve tokenizer does.
		before := len(s.segs)
		segs, types, _, err := segment.SegmentWordsDirect(buf[i:j], s.segs, s.types[:0])
		k := before
		for t, typ := range types {
			if typ != segment.None {
				segs[k] = segs[before+t]
				k++
			}
		}
		s.segs, s.types = segs[:k], types[:0]
		if err != nil {
			// The bleve tokenizer stops at a parse error, so this does
			// too; no valid UTF-8 has been seen to cause one.
			break
		}
		i = j
	}
	n := len(s.segs)
	s.toks = slices.Grow(s.toks[:0], n)[:n]
	s.ts = slices.Grow(s.ts[:0], n)[:n]
	for k, seg := range s.segs {
		// Start and End are byte offsets in buf, as bleve's; the filters
		// here read only Term.
		start := cap(buf) - cap(seg)
		s.toks[k] = analysis.Token{Term: seg, Start: start, End: start + len(seg), Position: k + 1}
		s.ts[k] = &s.toks[k]
	}
	return s.ts
}

// asciiSpace marks the ASCII white space that separates runs in tokenize.
var asciiSpace = [256]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true}

// Word-break classes of ASCII bytes in UAX #29 (Unicode 8.0, as the
// segmenter): letters, digits, '_' (ExtendNumLet), joiners between letters
// only (':'), between digits only (',' ';') or both ('.' and the apostrophe), and the
// rest.
const (
	wbOther = iota
	wbLetter
	wbDigit
	wbExtendNumLet
	wbMidLetter
	wbMidNum
	wbMidNumLet
)

var wbClass = func() (c [utf8.RuneSelf]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		c[b], c[b-'a'+'A'] = wbLetter, wbLetter
	}
	for b := '0'; b <= '9'; b++ {
		c[b] = wbDigit
	}
	c['_'] = wbExtendNumLet
	c[':'] = wbMidLetter
	c[','], c[';'] = wbMidNum, wbMidNum
	c['.'], c['\''] = wbMidNumLet, wbMidNumLet
	return c
}()

// asciiWords appends the words of text, which is ASCII, as UAX #29 and the
// segmenter's grammar define them: maximal runs of letters, digits and '_',
// where a joiner may stand between two letters (':', '.', apostrophe) or between
// two digits (',', ';', '.', apostrophe). "e.g", "cs.cmu.edu", "don't", "1,000.5"
// and "x_1" are one word each.
func asciiWords(segs [][]byte, text []byte) [][]byte {
	n := len(text)
	for i := 0; i < n; {
		switch wbClass[text[i]] {
		case wbLetter, wbDigit, wbExtendNumLet:
		default:
			i++
			continue
		}
		j := i + 1
	run:
		for j < n {
			switch wbClass[text[j]] {
			case wbLetter, wbDigit, wbExtendNumLet:
				j++
				continue
			case wbMidLetter:
				if j+1 < n && wbClass[text[j-1]] == wbLetter && wbClass[text[j+1]] == wbLetter {
					j += 2
					continue
				}
			case wbMidNum:
				if j+1 < n && wbClass[text[j-1]] == wbDigit && wbClass[text[j+1]] == wbDigit {
					j += 2
					continue
				}
			case wbMidNumLet:
				if j+1 < n {
					if p, q := wbClass[text[j-1]], wbClass[text[j+1]]; p == q && (p == wbLetter || p == wbDigit) {
						j += 2
						continue
					}
				}
			}
			break run
		}
		segs = append(segs, text[i:j])
		i = j
	}
	return segs
}
