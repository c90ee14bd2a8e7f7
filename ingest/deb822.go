package ingest

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Deb822Prefix, in front of a path, reads the file as Debian control data
// (deb822) whatever its name: "deb822:/tmp/debian-packages.txt".
const Deb822Prefix = "deb822:"

// maxFieldName is the longest deb822 field name accepted.
const maxFieldName = 256

// debField says which field a deb822 continuation line belongs to.
type debField int

const (
	debNone  debField = iota // no field yet in this stanza
	debOther                 // a field that is not read
	debDesc                  // Description
)

// debStanza is what is kept of the stanza being read.
type debStanza struct {
	line    int // line of its first field
	fields  int
	pkg     string
	section string
	title   string
	hasDesc bool
	field   debField
	sep     string // owed before the next description line: "", "\n" or "\n\n"
	folded  bool   // the last description line was a folded (normal) one
}

// readDeb822 reads the deb822 stream r of the file called name: one
// document per stanza, as the package doc describes. Lines are streamed
// through a fixed buffer and the description into the walker's textSink, so
// memory stays bounded whatever the length of a line or a stanza.
func (w *walker) readDeb822(name string, r io.Reader) error {
	if w.rbuf == nil {
		w.rbuf = make([]byte, 64<<10)
	}
	d := &debReader{w: w, name: name, j: &bufReader{r: r, buf: w.rbuf}}
	d.val.max, d.ws.max, d.dot.max = maxFieldBytes, maxFieldName, maxFieldName
	w.sink.reset(w.maxDoc(), 0)
	for n := 1; ; n++ {
		if !d.j.more() {
			if d.j.err != nil {
				return d.bad(n, "")
			}
			return w.endStanza(name, &d.st)
		}
		if err := d.line(n); err != nil {
			return err
		}
	}
}

// debReader is the state of readDeb822 in the file called name.
type debReader struct {
	w            *walker
	name         string
	j            *bufReader
	st           debStanza
	val, ws, dot fieldBuf // ws and dot keep at most 256 bytes of white space
}

// bad reports a problem on line n: the read error met there, if any, or
// the message.
func (d *debReader) bad(n int, format string, args ...any) error {
	if d.j.err != nil {
		return &DataError{Path: d.name, Line: n, Msg: "read: " + d.j.err.Error(), Err: d.j.err}
	}
	return &DataError{Path: d.name, Line: n, Msg: fmt.Sprintf(format, args...)}
}

// readErr reports the read error that stopped line n, if any.
func (d *debReader) readErr(n int) error {
	if d.j.err != nil {
		return d.bad(n, "")
	}
	return nil
}

// line reads line n, which is not at the end of the input: an empty line
// ends the stanza, a comment is dropped, a line starting with white space
// continues a field (or is blank) and any other names a field.
func (d *debReader) line(n int) error {
	switch c := d.j.peek(); {
	case c == '\n':
		d.j.pos++
		if err := d.w.endStanza(d.name, &d.st); err != nil {
			return err
		}
	case c == '#':
		d.j.line(nil)
	case c == ' ' || c == '\t' || c == '\r':
		return d.continuation(n, c)
	default:
		if err := d.field(n); err != nil {
			return err
		}
	}
	return d.readErr(n)
}

// continuation reads line n, which starts with the white space c: a
// continuation line, or a blank one made of white space (a CR of a CRLF
// line end included), which ends the stanza.
func (d *debReader) continuation(n int, c byte) error {
	j, st := d.j, &d.st
	j.pos++
	d.ws.reset()
	j.blanks(&d.ws)
	if !j.more() || j.peek() == '\n' {
		j.line(nil)
		return d.w.endStanza(d.name, st)
	}
	switch {
	case c == '\r':
		return d.bad(n, "want %q or a continuation line, found a CR", "Field: value")
	case st.field == debNone:
		return d.bad(n, "continuation line outside a field")
	case st.field == debOther:
		j.line(nil)
		return nil
	}
	var lead []byte // content already read: a '.' and the white space after it
	if len(d.ws.b) == 0 && j.peek() == '.' {
		j.pos++
		d.dot.reset()
		d.dot.write([]byte{'.'})
		j.blanks(&d.dot)
		if !j.more() || j.peek() == '\n' {
			st.sep, st.folded = "\n\n", false // " ." is an empty line
			j.line(nil)
			return nil
		}
		lead = d.dot.b
	}
	d.descLine(lead)
	return d.readErr(n)
}

// descLine adds the rest of a description's continuation line to the text,
// after what it owes (a paragraph break, the space of a folded line or a
// line break), its indent and lead.
func (d *debReader) descLine(lead []byte) {
	st, sink := &d.st, &d.w.sink
	switch {
	case st.sep != "":
		sink.write([]byte(st.sep))
	case st.folded && len(d.ws.b) == 0:
		sink.write([]byte{' '})
	default:
		sink.write([]byte{'\n'})
	}
	st.sep = ""
	st.folded = len(d.ws.b) == 0 // more indented lines are shown verbatim
	sink.write(bytes.ReplaceAll(d.ws.b, []byte{'\r'}, nil))
	sink.write(bytes.ReplaceAll(lead, []byte{'\r'}, nil))
	d.j.line(sink)
}

