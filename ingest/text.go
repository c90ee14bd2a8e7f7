package ingest

import (
	"bytes"
	"io"
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

// trimBOM drops a leading UTF-8 byte-order mark.
func trimBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\ufeff"))
}

// hasNUL reports whether a NUL byte is among the first binarySniffLen bytes.
func hasNUL(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), binarySniffLen)], 0) >= 0
}

// isBlank reports whether s is empty or only white space.
func isBlank(s string) bool {
	return strings.TrimSpace(s) == ""
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

// win1252Rune decodes the byte c >= 0x80, which is not part of a valid
// UTF-8 sequence, as Windows-1252.
func win1252Rune(c byte) rune {
	if c < 0xa0 {
		return win1252[c-0x80]
	}
	return rune(c)
}

const (
	// growJump is the most bytes a textSink keeps in its reused scratch
	// buffer; a longer text moves to a buffer of its own.
	growJump = 1 << 20
	// maxJump is the largest cut to which a textSink's own buffer grows in
	// one step; above it, the buffer doubles.
	maxJump = 64 << 20
)

// textSink assembles the text of one document from a stream of runes as
// valid UTF-8 with LF line ends (CRLF and lone CR become LF), keeping at
// most max bytes: the text is cut on a rune boundary and cut is set. It
// holds at most about max bytes whatever the length of the input.
//
// A short text is built in scratch, reused across documents, and copied
// out. A text that outgrows growJump bytes (or is announced as longer by a
// size hint) is built in a strings.Builder of its own, which grows straight
// to max (when max <= maxJump) so that no chain of doubled buffers is left
// behind; finish hands that buffer over as the string without a copy,
// unless more than an eighth of it would be wasted.
type textSink struct {
	max     int
	jump    int              // scratch limit: growJump, smaller in tests
	scratch []byte           // the text while it is short; reused
	big     *strings.Builder // the text once long; nil while short
	n       int              // bytes offered, before line ends were normalised
	nul     bool             // a NUL among the first binarySniffLen bytes offered
	cr      bool             // the last byte offered was CR
	cut     bool             // bytes were dropped at max
}

// reset readies s for a new text of at most max bytes. hint, when
// positive, is the expected length.
func (s *textSink) reset(max int, hint int64) {
	if s.jump == 0 {
		s.jump = growJump
	}
	s.max = max
	s.scratch = s.scratch[:0]
	s.big = nil
	s.n, s.nul, s.cr, s.cut = 0, false, false, false
	if h := min(hint, int64(max)); h > int64(s.jump) {
		s.big = new(strings.Builder)
		s.big.Grow(int(h))
	}
}

// len is the length of the text so far.
func (s *textSink) len() int {
	if s.big != nil {
		return s.big.Len()
	}
	return len(s.scratch)
}

// write adds p, which is valid UTF-8 made of whole runes.
func (s *textSink) write(p []byte) {
	if s.n < binarySniffLen && bytes.IndexByte(p[:min(len(p), binarySniffLen-s.n)], 0) >= 0 {
		s.nul = true
	}
	s.n += len(p)
	for len(p) > 0 && !s.cut {
		if s.cr {
			s.cr = false
			if p[0] == '\n' {
				p = p[1:]
				continue
			}
		}
		i := bytes.IndexByte(p, '\r')
		if i < 0 {
			s.add(p)
			return
		}
		s.add(p[:i])
		s.add(lf)
		s.cr = true
		p = p[i+1:]
	}
}

var lf = []byte{'\n'}

// writeRune adds r.
func (s *textSink) writeRune(r rune) {
	var b [utf8.UTFMax]byte
	s.write(utf8.AppendRune(b[:0], r))
}

// add appends p (no CR) up to max bytes.
func (s *textSink) add(p []byte) {
	if s.cut {
		return
	}
	n := s.len()
	if n+len(p) > s.max {
		k := s.max - n
		for k > 0 && !utf8.RuneStart(p[k]) {
			k--
		}
		p = p[:k]
		s.cut = true
	}
	need := n + len(p)
	if s.big == nil {
		if need <= s.jump {
			if need > cap(s.scratch) { // double, rather than append's 1.25
				b := make([]byte, n, min(max(2*cap(s.scratch), need, 512), s.jump))
				copy(b, s.scratch)
				s.scratch = b
			}
			s.scratch = append(s.scratch, p...)
			return
		}
		s.grow(need)
		s.big.Write(s.scratch)
	} else if need > s.big.Cap() {
		s.grow(need)
	}
	s.big.Write(p)
}

// grow moves the text to a new builder that holds at least need bytes.
func (s *textSink) grow(need int) {
	c := s.max
	if s.max > maxJump {
		c = 2 * need
		if s.big != nil {
			c = max(c, 2*s.big.Cap())
		}
		c = min(c, s.max)
	}
	b := new(strings.Builder)
	b.Grow(c)
	if s.big != nil {
		b.WriteString(s.big.String())
	}
	s.big = b
}

// finish returns the text. The string is the caller's.
func (s *textSink) finish() string {
	if s.big == nil {
		return string(s.scratch)
	}
	t := s.big.String()
	if s.big.Cap()-len(t) > len(t)/8 {
		t = strings.Clone(t)
	}
	s.big = nil
	return t
}

// decode adds the raw bytes b, decoded by decodeInto.
func (s *textSink) decode(b []byte, final bool) (rest int) {
	if s.cut {
		return 0
	}
	return decodeInto(s, b, final)
}

// strSink receives decoded text.
type strSink interface {
	write(p []byte) // valid UTF-8 made of whole runes
	writeRune(r rune)
}

// decodeInto passes the raw bytes b to out decoded: valid UTF-8 is kept and
// every other byte is read as Windows-1252 (Latin-1 with printable
// characters in 0x80–0x9F). Unless final, an incomplete UTF-8 sequence at
// the end of b is left for the next call with the bytes that follow:
// decodeInto returns its length.
func decodeInto(out strSink, b []byte, final bool) (rest int) {
	for len(b) > 0 {
		i := 0
		for i < len(b) {
			if b[i] < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		if i > 0 {
			out.write(b[:i])
			b = b[i:]
		}
		if len(b) == 0 {
			break
		}
		if !final && !utf8.FullRune(b) {
			return len(b)
		}
		out.writeRune(win1252Rune(b[0]))
		b = b[1:]
	}
	return 0
}

// fieldBuf is a strSink for a short string: past max bytes it sets over and
// keeps nothing more, or, when cut, keeps the runes that fit.
type fieldBuf struct {
	b    []byte
	max  int
	over bool
	cut  bool
}

func (f *fieldBuf) reset() {
	f.b, f.over, f.cut = f.b[:0], false, false
}

func (f *fieldBuf) write(p []byte) {
	if f.over {
		return
	}
	if len(f.b)+len(p) > f.max {
		f.over = true
		if !f.cut {
			return
		}
		k := f.max - len(f.b)
		for k > 0 && !utf8.RuneStart(p[k]) {
			k--
		}
		p = p[:k]
	}
	f.b = append(f.b, p...)
}

func (f *fieldBuf) writeRune(r rune) {
	var b [utf8.UTFMax]byte
	f.write(utf8.AppendRune(b[:0], r))
}

// readText reads the raw text of a file or archive entry from r, decoded
// and cut at Options.MaxDocBytes, reading no further than the cut. A text
// with a NUL byte in its first binarySniffLen bytes is reported as binary
// and not read further. sizeHint, when positive, is the raw length.
func (w *walker) readText(r io.Reader, sizeHint int64) (text string, cut, binary bool, err error) {
	if w.rbuf == nil {
		w.rbuf = make([]byte, 64<<10)
	}
	buf := w.rbuf
	n, err := io.ReadFull(r, buf[:binarySniffLen])
	eof := err == io.EOF || err == io.ErrUnexpectedEOF
	if err != nil && !eof {
		return "", false, false, err
	}
	b := buf[:n]
	if hasNUL(b) {
		return "", false, true, nil
	}
	s := &w.sink
	s.reset(w.maxDoc(), sizeHint)
	b = trimBOM(b)
	for {
		rest := s.decode(b, eof)
		if eof || s.cut {
			break
		}
		k := copy(buf, b[len(b)-rest:])
		m, err := r.Read(buf[k:])
		if err == io.EOF {
			eof = true
		} else if err != nil {
			s.finish()
			return "", false, false, err
		}
		b = buf[:k+m]
	}
	return s.finish(), s.cut, false, nil
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

// bufReader reads through a fixed buffer that the parsers scan in place.
type bufReader struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	err      error // a read error other than io.EOF
}

// more reports whether a byte is buffered, reading when none is.
func (j *bufReader) more() bool {
	for j.pos >= j.end {
		if j.eof || j.err != nil {
			return false
		}
		n, err := j.r.Read(j.buf)
		j.pos, j.end = 0, n
		if err == io.EOF {
			j.eof = true
		} else if err != nil {
			j.err = err
		}
	}
	return true
}

// fill buffers at least n bytes (at most len(buf)), fewer only at the end
// of the input.
func (j *bufReader) fill(n int) {
	n = min(n, len(j.buf))
	if j.end-j.pos >= n {
		return
	}
	j.end = copy(j.buf, j.buf[j.pos:j.end])
	j.pos = 0
	for j.end < n && !j.eof && j.err == nil {
		m, err := j.r.Read(j.buf[j.end:])
		j.end += m
		if err == io.EOF {
			j.eof = true
		} else if err != nil {
			j.err = err
		}
	}
}

// peek returns the next byte; more must have returned true.
func (j *bufReader) peek() byte { return j.buf[j.pos] }
