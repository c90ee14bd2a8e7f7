package vocab

import (
	"bytes"
	"fmt"
	"testing"
	"unicode/utf8"

	unitok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// bleveTerms returns the terms of bleve's unicode tokenizer on text, made
// valid UTF-8 as the analyzer does first.
func bleveTerms(text string) []string {
	buf := appendValidUTF8(nil, text)
	var out []string
	for _, t := range unitok.NewUnicodeTokenizer().Tokenize(buf) {
		out = append(out, string(t.Term))
	}
	return out
}

// ourTerms returns the terms of scratch.tokenize on text.
func ourTerms(text string) []string {
	s := &scratch{buf: appendValidUTF8(nil, text)}
	var out []string
	for _, t := range s.tokenize() {
		out = append(out, string(t.Term))
	}
	return out
}

func checkSameTokens(t *testing.T, text string) {
	t.Helper()
	want, got := bleveTerms(text), ourTerms(text)
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("tokenize(%q)\n got %q\nwant %q (bleve unicode tokenizer)", text, got, want)
	}
}

// tokenizeCases are edge cases of UAX #29 word breaks around the ASCII fast
// path: joiners at either end and between letters, digits and '_'.
var tokenizeCases = []string{
	"", " ", "a", "_", "__", "a_", "_a", "a_b", "1_a", "a.", ".a", "a.b", "a..b", "a.b.", "a.1",
	"1.a", "1.2", "1,2", "a,b", "1;2", "a:b", "1:2", "a'b", "'a'", "1'2", "a'1", "e.g.", "i.e.,",
	"cs.cmu.edu", "bob@cs.cmu.edu", "x_11.5", "1,000.50$", "don't", "O'Reilly's", "won’t",
	"naïve café", "a\u0301b", " \u0301a", "\u0301", "Ünïcödé", "日本語テキスト", "ｶﾀｶﾅ_x", "ﾃｽﾄ",
	"a\u00adb", "a\u200bb", "\r\n\v\f\t", "a\x00b", "\"quoted\"", "hello-world", "x/y\\z",
	"3.14.15", "a:1", "1:a", "a;b", "a b\tc\nd\re", "📎 a🇫🇷b", "\u05d0\"\u05d1", "\u05d0'", "a\u2019s",
	"caf\xe9 na\xefve \x92quoted\x92", "\xff\xfe", "w\u0301.x",
}

func TestTokenizeMatchesBleve(t *testing.T) {
	t.Parallel()
	for _, text := range tokenizeCases {
		checkSameTokens(t, text)
	}
	docs, _ := newsDocs(t, 300)
	for _, d := range docs {
		checkSameTokens(t, d)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, text := range tokenizeCases {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkSameTokens(t, text)
		buf := appendValidUTF8(nil, text)
		if !utf8.Valid(buf) {
			t.Fatalf("appendValidUTF8(%q) = %q, not valid UTF-8", text, buf)
		}
		if utf8.ValidString(text) && !bytes.Equal(buf, []byte(text)) {
			t.Fatalf("appendValidUTF8 changed valid text %q to %q", text, buf)
		}
	})
}
