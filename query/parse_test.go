package query

import "testing"

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
