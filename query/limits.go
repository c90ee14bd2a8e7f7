package query

import (
	"fmt"
	"strings"
	"unicode/utf8"

	bq "github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
)

// Bounds on the clauses that bleve expands into many terms: a prefix or
// wildcard (word*, *ing), a fuzzy term (word~2), a regular expression
// (/re/). Each becomes a disjunction over every matching term of the index,
// and its cost grows with their number, out of reach of a context
// deadline: on the 20 Newsgroups test index "*" and /.*/ expand to every
// term and took 5 to 45 seconds, "ab~2" 4 s, "s*" 0.2 s, "co*" 0.04 s.
// MaxTermExpansion bounds one clause (bleve's
// searcher.DisjunctionMaxClauseCount) and MaxExpandingClauses their number,
// so that one query costs at most about a second. A query beyond either
// bound is searched as plain words, with a note that says why, as a query
// of invalid syntax is: a subject line such as "Program manager ** two
// questions" means its words, not every word of the index.
const (
	MaxTermExpansion    = 4096
	MaxExpandingClauses = 4
)

func init() { searcher.DisjunctionMaxClauseCount = MaxTermExpansion }

// checkExpanding says why q is beyond the bounds, "" when it is not: more
// than MaxExpandingClauses expanding clauses, or a fuzzy term too short
// for its edit distance (a term of n letters within n edits matches every
// short word, the most frequent among them; "ab~2" took 4 s on 20
// Newsgroups), so a term needs at least 2 x edits + 1 letters ("abc~1",
// "abcde~2"). A clause expanding past MaxTermExpansion shows only when the
// query runs (isExpansion).
func checkExpanding(q bq.Query) string {
	n, short := 0, ""
	walkExpanding(q, func(term string, fuzziness int) {
		n++
		for _, w := range strings.Fields(term) {
			if fuzziness > 0 && utf8.RuneCountInString(w) < 2*fuzziness+1 && short == "" {
				short = fmt.Sprintf("%s~%d", w, fuzziness)
			}
		}
	})
	switch {
	case short != "":
		return fmt.Sprintf("the fuzzy term %q is too short for its edit distance (a term needs 2 x edits + 1 letters)", short)
	case n > MaxExpandingClauses:
		return fmt.Sprintf("the query has %d wildcard, fuzzy or regular-expression terms, at most %d are searched as such", n, MaxExpandingClauses)
	}
	return ""
}

// walkExpanding calls fn with the term and edit distance (0 unless fuzzy)
// of every expanding clause of q.
func walkExpanding(q bq.Query, fn func(term string, fuzziness int)) {
	switch q := q.(type) {
	case *bq.BooleanQuery:
		for _, c := range []bq.Query{q.Must, q.Should, q.MustNot} {
			if c != nil {
				walkExpanding(c, fn)
			}
		}
	case *bq.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			walkExpanding(c, fn)
		}
	case *bq.DisjunctionQuery:
		for _, c := range q.Disjuncts {
			walkExpanding(c, fn)
		}
	case *bq.WildcardQuery:
		fn(q.Wildcard, 0)
	case *bq.PrefixQuery:
		fn(q.Prefix, 0)
	case *bq.RegexpQuery:
		fn(q.Regexp, 0)
	case *bq.FuzzyQuery:
		fn(q.Term, q.Fuzziness)
	case *bq.MatchQuery:
		if q.Fuzziness > 0 {
			fn(q.Match, q.Fuzziness)
		}
	case *bq.MatchPhraseQuery:
		if q.Fuzziness > 0 {
			fn(q.MatchPhrase, q.Fuzziness)
		}
	}
}

// noteExpansion says that a term expanded past MaxTermExpansion.
var noteExpansion = fmt.Sprintf("a wildcard, fuzzy or regular-expression term of the query matches more than %d words of the index; its words were searched as plain text", MaxTermExpansion)

// isExpansion reports bleve's error for a clause over MaxTermExpansion
// terms (it has no sentinel; its message names "TooManyClauses").
func isExpansion(err error) bool {
	return err != nil && strings.Contains(err.Error(), "TooManyClauses")
}
