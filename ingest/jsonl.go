package ingest

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// walkJSONL streams the records of a JSON Lines file (gzipped when gz).
func (w *walker) walkJSONL(name string, gz bool) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if gz {
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 64<<10))
		if err != nil {
			return &DataError{Path: name, Msg: fmt.Sprintf("gzip: %v", err), Err: err}
		}
		defer zr.Close()
		r = zr
	}
	return w.readJSONL(name, r)
}

// maxFieldBytes is the longest "id" or "label" of a JSON Lines record, and
// the most bytes of a "title" that are kept (the title is then cut to
// MaxTitleRunes).
const maxFieldBytes = 64 << 10

// maxJSONDepth is the deepest nesting of arrays and objects accepted in a
// record's other fields, as in encoding/json.
const maxJSONDepth = 10000

// readJSONL reads the JSON Lines stream r of the file called name.
//
// Records are parsed as a stream, never held whole: the text goes straight
// into the walker's textSink, which keeps at most MaxDocBytes of it, so a
// record of any length needs about MaxDocBytes of memory. The parse
// follows encoding/json: field names match case-insensitively, a later
// duplicate field wins, other fields are checked and skipped, invalid
// escapes and surrogates are as encoding/json decodes them, and bytes that
// are not UTF-8 are read as Windows-1252 (as for files) rather than U+FFFD.
func (w *walker) readJSONL(name string, r io.Reader) error {
	if w.rbuf == nil {
		w.rbuf = make([]byte, 64<<10)
	}
	j := &jsonReader{bufReader: bufReader{r: r, buf: w.rbuf}}
	for n := 1; ; n++ {
		if !j.skipSpace() {
			return j.endErr(name, n)
		}
		if j.peek() == '\n' {
			j.pos++
			continue
		}
		rec, err := w.jsonRecord(j)
		if err != nil {
			return j.dataErr(name, n, err)
		}
		if err := w.emitRecord(name, n, rec); err != nil {
			return err
		}
		if !j.more() {
			return j.endErr(name, n)
		}
		j.pos++ // the '\n' after the record
	}
}

// record is what one line of a JSON Lines corpus holds; the text is in the
// walker's sink.
type record struct {
	id, label, title string
	hasText          bool
}

// emitRecord passes on the record of line n.
func (w *walker) emitRecord(name string, n int, rec record) error {
	text, cut := w.sink.finish(), w.sink.cut
	if !rec.hasText {
		return &DataError{Path: name, Line: n, Msg: `missing "text"`}
	}
	id := rec.id
	if id == "" {
		id = "line-" + strconv.Itoa(n)
	}
	where := name + ":" + strconv.Itoa(n)
	switch {
	case w.dup(where, id):
		return nil
	case w.sink.nul:
		w.skip(where, "binary text (NUL byte)")
		return nil
	case isBlank(text):
		w.skip(where, "empty text")
		return nil
	}
	return w.emit(id, rec.label, rec.title, text, cut)
}

