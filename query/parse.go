package query

import (
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/docsearch/docsearch/index"
)

// queryFields are the field names a query may name ("label:comp.graphics").
var queryFields = map[string]bool{
	index.FieldText: true, index.FieldTitle: true, index.FieldLabel: true, "_all": true,
}

// prepare rewrites text for bleve's query-string parser so that everyday
// text means what it says: a colon after a word that is not a field name
// ("WANTED: 286 motherboard", "http://...") is escaped instead of naming a
// field; "?" outside quotes becomes a space instead of a one-character
// wildcard (a question mark ends questions far more often than it stands
// for a letter); and stars that decorate rather than abbreviate are taken
// off (see undecorate). Quoted phrases are left as they are.
func prepare(text string) string {
	text = undecorate(text)
	var b strings.Builder
	b.Grow(len(text) + 8)
	inQuote, escaped := false, false
	wordStart := 0 // byte offset in b where the current word began
	for _, r := range text {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r == '?':
			r = ' ' // bleve reads an escaped "?" as a wildcard still
		case r == ':':
			word := strings.TrimLeft(b.String()[wordStart:], "+-")
			if !queryFields[word] {
				b.WriteByte('\\')
			}
		}
		if !inQuote && (unicode.IsSpace(r) || r == '(') {
			wordStart = b.Len() + len(string(r))
		}
		b.WriteRune(r)
	}
	return b.String()
}

// undecorate drops the words of text made only of stars ("** FOR SALE
// **") and the stars around a word that starts with one ("*is*"): those
// are emphasis in everyday text, and as wildcards they would expand to
// every term of the index, or to every term containing the word, the most
// expensive queries there are. A star after a word ("comput*") stays a
// prefix search. Words inside quotes are left alone.
func undecorate(text string) string {
	if !strings.Contains(text, "*") {
		return text
	}
	words := strings.Fields(text)
	out := words[:0]
	inQuote := false
	for _, w := range words {
		if !inQuote {
			core := strings.TrimLeft(w, "+-(")
			pre := w[:len(w)-len(core)]
			core = strings.TrimRight(core, ")")
			post := w[len(pre)+len(core):]
			switch {
			case strings.Trim(core, "*") == "" && !strings.Contains(w, `"`):
				continue
			case strings.HasPrefix(core, "*"):
				w = pre + strings.Trim(core, "*") + post
			}
		}
		if strings.Count(w, `"`)%2 == 1 {
			inQuote = !inQuote
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// parsed is a query text made into both sides of a search.
type parsed struct {
	keyword  bq.Query // for the full-text index
	semantic string   // the words whose code the query's code is
	fellBack bool     // plain words were searched instead of the query syntax
	note     string   // why, when fellBack
}

// noteSyntax says that a query was not valid syntax.
const noteSyntax = "the query is not valid query syntax; its words were searched as plain text"

// plainText searches the words of text, without query syntax.
func plainText(text, note string) parsed {
	return parsed{keyword: bleve.NewMatchQuery(text), semantic: text, fellBack: true, note: note}
}

// parseText turns a user's query text into a keyword query in bleve's
// query-string syntax (see prepare) and the text for the code: the words
// of the clauses that must or should match the text or title, not those
// that must not match or that name the label. Text that does not parse
// (an unbalanced quote, a lone "-"), or whose wildcard, fuzzy or
// regular-expression terms are beyond the bounds of limits.go, is searched
// as plain words.
func parseText(text string) parsed {
	q, err := bleve.NewQueryStringQuery(prepare(text)).Parse()
	if err != nil {
		return plainText(text, noteSyntax)
	}
	if reason := checkExpanding(q); reason != "" {
		return plainText(text, reason+"; its words were searched as plain text")
	}
	var words []string
	collect(q, &words)
	return parsed{keyword: q, semantic: strings.Join(words, " ")}
}

// plainWords returns the disjunction of the should clauses of q, a parsed
// query string, and the plain words in it (those searched in the default
// field, not phrases, must or must-not words); nil when q has none.
func plainWords(q bq.Query) (*bq.DisjunctionQuery, []string) {
	b, ok := q.(*bq.BooleanQuery)
	if !ok || b.Should == nil {
		return nil, nil
	}
	d, ok := b.Should.(*bq.DisjunctionQuery)
	if !ok {
		return nil, nil
	}
	var plain []string
	for _, c := range d.Disjuncts {
		if m, ok := c.(*bq.MatchQuery); ok && (m.FieldVal == "" || m.FieldVal == "_all") {
			plain = append(plain, m.Match)
		}
	}
	return d, plain
}

// allWords adds to q, a parsed query string, a should clause of the given
// boost that matches the documents holding every plain word of q (see
// plainWords). A query of fewer than two plain words is returned as it is.
func allWords(q bq.Query, boost float64) bq.Query {
	d, plain := plainWords(q)
	if len(plain) < 2 {
		return q
	}
	addMatch(d, plain, "", bq.MatchQueryOperatorAnd, boost)
	return q
}

// addMatch adds to d a match query of words in field ("" the default),
// with operator op and the boost.
func addMatch(d *bq.DisjunctionQuery, words []string, field string, op bq.MatchQueryOperator, boost float64) {
	m := bleve.NewMatchQuery(strings.Join(words, " "))
	m.SetField(field)
	m.SetOperator(op)
	m.SetBoost(boost)
	d.Disjuncts = append(d.Disjuncts, m)
}

// titleWords adds to q, a parsed query string, a should clause of the given
// boost that matches any of the plain words of q (see plainWords) in the
// title field, which the default field holds already: a title's words
// count 1+boost times, as in Elasticsearch's multi_match over the text and
// title^boost. A query without plain words is returned as it is.
func titleWords(q bq.Query, boost float64) bq.Query {
	d, plain := plainWords(q)
	if len(plain) == 0 {
		return q
	}
	addMatch(d, plain, index.FieldTitle, bq.MatchQueryOperatorOr, boost)
	return q
}

// collect appends the positive text of q to words.
func collect(q bq.Query, words *[]string) {
	textField := func(f string) bool { return f == "" || f == index.FieldText || f == index.FieldTitle || f == "_all" }
	switch q := q.(type) {
	case *bq.BooleanQuery:
		if q.Must != nil {
			collect(q.Must, words)
		}
		if q.Should != nil {
			collect(q.Should, words)
		}
	case *bq.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			collect(c, words)
		}
	case *bq.DisjunctionQuery:
		for _, c := range q.Disjuncts {
			collect(c, words)
		}
	case *bq.MatchQuery:
		if textField(q.FieldVal) {
			*words = append(*words, q.Match)
		}
	case *bq.MatchPhraseQuery:
		if textField(q.FieldVal) {
			*words = append(*words, q.MatchPhrase)
		}
	case *bq.TermQuery:
		if textField(q.FieldVal) {
			*words = append(*words, q.Term)
		}
	}
}
