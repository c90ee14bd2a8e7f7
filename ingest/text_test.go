package ingest

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"ascii", "hello\nworld", "hello\nworld"},
		{"utf8 kept", "caf\u00e9 \u2014 \U0001F600", "caf\u00e9 \u2014 \U0001F600"},
		{"crlf", "a\r\nb\r\n", "a\nb\n"},
		{"lone cr", "a\rb\r", "a\nb\n"},
		{"cr cr lf", "a\r\r\nb", "a\n\nb"},
		{"latin1 e-acute", "caf\xe9", "caf\u00e9"},
		{"latin1 nbsp and y-umlaut", "\xa0\xff", "\u00a0\u00ff"},
		{"win1252 quotes", "\x93hi\x94 \x80", "\u201chi\u201d \u20ac"},
		{"win1252 undefined", "\x81\x8d\x8f\x90\x9d", "\u0081\u008d\u008f\u0090\u009d"},
		{"mixed valid and invalid", "\u00e9\xe9", "\u00e9\u00e9"},
		{"truncated sequence", "a\xe2\x82", "a\u00e2\u201a"},
		{"encoded U+FFFD kept", "\ufffd", "\ufffd"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		got := decodeText([]byte(tt.in))
		if got != tt.want {
			t.Errorf("%s: decodeText(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: decodeText(%q) is not valid UTF-8", tt.name, tt.in)
		}
		if got := normalizeString(tt.in); got != tt.want {
			t.Errorf("%s: normalizeString(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestTitleOf(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300)
	tests := []struct {
		name string
		text string
		want string
	}{
		{"usenet", "From: a@b.c (A)\nSubject: Re: Hello  world\nLines: 3\n\nBody text\n", "Re: Hello world"},
		{"subject lower case", "from: a\nsubject: lower\n\nbody", "lower"},
		{"folded subject", "From: a\nSubject: one\n  two\nLines: 1\n\nbody", "one two"},
		{"folded other header", "From: a\n b\nSubject: s\n\nbody", "s"},
		{"no subject", "From: a\nLines: 2\n\n\nFirst body line\n", "First body line"},
		{"empty subject", "From: a\nSubject:   \n\nBody", "Body"},
		{"subject after body not used", "Hello there\n\nSubject: no", "Hello there"},
		{"plain text", "\n\n  The title line \nmore", "The title line"},
		{"key with space is not a header", "Dear John: hi\nSubject: x", "Dear John: hi"},
		{"tabs collapsed", "a\t\tb", "a b"},
		{"long", long, long[:MaxTitleRunes]},
		{"long runes", strings.Repeat("\u00e9", 250), strings.Repeat("\u00e9", MaxTitleRunes)},
		{"no trailing space at cut", strings.Repeat("a", 199) + " b", strings.Repeat("a", 199)},
		{"empty", "", ""},
		{"blank", " \n\t\n", ""},
	}
	for _, tt := range tests {
		if got := titleOf(tt.text); got != tt.want {
			t.Errorf("%s: titleOf(%q) = %q, want %q", tt.name, tt.text, got, tt.want)
		}
	}
}

func TestTruncation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 2, "ab"},
		{"a\u00e9", 2, "a"}, // é is 2 bytes: cut before it
		{"a\u20ac", 3, "a"}, // € is 3 bytes
		{"\U0001F600b", 4, "\U0001F600"},
		{"\U0001F600b", 3, ""},
	}
	for _, tt := range tests {
		if got := truncateUTF8(tt.s, tt.n); got != tt.want {
			t.Errorf("truncateUTF8(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
		if tt.n < len(tt.s) {
			if got := string(trimPartialRune([]byte(tt.s[:tt.n]), tt.s[tt.n])); got != tt.want {
				t.Errorf("trimPartialRune(%q, %#x) = %q, want %q", tt.s[:tt.n], tt.s[tt.n], got, tt.want)
			}
		}
	}
	// A Latin-1 byte at the end is kept when no continuation byte follows.
	if got := string(trimPartialRune([]byte("ab\xe9"), 'x')); got != "ab\xe9" {
		t.Errorf("trimPartialRune kept %q, want %q", got, "ab\xe9")
	}
}

func FuzzDecodeText(f *testing.F) {
	for _, s := range []string{"", "hello", "a\r\nb", "caf\xe9", "\x93q\x94", "\xe2\x82", "\u00e9\xff\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := decodeText(b)
		if !utf8.ValidString(got) {
			t.Fatalf("decodeText(%q) = %q: not valid UTF-8", b, got)
		}
		if strings.IndexByte(got, '\r') >= 0 {
			t.Fatalf("decodeText(%q) = %q: has CR", b, got)
		}
		if utf8.Valid(b) && strings.IndexByte(string(b), '\r') < 0 && got != string(b) {
			t.Fatalf("decodeText(%q) = %q: changed valid UTF-8", b, got)
		}
		if title := titleOf(got); !utf8.ValidString(title) || utf8.RuneCountInString(title) > MaxTitleRunes {
			t.Fatalf("titleOf(%q) = %q", got, title)
		}
	})
}
