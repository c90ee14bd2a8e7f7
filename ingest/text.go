package ingest

import (
	"bytes"
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// win1252 maps the bytes 0x80–0x9F to their Windows-1252 characters; the
// five bytes that Windows-1252 leaves undefined map to the C1 controls, as in
// Latin-1. Bytes 0xA0–0xFF are Latin-1, equal to their code points.
var win1252 = [32]rune{
	'\u20ac', '\u0081', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
	'\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008d', '\u017d', '\u008f',
	'\u0090', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
	'\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '\u009d', '\u017e', '\u0178',
}

// decodeText returns b as valid UTF-8 with LF line ends: valid UTF-8
// sequences are kept, every other byte is decoded as Windows-1252, and CRLF
// and lone CR become LF. Input that is valid UTF-8 without CR is returned
// unchanged.
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

// normalizeString is decodeText for a string, without copying when s is
// already valid UTF-8 without CR.
func normalizeString(s string) string {
	if strings.IndexByte(s, '\r') < 0 && utf8.ValidString(s) {
		return s
	}
	return decodeText([]byte(s))
}

// trimBOM drops a leading UTF-8 byte-order mark.
func trimBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\ufeff"))
}

// hasNUL reports whether a NUL byte is among the first binarySniffLen bytes.
func hasNUL(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), binarySniffLen)], 0) >= 0
}

// hasNULString is hasNUL for a string.
func hasNULString(s string) bool {
	return strings.IndexByte(s[:min(len(s), binarySniffLen)], 0) >= 0
}

// isBlank reports whether s is empty or only white space.
func isBlank(s string) bool {
	return strings.TrimSpace(s) == ""
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of b, left
// by cutting b from a longer text whose next byte is next, so that the
// sequence is not decoded as Latin-1. A lead byte not followed by a
// continuation byte is kept: it is a Latin-1 character.
func trimPartialRune(b []byte, next byte) []byte {
	if next&0xc0 != 0x80 {
		return b
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if b[i] >= 0xc0 && !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// truncateUTF8 cuts the valid UTF-8 string s to at most n bytes on a rune
// boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// maxPrealloc caps the buffer allocated ahead from a size hint.
const maxPrealloc = 4 << 20

// readLimited reads r to its end, keeping at most limit bytes in w.buf. It
// reports whether r held more. sizeHint, when positive, sizes the buffer.
func (w *walker) readLimited(r io.Reader, sizeHint int64) (raw []byte, cut bool, err error) {
	limit := w.opts.MaxDocBytes
	if limit < math.MaxInt64 {
		r = io.LimitReader(r, limit+1)
	}
	if sizeHint > 0 {
		// The hint may come from an untrusted archive header: cap it.
		if want := min(sizeHint, limit, maxPrealloc) + 1; int64(cap(w.buf)) < want {
			w.buf = make([]byte, 0, want)
		}
	}
	b := w.buf[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			w.buf = b
			return nil, false, err
		}
	}
	w.buf = b
	if int64(len(b)) > limit {
		return trimPartialRune(b[:limit], b[limit]), true, nil
	}
	return b, false, nil
}

// titleOf returns the Subject header of a mail-style text (one that starts
// with a "Key: value" line), else the first non-blank line after the header
// block, else the first non-blank line.
func titleOf(text string) string {
	first, _, _ := strings.Cut(text, "\n")
	if _, _, ok := headerLine(first); ok {
		subject, found, inSubject := "", false, false
		rest := text
		for rest != "" {
			line, tail, _ := strings.Cut(rest, "\n")
			if isBlank(line) {
				rest = tail
				break
			}
			if line[0] == ' ' || line[0] == '\t' { // folded header
				if inSubject {
					subject += " " + line
				}
				rest = tail
				continue
			}
			key, val, ok := headerLine(line)
			if !ok {
				break
			}
			inSubject = !found && strings.EqualFold(key, "Subject")
			if inSubject {
				subject, found = val, true
			}
			rest = tail
		}
		if t := cleanTitle(subject); t != "" {
			return t
		}
		if t := firstLine(rest); t != "" {
			return t
		}
	}
	return firstLine(text)
}

// headerLine splits a "Key: value" mail header line. The key is printable
// ASCII without spaces or ':' (RFC 5322 field name).
func headerLine(line string) (key, val string, ok bool) {
	i := strings.IndexByte(line, ':')
	if i <= 0 {
		return "", "", false
	}
	for j := 0; j < i; j++ {
		if c := line[j]; c <= ' ' || c > '~' {
			return "", "", false
		}
	}
	return line[:i], line[i+1:], true
}

// firstLine returns the first line of s that is not blank, cleaned.
func firstLine(s string) string {
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		if t := cleanTitle(line); t != "" {
			return t
		}
	}
	return ""
}

// cleanTitle collapses runs of white space and control characters to one
// space, trims, and keeps at most MaxTitleRunes runes.
func cleanTitle(s string) string {
	var sb strings.Builder
	n, space := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = sb.Len() > 0
			continue
		}
		if n >= MaxTitleRunes {
			break
		}
		if space {
			if n+1 >= MaxTitleRunes {
				break
			}
			sb.WriteByte(' ')
			n++
			space = false
		}
		sb.WriteRune(r)
		n++
	}
	return sb.String()
}
