package query

import (
	"testing"

	bq "github.com/blevesearch/bleve/v2/search/query"
	"github.com/docsearch/docsearch/index"
)

func TestPrepare(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, sem string }{
		{"sort a slice", "sort a slice", "sort a slice"},
		{"WANTED: 286 motherboard", `WANTED\: 286 motherboard`, "WANTED: 286 motherboard"},
		{"http://example.com/x", `http\://example.com/x`, "http://example.com/x"},
		{"how do I sort a slice?", `how do I sort a slice `, "how do I sort a slice"},
		{"label:sci.space orbit", "label:sci.space orbit", "orbit"},
		{"+title:rocket -label:autos engine", "+title:rocket -label:autos engine", "rocket engine"},
		{`"a: b?" c:d`, `"a: b?" c\:d`, "a: b? c:d"},
		{`already\: escaped`, `already\: escaped`, "already: escaped"},
		{"x -noise", "x -noise", "x"},
		{"** Wanted: PowerBook 100 **", `Wanted\: PowerBook 100`, "Wanted: PowerBook 100"},
		{"Waco *is* fault", "Waco is fault", "Waco is fault"},
		{"comput* -*** +(*gpu*)", "comput* +(gpu)", "(gpu)"}, // bleve has no groups: "(gpu)" is a word
		{`"a ** b" c`, `"a ** b" c`, "a ** b c"},
	} {
		if got := prepare(tc.in); got != tc.want {
			t.Errorf("prepare(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if p := parseText(tc.in); p.semantic != tc.sem || p.fellBack {
			t.Errorf("parseText(%q): semantic %q (fell back %v), want %q", tc.in, p.semantic, p.fellBack, tc.sem)
		}
	}
	if p := parseText(`unbalanced "quote`); !p.fellBack || p.semantic != `unbalanced "quote` {
		t.Errorf("unbalanced quote: %+v", p)
	}
}

// TestAllWords checks which queries gain the all-words clause and that it
// names exactly the plain words, with the boost.
func TestAllWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string // the clause's words; "" for none
	}{
		{"read a file line by line", "read a file line by line"},
		{"gzip", ""},
		{`"line by line" file`, ""},                        // one plain word beside a phrase
		{"+must file line -not", "file line"},              // must and must-not words are not plain
		{"label:sci.space orbit shuttle", "orbit shuttle"}, // a field names no plain word
		{"title:rocket engine", ""},
	} {
		p := parseText(tc.in)
		d := countDisjuncts(p.keyword)
		q := allWords(p.keyword, 2)
		var got string
		if b, ok := q.(*bq.BooleanQuery); ok {
			if dq, ok := b.Should.(*bq.DisjunctionQuery); ok && len(dq.Disjuncts) > d {
				m := dq.Disjuncts[len(dq.Disjuncts)-1].(*bq.MatchQuery)
				if m.Operator != bq.MatchQueryOperatorAnd || m.Boost() != 2 {
					t.Errorf("%q: clause %+v, want operator and, boost 2", tc.in, m)
				}
				got = m.Match
			}
		}
		if got != tc.want {
			t.Errorf("allWords(%q): clause of %q, want %q", tc.in, got, tc.want)
		}
	}
}

func countDisjuncts(q bq.Query) int {
	if b, ok := q.(*bq.BooleanQuery); ok {
		if d, ok := b.Should.(*bq.DisjunctionQuery); ok {
			return len(d.Disjuncts)
		}
	}
	return 0
}

// TestTitleWords checks which queries gain the title clause and that it
// searches exactly the plain words, any of them, in the title, with the
// boost.
func TestTitleWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string // the clause's words; "" for none
	}{
		{"read a file line by line", "read a file line by line"},
		{"gzip", "gzip"},
		{`"line by line" file`, "file"},
		{"+must file line -not", "file line"},
		{"label:sci.space orbit shuttle", "orbit shuttle"},
		{"+only -not", ""},
	} {
		p := parseText(tc.in)
		d := countDisjuncts(p.keyword)
		q := titleWords(p.keyword, 0.5)
		var got string
		if b, ok := q.(*bq.BooleanQuery); ok {
			if dq, ok := b.Should.(*bq.DisjunctionQuery); ok && len(dq.Disjuncts) > d {
				m := dq.Disjuncts[len(dq.Disjuncts)-1].(*bq.MatchQuery)
				if m.Operator != bq.MatchQueryOperatorOr || m.Boost() != 0.5 || m.FieldVal != index.FieldTitle {
					t.Errorf("%q: clause %+v, want operator or, boost 0.5, field title", tc.in, m)
				}
				got = m.Match
			}
		}
		if got != tc.want {
			t.Errorf("titleWords(%q): clause of %q, want %q", tc.in, got, tc.want)
		}
	}
}