// field reads line n, a "Name: value" line, keeping the values of Package,
// Section and Description.
func (d *debReader) field(n int) error {
	j, st := d.j, &d.st
	name, err := j.fieldName()
	if err != nil {
		return d.bad(n, "%v", err)
	}
	if st.fields == 0 {
		st.line = n
	}
	st.fields++
	for j.more() && (j.peek() == ' ' || j.peek() == '\t') {
		j.pos++
	}
	st.field = debOther
	switch {
	case strings.EqualFold(name, "Package"), strings.EqualFold(name, "Section"):
		d.val.reset()
		j.line(&d.val)
		if d.val.over {
			return d.bad(n, "%s longer than %d bytes", name, maxFieldBytes)
		}
		if strings.EqualFold(name, "Package") {
			st.pkg = strings.TrimSpace(string(d.val.b))
		} else {
			st.section = strings.TrimSpace(string(d.val.b))
		}
	case strings.EqualFold(name, "Description"):
		d.val.reset()
		d.val.cut = true // a title is only cut, never refused
		j.line(&d.val)
		st.title = strings.TrimSpace(string(d.val.b))
		st.hasDesc, st.field, st.sep, st.folded = true, debDesc, "\n\n", false
		d.w.sink.reset(d.w.maxDoc(), 0)
		d.w.sink.write([]byte(st.title))
	default:
		j.line(nil)
	}
	return nil
}

// endStanza passes on the stanza read, if any, and starts the next.
func (w *walker) endStanza(name string, st *debStanza) error {
	if st.fields == 0 {
		return nil
	}
	s := *st
	*st = debStanza{}
	text, cut, nul := w.sink.finish(), w.sink.cut, w.sink.nul
	w.sink.reset(w.maxDoc(), 0)
	where := name + ":" + strconv.Itoa(s.line)
	switch {
	case s.pkg == "":
		return &DataError{Path: name, Line: s.line, Msg: `stanza without a "Package" field`}
	case w.dup(where, s.pkg):
		return nil
	case !s.hasDesc:
		w.skip(where, "no description")
		return nil
	case nul:
		w.skip(where, "binary text (NUL byte)")
		return nil
	case isBlank(text):
		w.skip(where, "empty description")
		return nil
	}
	label := s.section
	if i := strings.LastIndexByte(label, '/'); i >= 0 {
		label = label[i+1:] // "contrib/games" -> "games"
	}
	return w.emit(s.pkg, label, s.title, text, cut)
}

// fieldName reads "Name:" at the start of a line.
func (j *bufReader) fieldName() (string, error) {
	j.fill(maxFieldName + 1)
	b := j.buf[j.pos:j.end]
	i := bytes.IndexByte(b[:min(len(b), maxFieldName+1)], ':')
	nl := bytes.IndexByte(b, '\n')
	switch {
	case i < 0 && len(b) > maxFieldName && (nl < 0 || nl > maxFieldName):
		return "", fmt.Errorf("field name longer than %d bytes", maxFieldName)
	case i < 0 || nl >= 0 && nl < i:
		return "", fmt.Errorf("want %q or a continuation line, found %q", "Field: value", cutLine(b))
	case i == 0:
		return "", fmt.Errorf("empty field name")
	}
	name := string(b[:i])
	j.pos += i + 1
	return name, nil
}

// cutLine returns the line at the start of b, at most 40 bytes of it.
func cutLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return truncateUTF8(string(bytes.TrimSuffix(b, []byte{'\r'})), 40)
}

// blanks moves past spaces, tabs and CRs, keeping them in out.
func (j *bufReader) blanks(out *fieldBuf) {
	for j.more() && (j.peek() == ' ' || j.peek() == '\t' || j.peek() == '\r') {
		out.write(j.buf[j.pos : j.pos+1])
		j.pos++
	}
}

// line passes the rest of the current line to out, decoded, or drops it
// when out is nil, and consumes its '\n'. A CR before the '\n' is dropped.
func (j *bufReader) line(out strSink) {
	for j.more() {
		b := j.buf[j.pos:j.end]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			if out != nil {
				decodeInto(out, bytes.TrimSuffix(b[:i], []byte{'\r'}), true)
			}
			j.pos += i + 1
			return
		}
		// Pass on all but a final CR (it may end the line) and an
		// incomplete UTF-8 sequence, then read on.
		seg := bytes.TrimSuffix(b, []byte{'\r'})
		rest := 0
		if out != nil {
			rest = decodeInto(out, seg, false)
		}
		if k := len(seg) - rest; k > 0 {
			j.pos += k
			continue
		}
		if j.eof || j.err != nil {
			if out != nil {
				decodeInto(out, seg, true)
			}
			j.pos = j.end
			return
		}
		j.fill(len(b) + 1)
	}
}
