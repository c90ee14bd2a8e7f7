package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON scanner of the JSON Lines reader: white space, strings (with
// encoding/json's escapes and its handling of bad surrogates), numbers,
// literals, skipped values of any depth, and errors worded as
// encoding/json words them.

// jsonReader reads JSON Lines through a fixed buffer.
type jsonReader struct {
	bufReader
	depth []byte // open containers of a skipped value
}

// skipWS skips JSON white space inside a line (space, tab, CR) and reports
// whether a byte follows.
func (j *jsonReader) skipWS() bool {
	for j.more() {
		switch j.buf[j.pos] {
		case ' ', '\t', '\r':
			j.pos++
		default:
			return true
		}
	}
	return false
}

// skipSpace skips the Unicode white space but '\n' that may surround a
// record (the old reader trimmed lines with bytes.TrimSpace), and reports
// whether a byte follows.
func (j *jsonReader) skipSpace() bool {
	for j.more() {
		c := j.buf[j.pos]
		if c == '\n' {
			return true
		}
		if c < utf8.RuneSelf {
			if !asciiSpace(c) {
				return true
			}
			j.pos++
			continue
		}
		j.fill(utf8.UTFMax)
		r, size := utf8.DecodeRune(j.buf[j.pos:j.end])
		if r == utf8.RuneError || !unicode.IsSpace(r) {
			return true
		}
		j.pos += size
	}
	return false
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

// str decodes a JSON string, its opening quote read, into out (nil to
// check and drop it).
func (j *jsonReader) str(out strSink) error {
	for {
		if !j.more() {
			return j.truncated()
		}
		b := j.buf[j.pos:j.end]
		i := 0
		for i < len(b) {
			c := b[i]
			if c < utf8.RuneSelf {
				if c < 0x20 || c == '"' || c == '\\' {
					break
				}
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
			if out != nil {
				out.write(b[:i])
			}
			j.pos += i
			continue
		}
		switch c := b[0]; {
		case c == '"':
			j.pos++
			return nil
		case c == '\\':
			r, err := j.escape()
			if err != nil {
				return err
			}
			if out != nil {
				out.writeRune(r)
			}
		case c < 0x20:
			if c == '\n' {
				return j.truncated()
			}
			return j.unexpected(c, "in string literal")
		default: // not UTF-8, or a sequence cut by the end of the buffer
			if !utf8.FullRune(b) && !j.eof && j.err == nil {
				j.fill(utf8.UTFMax)
				if j.end-j.pos > len(b) {
					continue
				}
			}
			if out != nil {
				out.writeRune(win1252Rune(c))
			}
			j.pos++
		}
	}
}

// escape decodes the escape sequence at the reader, as encoding/json does:
// a surrogate half that is not part of a valid pair becomes U+FFFD.
func (j *jsonReader) escape() (rune, error) {
	j.fill(12)
	b := j.buf[j.pos:j.end]
	if len(b) < 2 {
		return 0, j.truncated()
	}
	switch c := b[1]; c {
	case '"', '\\', '/':
		j.pos += 2
		return rune(c), nil
	case 'b':
		j.pos += 2
		return '\b', nil
	case 'f':
		j.pos += 2
		return '\f', nil
	case 'n':
		j.pos += 2
		return '\n', nil
	case 'r':
		j.pos += 2
		return '\r', nil
	case 't':
		j.pos += 2
		return '\t', nil
	case 'u':
		r, err := j.hex4(b[2:])
		if err != nil {
			return 0, err
		}
		j.pos += 6
		if !utf16.IsSurrogate(r) {
			return r, nil
		}
		if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if r2, err := j.hex4(b[8:]); err == nil {
				if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
					j.pos += 6
					return d, nil
				}
			}
		}
		return unicode.ReplacementChar, nil
	default:
		j.pos++
		return 0, j.unexpected(c, "in string escape code")
	}
}

// hex4 decodes the four hex digits of a \u escape.
func (j *jsonReader) hex4(b []byte) (rune, error) {
	var r rune
	for i := range 4 {
		if i >= len(b) {
			return 0, j.truncated()
		}
		c := b[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			if c == '\n' {
				return 0, j.truncated()
			}
			return 0, j.unexpected(c, `in \u hexadecimal character escape`)
		}
		r = r*16 + rune(c)
	}
	return r, nil
}

// number reads a JSON number into out (nil to check and drop it).
func (j *jsonReader) number(out *fieldBuf) error {
	// States of the JSON number grammar -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
	const (
		start = iota
		minus
		zero
		intDigits
		dot
		fracDigits
		exp
		expSign
		expDigits
	)
	state := start
	for {
		if !j.more() {
			break
		}
		c := j.peek()
		next := -1
		switch {
		case c == '-' && state == start:
			next = minus
		case c == '0' && (state == start || state == minus):
			next = zero
		case '1' <= c && c <= '9' && (state == start || state == minus):
			next = intDigits
		case '0' <= c && c <= '9' && state == intDigits:
			next = intDigits
		case c == '.' && (state == zero || state == intDigits):
			next = dot
		case '0' <= c && c <= '9' && (state == dot || state == fracDigits):
			next = fracDigits
		case (c == 'e' || c == 'E') && (state == zero || state == intDigits || state == fracDigits):
			next = exp
		case (c == '+' || c == '-') && state == exp:
			next = expSign
		case '0' <= c && c <= '9' && (state == exp || state == expSign || state == expDigits):
			next = expDigits
		}
		if next < 0 {
			break
		}
		state = next
		if out != nil {
			out.write([]byte{c})
		}
		j.pos++
	}
	switch state {
	case zero, intDigits, fracDigits, expDigits:
		return nil
	}
	if !j.more() || j.peek() == '\n' {
		return j.truncated()
	}
	return j.unexpected(j.peek(), "in numeric literal")
}

// literal reads the literal s (true, false or null).
func (j *jsonReader) literal(s string) error {
	for i := range len(s) {
		if !j.more() || j.peek() == '\n' {
			return j.truncated()
		}
		if c := j.peek(); c != s[i] {
			return j.unexpected(c, fmt.Sprintf("in literal %s (expecting %q)", s, s[i]))
		}
		j.pos++
	}
	return nil
}

// skipValue checks and drops one JSON value of any kind, keeping the
// containers it is inside on j.depth rather than on the stack.
func (j *jsonReader) skipValue() error {
	j.depth = j.depth[:0]
	for {
		inside, err := j.skipElement()
		if err != nil {
			return err
		}
		if inside {
			continue
		}
		done, err := j.afterElement()
		if err != nil || done {
			return err
		}
	}
}

// skipElement drops a scalar or an empty container, or opens a container
// that is not empty (inside is true), leaving the reader at its first
// element.
func (j *jsonReader) skipElement() (inside bool, err error) {
	if !j.skipWS() {
		return false, j.truncated()
	}
	switch c := j.peek(); {
	case c == '{' || c == '[':
		if len(j.depth) >= maxJSONDepth {
			return false, errors.New("invalid JSON: exceeded max depth")
		}
		j.pos++
		j.depth = append(j.depth, c)
		if !j.skipWS() {
			return false, j.truncated()
		}
		if c := j.peek(); c == '}' && j.depth[len(j.depth)-1] == '{' || c == ']' && j.depth[len(j.depth)-1] == '[' {
			j.pos++
			j.depth = j.depth[:len(j.depth)-1]
			return false, nil
		}
		if c == '{' {
			return true, j.objectKey(nil)
		}
		return true, nil
	case c == '"':
		j.pos++
		return false, j.str(nil)
	case c == '-' || '0' <= c && c <= '9':
		return false, j.number(nil)
	case c == 't':
		return false, j.literal("true")
	case c == 'f':
		return false, j.literal("false")
	case c == 'n':
		return false, j.literal("null")
	default:
		return false, j.unexpected(c, "looking for beginning of value")
	}
}

// afterElement reads what follows an element: the closing brackets of the
// containers it ends, then a ',' (leaving the reader at the next element),
// or the end of the skipped value (done is true).
func (j *jsonReader) afterElement() (done bool, err error) {
	for len(j.depth) > 0 {
		if !j.skipWS() {
			return false, j.truncated()
		}
		c, open := j.peek(), j.depth[len(j.depth)-1]
		switch {
		case c == ',':
			j.pos++
			if open == '{' {
				return false, j.objectKey(nil)
			}
			return false, nil
		case open == '{' && c == '}' || open == '[' && c == ']':
			j.pos++
			j.depth = j.depth[:len(j.depth)-1]
		case open == '{':
			return false, j.unexpected(c, "after object key:value pair")
		default:
			return false, j.unexpected(c, "after array element")
		}
	}
	return true, nil
}

// objectKey reads `"key" :` inside an object, the key into out (nil to
// check and drop it).
func (j *jsonReader) objectKey(out strSink) error {
	if !j.skipWS() {
		return j.truncated()
	}
	if c := j.peek(); c != '"' {
		return j.unexpected(c, "looking for beginning of object key string")
	}
	j.pos++
	if err := j.str(out); err != nil {
		return err
	}
	if !j.skipWS() {
		return j.truncated()
	}
	if c := j.peek(); c != ':' {
		return j.unexpected(c, "after object key")
	}
	j.pos++
	return nil
}

// memberEnd reads what follows a member of an object: ',' (last is false)
// or '}' (last is true).
func (j *jsonReader) memberEnd() (last bool, err error) {
	if !j.skipWS() {
		return false, j.truncated()
	}
	switch c := j.peek(); c {
	case ',', '}':
		j.pos++
		return c == '}', nil
	default:
		return false, j.unexpected(c, "after object key:value pair")
	}
}

// unexpected reports the byte c, as encoding/json words it.
func (j *jsonReader) unexpected(c byte, context string) error {
	if c == '\n' {
		return j.truncated()
	}
	q := strconv.QuoteRune(rune(c))
	if c >= utf8.RuneSelf {
		q = fmt.Sprintf("'\\x%02x'", c)
	}
	return fmt.Errorf("invalid JSON: invalid character %s %s", q, context)
}

// truncated reports a record that ends before its value does: at the end of
// the line or of the input, or at a read error.
func (j *jsonReader) truncated() error {
	if j.err != nil {
		return readError{j.err}
	}
	return errors.New("invalid JSON: unexpected end of JSON input")
}

// readError is a read error met inside a record.
type readError struct{ err error }

func (e readError) Error() string { return "read: " + e.err.Error() }

// dataErr turns a record's error into a DataError for line n.
func (j *jsonReader) dataErr(name string, n int, err error) error {
	var re readError
	if errors.As(err, &re) {
		return &DataError{Path: name, Line: n, Msg: re.Error(), Err: re.err}
	}
	if j.err != nil {
		return &DataError{Path: name, Line: n, Msg: "read: " + j.err.Error(), Err: j.err}
	}
	return &DataError{Path: name, Line: n, Msg: err.Error()}
}

// endErr is readJSONL's result at the end of the input: nil, or the read
// error that ended it.
func (j *jsonReader) endErr(name string, n int) error {
	if j.err != nil {
		return &DataError{Path: name, Line: n, Msg: "read: " + j.err.Error(), Err: j.err}
	}
	return nil
}