// jsonRecord parses one JSON object, up to its closing brace and the white
// space after it, leaving the reader at the '\n' that ends the line or at
// the end of the input.
func (w *walker) jsonRecord(j *jsonReader) (record, error) {
	var rec record
	w.sink.reset(w.maxDoc(), 0)
	switch c := j.peek(); c {
	case '{':
		j.pos++
	case '[':
		return rec, errors.New("invalid JSON: found an array; want one object per line")
	default:
		return rec, j.unexpected(c, "looking for beginning of value")
	}
	var key, val fieldBuf
	key.max = 64 // longer than any field name
	val.max = maxFieldBytes
	for first := true; ; first = false {
		if !j.skipWS() {
			return rec, j.truncated()
		}
		c := j.peek()
		if c == '}' && first {
			j.pos++
			break
		}
		if c != '"' {
			return rec, j.unexpected(c, "looking for beginning of object key string")
		}
		j.pos++
		key.reset()
		if err := j.str(&key); err != nil {
			return rec, err
		}
		if !j.skipWS() {
			return rec, j.truncated()
		}
		if c := j.peek(); c != ':' {
			return rec, j.unexpected(c, "after object key")
		}
		j.pos++
		if !j.skipWS() {
			return rec, j.truncated()
		}
		field := ""
		if !key.over {
			field = fieldOf(key.b)
		}
		switch c := j.peek(); {
		case field == "":
			if err := j.skipValue(); err != nil {
				return rec, err
			}
		case c == 'n':
			if err := j.literal("null"); err != nil {
				return rec, err
			}
			switch field {
			case "text":
				rec.hasText = false
			case "title":
				rec.title = ""
			case "id":
				rec.id = ""
			case "label":
				rec.label = ""
			}
		case field == "text" && c == '"':
			j.pos++
			w.sink.reset(w.maxDoc(), 0)
			if err := j.str(&w.sink); err != nil {
				return rec, err
			}
			rec.hasText = true
		case field == "title" && c == '"':
			j.pos++
			val.reset()
			val.cut = true // a title is only cut, never refused
			if err := j.str(&val); err != nil {
				return rec, err
			}
			rec.title = string(val.b)
		case (field == "id" || field == "label") && (c == '"' || c == '-' || '0' <= c && c <= '9'):
			val.reset()
			var err error
			if c == '"' {
				j.pos++
				err = j.str(&val)
			} else {
				err = j.number(&val)
			}
			if err != nil {
				return rec, err
			}
			if val.over {
				return rec, fmt.Errorf("%q longer than %d bytes", field, maxFieldBytes)
			}
			if field == "id" {
				rec.id = string(val.b)
			} else {
				rec.label = string(val.b)
			}
		case field == "id" || field == "label":
			if err := j.skipValue(); err != nil {
				return rec, err
			}
			return rec, fmt.Errorf("%q must be a string or a number", field)
		default:
			if err := j.skipValue(); err != nil {
				return rec, err
			}
			return rec, fmt.Errorf("invalid JSON: %q must be a string", field)
		}
		if !j.skipWS() {
			return rec, j.truncated()
		}
		c = j.peek()
		j.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			j.pos--
			return rec, j.unexpected(c, "after object key:value pair")
		}
	}
	if j.skipSpace() && j.peek() != '\n' {
		return rec, j.unexpected(j.peek(), "after top-level value")
	}
	return rec, j.err
}

// fieldOf returns the record field that the JSON key k names, matched
// case-insensitively as encoding/json does, or "".
func fieldOf(k []byte) string {
	for _, f := range [...]string{"text", "id", "label", "title"} {
		if strings.EqualFold(string(k), f) {
			return f
		}
	}
	return ""
}

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

// skipValue checks and drops one JSON value of any kind.
func (j *jsonReader) skipValue() error {
	j.depth = j.depth[:0]
	for {
		// A value.
		if !j.skipWS() {
			return j.truncated()
		}
		switch c := j.peek(); {
		case c == '{' || c == '[':
			if len(j.depth) >= maxJSONDepth {
				return errors.New("invalid JSON: exceeded max depth")
			}
			j.pos++
			j.depth = append(j.depth, c)
			if !j.skipWS() {
				return j.truncated()
			}
			if c := j.peek(); c == '}' && j.depth[len(j.depth)-1] == '{' || c == ']' && j.depth[len(j.depth)-1] == '[' {
				j.pos++
				j.depth = j.depth[:len(j.depth)-1]
				break
			}
			if c == '{' {
				if err := j.objectKey(); err != nil {
					return err
				}
			}
			continue
		case c == '"':
			j.pos++
			if err := j.str(nil); err != nil {
				return err
			}
		case c == '-' || '0' <= c && c <= '9':
			if err := j.number(nil); err != nil {
				return err
			}
		case c == 't':
			if err := j.literal("true"); err != nil {
				return err
			}
		case c == 'f':
			if err := j.literal("false"); err != nil {
				return err
			}
		case c == 'n':
			if err := j.literal("null"); err != nil {
				return err
			}
		default:
			return j.unexpected(c, "looking for beginning of value")
		}
		// After a value: close containers or go on to the next element.
		for {
			if len(j.depth) == 0 {
				return nil
			}
			if !j.skipWS() {
				return j.truncated()
			}
			c, open := j.peek(), j.depth[len(j.depth)-1]
			if c == ',' {
				j.pos++
				if open == '{' {
					if err := j.objectKey(); err != nil {
						return err
					}
				}
				break
			}
			if open == '{' && c == '}' || open == '[' && c == ']' {
				j.pos++
				j.depth = j.depth[:len(j.depth)-1]
				continue
			}
			if open == '{' {
				return j.unexpected(c, "after object key:value pair")
			}
			return j.unexpected(c, "after array element")
		}
	}
}

// objectKey reads `"key" :` inside a skipped object.
func (j *jsonReader) objectKey() error {
	if !j.skipWS() {
		return j.truncated()
	}
	if c := j.peek(); c != '"' {
		return j.unexpected(c, "looking for beginning of object key string")
	}
	j.pos++
	if err := j.str(nil); err != nil {
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
