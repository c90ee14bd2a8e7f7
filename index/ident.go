package index

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// IdentifierFilter is the name of the token filter that also indexes the
// words inside identifiers. Unicode word segmentation keeps "io.Reader",
// "ReadLine" and "is_prefix" whole, so that the query "read line" could not
// find bufio.Reader.ReadLine; the filter keeps such a token and adds its
// parts after it, at consecutive positions: "ReadLine" -> "ReadLine",
// "Read", "Line"; "io.Reader" -> "io.Reader", "io", "Reader";
// "HTTPServer" -> "HTTPServer", "HTTP", "Server". It splits at '.' and '_'
// and at lower-to-upper case changes (and before the last capital of a run
// of capitals followed by at least two small letters, so "IBMs" stays
// whole), keeps a part only when it holds a letter and at least two
// characters ("e.g" and "3.14" stay as they are), and adds nothing to a
// token it would not cut in two. It is Lucene's WordDelimiterGraphFilter
// with preserveOriginal, reduced to what prose and code documentation
// need; the original token is kept, so an identifier typed whole still
// matches exactly.
const IdentifierFilter = "docsearch_identifier"

// identifierFilter implements IdentifierFilter.
type identifierFilter struct{}

func (identifierFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in))
	shift := 0
	var parts [][2]int
	for _, t := range in {
		t.Position += shift
		out = append(out, t)
		parts = identifierParts(t.Term, parts[:0])
		if len(parts) < 2 {
			continue
		}
		for i, p := range parts {
			out = append(out, &analysis.Token{
				Start:    t.Start + p[0],
				End:      t.Start + p[1],
				Term:     append([]byte(nil), t.Term[p[0]:p[1]]...), // later filters change terms in place
				Position: t.Position + i,
				Type:     t.Type,
			})
		}
		shift += len(parts) - 1
	}
	return out
}

// identifierParts appends to parts the byte ranges of the parts of term
// (see IdentifierFilter) and returns them; fewer than two means the term is
// not cut.
func identifierParts(term []byte, parts [][2]int) [][2]int {
	keep := func(a, b int) {
		letter, n := false, 0
		for _, r := range string(term[a:b]) {
			letter = letter || unicode.IsLetter(r)
			n++
		}
		if letter && n >= 2 {
			parts = append(parts, [2]int{a, b})
		}
	}
	start := 0
	// prev and prev2 are the two runes before i (utf8.RuneError at the start).
	prev, prev2 := utf8.RuneError, utf8.RuneError
	for i := 0; i < len(term); {
		r, size := utf8.DecodeRune(term[i:])
		switch {
		case r == '.' || r == '_':
			keep(start, i)
			start = i + size
		case unicode.IsUpper(r) && unicode.IsLower(prev) && i > start:
			keep(start, i)
			start = i
		case unicode.IsLower(r) && unicode.IsUpper(prev) && unicode.IsUpper(prev2) && i-utf8.RuneLen(prev) > start:
			// "HTTPServer": cut before the 'S' when "er..." follows it with two small letters.
			if next, _ := utf8.DecodeRune(term[i+size:]); unicode.IsLower(next) {
				at := i - utf8.RuneLen(prev)
				keep(start, at)
				start = at
			}
		}
		prev2, prev = prev, r
		i += size
	}
	keep(start, len(term))
	return parts
}

// TextAnalyzer is the analyzer of the text and title fields of a new
// index: bleve's English analyzer (Unicode word segmentation, possessives
// removed, lower case, English stop words, Porter stemming, the equivalent
// of Lucene's EnglishAnalyzer) with IdentifierFilter after the
// segmentation. Indexes written before it keep the analyzer their mapping
// names ("en"), for their documents and their queries alike.
const TextAnalyzer = "docsearch_en"

// textAnalyzerConfig is TextAnalyzer's definition in a bleve mapping.
var textAnalyzerConfig = map[string]any{
	"type":      custom.Name,
	"tokenizer": unicodetok.Name,
	"token_filters": []any{
		IdentifierFilter,
		en.PossessiveName,
		lowercase.Name,
		en.StopName,
		porter.Name,
	},
}

func init() {
	err := registry.RegisterTokenFilter(IdentifierFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return identifierFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}
