package ingest

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

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

// set stores the value of the short field "id", "label" or "title".
func (rec *record) set(field, s string) {
	switch field {
	case "title":
		rec.title = s
	case "id":
		rec.id = s
	case "label":
		rec.label = s
	}
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
		if first && j.peek() == '}' {
			j.pos++
			break
		}
		key.reset()
		if err := j.objectKey(&key); err != nil {
			return rec, err
		}
		if !j.skipWS() {
			return rec, j.truncated()
		}
		field := ""
		if !key.over {
			field = fieldOf(key.b)
		}
		if err := w.jsonField(j, field, &rec, &val); err != nil {
			return rec, err
		}
		last, err := j.memberEnd()
		if err != nil {
			return rec, err
		}
		if last {
			break
		}
	}
	if j.skipSpace() && j.peek() != '\n' {
		return rec, j.unexpected(j.peek(), "after top-level value")
	}
	return rec, j.err
}

// jsonField reads the value of a record's member into rec: field is "text",
// "id", "label" or "title", or "" for a member that is checked and skipped.
// A null clears the field; val is the buffer of the short fields.
func (w *walker) jsonField(j *jsonReader, field string, rec *record, val *fieldBuf) error {
	switch c := j.peek(); {
	case field == "":
		return j.skipValue()
	case c == 'n':
		if err := j.literal("null"); err != nil {
			return err
		}
		if field == "text" {
			rec.hasText = false
		} else {
			rec.set(field, "")
		}
		return nil
	case field == "text" && c == '"':
		j.pos++
		w.sink.reset(w.maxDoc(), 0)
		if err := j.str(&w.sink); err != nil {
			return err
		}
		rec.hasText = true
		return nil
	case field == "title" && c == '"':
		j.pos++
		val.reset()
		val.cut = true // a title is only cut, never refused
		if err := j.str(val); err != nil {
			return err
		}
		rec.set(field, string(val.b))
		return nil
	case (field == "id" || field == "label") && (c == '"' || c == '-' || '0' <= c && c <= '9'):
		val.reset()
		var err error
		if c == '"' {
			j.pos++
			err = j.str(val)
		} else {
			err = j.number(val)
		}
		if err != nil {
			return err
		}
		if val.over {
			return fmt.Errorf("%q longer than %d bytes", field, maxFieldBytes)
		}
		rec.set(field, string(val.b))
		return nil
	}
	if err := j.skipValue(); err != nil {
		return err
	}
	if field == "id" || field == "label" {
		return fmt.Errorf("%q must be a string or a number", field)
	}
	return fmt.Errorf("invalid JSON: %q must be a string", field)
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
