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
	j := &bufReader{r: r, buf: w.rbuf}
	var st debStanza
	var val, ws, dot fieldBuf // ws and dot keep at most 256 bytes of white space
	val.max, ws.max, dot.max = maxFieldBytes, maxFieldName, maxFieldName
	w.sink.reset(w.maxDoc(), 0)
	bad := func(n int, format string, args ...any) error {
		if j.err != nil {
			return &DataError{Path: name, Line: n, Msg: "read: " + j.err.Error(), Err: j.err}
		}
		return &DataError{Path: name, Line: n, Msg: fmt.Sprintf(format, args...)}
	}
	for n := 1; ; n++ {
		if !j.more() {
			if j.err != nil {
				return bad(n, "")
			}
			return w.endStanza(name, &st)
		}
		switch c := j.peek(); {
		case c == '\n':
			j.pos++
			if err := w.endStanza(name, &st); err != nil {
				return err
			}
		case c == '#':
			j.line(nil)
		case c == ' ' || c == '\t' || c == '\r':
			// A continuation line, or a blank one made of white space (a
			// CR of a CRLF line end included).
			j.pos++
			ws.reset()
			for j.more() && (j.peek() == ' ' || j.peek() == '\t' || j.peek() == '\r') {
				ws.write(j.buf[j.pos : j.pos+1])
				j.pos++
			}
			if !j.more() || j.peek() == '\n' {
				j.line(nil)
				if err := w.endStanza(name, &st); err != nil {
					return err
				}
				continue
			}
			switch {
			case c == '\r':
				return bad(n, "want %q or a continuation line, found a CR", "Field: value")
			case st.field == debNone:
				return bad(n, "continuation line outside a field")
			case st.field == debOther:
				j.line(nil)
				continue
			}
			var lead []byte // content already read: a '.' and the white space after it
			if len(ws.b) == 0 && j.peek() == '.' {
				j.pos++
				dot.reset()
				dot.write([]byte{'.'})
				for j.more() && (j.peek() == ' ' || j.peek() == '\t' || j.peek() == '\r') {
					dot.write(j.buf[j.pos : j.pos+1])
					j.pos++
				}
				if !j.more() || j.peek() == '\n' {
					st.sep, st.folded = "\n\n", false // " ." is an empty line
					j.line(nil)
					continue
				}
				lead = dot.b
			}
			switch {
			case st.sep != "":
				w.sink.write([]byte(st.sep))
			case st.folded && len(ws.b) == 0:
				w.sink.write([]byte{' '})
			default:
				w.sink.write([]byte{'\n'})
			}
			st.sep = ""
			st.folded = len(ws.b) == 0 // more indented lines are shown verbatim
			w.sink.write(bytes.ReplaceAll(ws.b, []byte{'\r'}, nil))
			w.sink.write(bytes.ReplaceAll(lead, []byte{'\r'}, nil))
			j.line(&w.sink)
		default:
			name, err := j.fieldName()
			if err != nil {
				return bad(n, "%v", err)
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
				val.reset()
				j.line(&val)
				if val.over {
					return bad(n, "%s longer than %d bytes", name, maxFieldBytes)
				}
				if strings.EqualFold(name, "Package") {
					st.pkg = strings.TrimSpace(string(val.b))
				} else {
					st.section = strings.TrimSpace(string(val.b))
				}
			case strings.EqualFold(name, "Description"):
				val.reset()
				val.cut = true // a title is only cut, never refused
				j.line(&val)
				st.title = strings.TrimSpace(string(val.b))
				st.hasDesc, st.field, st.sep, st.folded = true, debDesc, "\n\n", false
				w.sink.reset(w.maxDoc(), 0)
				w.sink.write([]byte(st.title))
			default:
				j.line(nil)
			}
		}
		if j.err != nil {
			return bad(n, "")
		}
	}
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
