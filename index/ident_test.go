package index

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
)

func TestIdentifierParts(t *testing.T) {
	t.Parallel()
	for term, want := range map[string]string{
		"ReadLine":              "Read Line",
		"bufio.Reader.ReadLine": "bufio Reader Read Line",
		"io.Reader":             "io Reader",
		"isPrefix":              "is Prefix",
		"is_prefix":             "is prefix",
		"HTTPServer":            "HTTP Server",
		"ServeHTTP":             "Serve HTTP",
		"parseURLQuery":         "parse URL Query",
		"ÜberGröße":             "Über Größe",
		// Not cut: one part, or parts without a letter or of one character.
		"IBMs": "", "reader": "", "README": "", "iPhone": "", "e.g": "", "U.S.A": "", "3.14": "", "v1.2": "", "x_": "",
		"sha256": "", "": "",
	} {
		var got []string
		for _, p := range identifierParts([]byte(term), nil) {
			got = append(got, term[p[0]:p[1]])
		}
		if len(got) < 2 {
			got = nil
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("identifierParts(%q) = %q, want %q", term, g, want)
		}
	}
}

// TestTextAnalyzer runs the analyzer of new indexes: identifiers keep
// their whole (lower-cased) term and add their stemmed parts at the next
// positions; the words after them move along; offsets point into the text.
func TestTextAnalyzer(t *testing.T) {
	t.Parallel()
	an := textMapping(TextAnalyzer).AnalyzerNamed(TextAnalyzer)
	if an == nil {
		t.Fatal("no analyzer")
	}
	text := "Use bufio.Scanner's ReadLine for lines of HTTPServer logs, e.g. IBMs."
	var got []string
	for _, tok := range an.Analyze([]byte(text)) {
		got = append(got, fmt.Sprintf("%s@%d:%s", tok.Term, tok.Position, text[tok.Start:tok.End]))
	}
	want := []string{
		"us@1:Use",
		"bufio.scann@2:bufio.Scanner's", "bufio@2:bufio", "scanner@3:Scanner's",
		"readlin@4:ReadLine", "read@4:Read", "line@5:Line",
		"line@7:lines",
		"httpserver@9:HTTPServer", "http@9:HTTP", "server@10:Server",
		"log@11:logs",
		"e.g@12:e.g",
		"ibm@13:IBMs",
	}
	if !slices.Equal(got, want) {
		t.Errorf("analysis of %q:\n got %q\nwant %q", text, got, want)
	}
}

// TestReanalyze upgrades an index whose full-text index was written with
// the older analyzer ("en"): before, "read line" does not find ReadLine;
// after, it does, the documents, codes and other searches are unchanged,
// and the new analyzer is the index's.
func TestReanalyze(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n, dim = 30, 4
	w, err := Create(dir, dim, "fp")
	if err != nil {
		t.Fatal(err)
	}
	w.analyzer = en.AnalyzerName
	entries := make([]Entry, n)
	for i := range entries {
		entries[i] = testEntry(1, i, dim)
	}
	entries[7].Text = "ReadLine is a low-level primitive of bufio.Reader"
	for _, e := range entries {
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	before := mustOpen(t, dir)
	if got := before.Analyzer(); got != en.AnalyzerName {
		t.Fatalf("analyzer before: %q", got)
	}
	if got := keywordIDs(t, before, "+read +line"); len(got) != 0 {
		t.Errorf(`"+read +line" found %v with the old analyzer`, got)
	}
	orbit := keywordIDs(t, before, "orbit")
	bufio := keywordIDs(t, before, "bufio.reader")

	w, err = Update(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.Reanalyze(); err != nil {
		t.Fatal(err)
	}
	// The writer stays usable after it.
	if err := w.Remove(entries[3].ID); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	after := mustOpen(t, dir)
	if got := after.Analyzer(); got != TextAnalyzer {
		t.Errorf("analyzer after: %q, want %q", got, TextAnalyzer)
	}
	if got, want := keywordIDs(t, after, "+read +line"), []string{entries[7].ID}; !slices.Equal(got, want) {
		t.Errorf(`"+read +line" after: %v, want %v`, got, want)
	}
	if got := keywordIDs(t, after, "bufio.reader"); !slices.Equal(got, bufio) {
		t.Errorf(`"bufio.reader" after: %v, before %v`, got, bufio)
	}
	orbit = slices.DeleteFunc(orbit, func(id string) bool { return id == entries[3].ID })
	if got := keywordIDs(t, after, "orbit"); !slices.Equal(got, orbit) {
		t.Errorf(`"orbit" after: %v, want %v`, got, orbit)
	}
	if after.Len() != n-1 {
		t.Fatalf("%d documents after, want %d", after.Len(), n-1)
	}
	for i := range after.Len() {
		d := after.Doc(i)
		j := slices.IndexFunc(entries, func(e Entry) bool { return e.ID == d.ID })
		if j < 0 || d.Title != entries[j].Title || d.Label != entries[j].Label || !slices.Equal(after.Code(i), before.Code(j)) {
			t.Errorf("doc %d after (%+v) differs from the one before", i, d)
		}
		text, err := after.Text(i)
		if err != nil || text != entries[j].Text {
			t.Errorf("text of %q after: %q, %v", d.ID, text, err)
		}
	}
}
