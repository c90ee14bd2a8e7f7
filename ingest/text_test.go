package ingest

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// decodeText is the reference for textSink: it returns b as valid UTF-8
// with LF line ends: valid UTF-8 sequences are kept, every other byte is
// decoded as Windows-1252, and CRLF and lone CR become LF. Input that is
// valid UTF-8 without CR is returned unchanged.
func decodeText(b []byte) string {
	if bytes.IndexByte(b, '\r') < 0 && utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == '\r' {
				c = '\n'
				if i+1 < len(b) && b[i+1] == '\n' {
					i++
				}
			}
			sb.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			if c < 0xa0 {
				r = win1252[c-0x80]
			} else {
				r = rune(c)
			}
			sb.WriteRune(r)
			i++
			continue
		}
		sb.Write(b[i : i+size])
		i += size
	}
	return sb.String()
}

// sinkText decodes b through a textSink in pieces of at most step bytes,
// as readText does, keeping at most max bytes and moving to a buffer of its
// own past jump bytes.
func sinkText(b []byte, step, max, jump int, hint int64) (string, bool) {
	s := textSink{jump: jump}
	s.reset(max, hint)
	var carry []byte
	for len(b) > 0 && !s.cut {
		n := min(step, len(b))
		chunk := append(carry, b[:n]...)
		b = b[n:]
		rest := s.decode(chunk, len(b) == 0)
		carry = append([]byte(nil), chunk[len(chunk)-rest:]...)
	}
	return s.finish(), s.cut
}

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
		for _, step := range []int{1, 2, 3, 1 << 20} {
			if got, cut := sinkText([]byte(tt.in), step, 1<<20, 4, 0); got != tt.want || cut {
				t.Errorf("%s: textSink in steps of %d: %q (cut %v), want %q", tt.name, step, got, cut, tt.want)
			}
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
		if got, cut := sinkText([]byte(tt.s), 1, tt.n, 2, 0); got != tt.want || cut != (tt.n < len(tt.s)) {
			t.Errorf("textSink(%q) cut at %d = %q, %v; want %q", tt.s, tt.n, got, cut, tt.want)
		}
	}
}

// TestTextSinkGrowth checks the buffers a textSink uses: its scratch while
// the text is short, then one buffer of exactly the cut, handed over as the
// string.
func TestTextSinkGrowth(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("0123456789", 100)
	for _, tt := range []struct {
		name      string
		max, jump int
		hint      int64
		want      string
		cut       bool
	}{
		{"short, scratch only", 2000, 2000, 0, text, false},
		{"grows past the scratch", 2000, 16, 0, text, false},
		{"cut after growing", 500, 16, 0, text[:500], true},
		{"hint sizes the buffer", 2000, 16, 1000, text, false},
		{"hint too small", 2000, 16, 100, text, false},
		{"cut, hinted", 300, 16, 1000, text[:300], true},
	} {
		for _, step := range []int{7, 1000} {
			got, cut := sinkText([]byte(text), step, tt.max, tt.jump, tt.hint)
			if got != tt.want || cut != tt.cut {
				t.Errorf("%s, steps of %d: %d bytes (cut %v), want %d (cut %v)", tt.name, step, len(got), cut, len(tt.want), tt.cut)
			}
		}
	}
	// Past the scratch, the text lives in one buffer of the cut's size:
	// nothing is copied out for a text that reaches the cut.
	s := textSink{jump: 16}
	s.reset(500, 0)
	s.decode([]byte(text), true)
	// (Grow rounds 500 up to the allocator's size class, 512.)
	if s.big == nil || s.big.Cap() < 500 || s.big.Cap() > 512 || cap(s.scratch) > 64 {
		t.Fatalf("builder %v, scratch cap %d; want a builder of cap 500-512 and scratch <= 64", s.big != nil, cap(s.scratch))
	}
	if c := s.big.Cap(); s.finish() != text[:500] || s.big != nil {
		t.Fatalf("finish after a builder of cap %d", c)
	}
}

func FuzzDecodeText(f *testing.F) {
	for _, s := range []string{"", "hello", "a\r\nb", "caf\xe9", "\x93q\x94", "\xe2\x82", "\u00e9\xff\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := decodeText(b)
		// The streaming decoder agrees, in any pieces and with any cut.
		for _, step := range []int{1, 3, 64} {
			if s, cut := sinkText(b, step, len(got), 8, 0); s != got || cut {
				t.Fatalf("textSink(%q) in steps of %d = %q (cut %v), want %q", b, step, s, cut, got)
			}
			if n := len(got) / 2; len(got) > 0 {
				if s, cut := sinkText(b, step, n, 8, int64(len(b))); s != truncateUTF8(got, n) || !cut {
					t.Fatalf("textSink(%q) cut at %d = %q (cut %v), want %q", b, n, s, cut, truncateUTF8(got, n))
				}
			}
		}
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
