package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
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

// errLineTooLong reports a JSON line longer than maxLineBytes.
var errLineTooLong = errors.New("line too long")

// maxLineBytes is the longest JSON line accepted: room for a text of
// MaxDocBytes in which every byte is escaped as \uXXXX, plus 1 MiB for the
// other fields.
func (w *walker) maxLineBytes() int64 {
	const extra = 1 << 20
	if w.opts.MaxDocBytes > (math.MaxInt64-extra)/6 {
		return math.MaxInt64
	}
	return 6*w.opts.MaxDocBytes + extra
}

// jsonRecord is one line of a JSON Lines corpus. Fields are raw so that
// numeric ids and labels can be accepted and a missing text told apart.
type jsonRecord struct {
	ID    json.RawMessage `json:"id"`
	Text  *string         `json:"text"`
	Label json.RawMessage `json:"label"`
	Title *string         `json:"title"`
}

// readJSONL reads the JSON Lines stream r of the file called name.
func (w *walker) readJSONL(name string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	limit := w.maxLineBytes()
	for n := 1; ; n++ {
		line, err := w.readLine(br, limit)
		if err == io.EOF {
			return nil
		}
		if err == errLineTooLong {
			return &DataError{Path: name, Line: n, Msg: fmt.Sprintf("line longer than %d bytes", limit)}
		}
		if err != nil {
			return &DataError{Path: name, Line: n, Msg: fmt.Sprintf("read: %v", err), Err: err}
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if err := w.jsonLine(name, n, line); err != nil {
			return err
		}
	}
}

// jsonLine decodes and passes on line n.
func (w *walker) jsonLine(name string, n int, line []byte) error {
	if !utf8.Valid(line) {
		// JSON must be UTF-8; read stray bytes as Windows-1252 rather than
		// letting encoding/json turn them into U+FFFD.
		line = []byte(decodeText(line))
	}
	var rec jsonRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		msg := "invalid JSON: " + err.Error()
		if line[0] == '[' {
			msg = "invalid JSON: found an array; want one object per line"
		}
		return &DataError{Path: name, Line: n, Msg: msg, Err: err}
	}
	if rec.Text == nil {
		return &DataError{Path: name, Line: n, Msg: `missing "text"`}
	}
	id, ok := scalar(rec.ID)
	if !ok {
		return &DataError{Path: name, Line: n, Msg: `"id" must be a string or a number`}
	}
	label, ok := scalar(rec.Label)
	if !ok {
		return &DataError{Path: name, Line: n, Msg: `"label" must be a string or a number`}
	}
	if id == "" {
		id = "line-" + strconv.Itoa(n)
	}
	where := name + ":" + strconv.Itoa(n)
	if w.dup(where, id) {
		return nil
	}
	text := *rec.Text
	if hasNULString(text) {
		w.skip(where, "binary text (NUL byte)")
		return nil
	}
	text = normalizeString(text)
	if isBlank(text) {
		w.skip(where, "empty text")
		return nil
	}
	var title string
	if rec.Title != nil {
		title = *rec.Title
	}
	return w.emit(id, label, title, text, false)
}

// scalar returns a JSON string's value or a number's literal; "" for a
// missing field or null. ok is false for other JSON values.
func scalar(raw json.RawMessage) (s string, ok bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), true
	}
	return "", false
}

// readLine returns the next line of br without its '\n', at most limit
// bytes. The line is valid until the next call. It returns io.EOF only when
// no bytes are left.
func (w *walker) readLine(br *bufio.Reader, limit int64) ([]byte, error) {
	frag, err := br.ReadSlice('\n')
	if err == nil {
		return bytes.TrimSuffix(frag, []byte("\n")), nil
	}
	if err != bufio.ErrBufferFull {
		if err == io.EOF && len(frag) > 0 {
			return frag, nil
		}
		return nil, err
	}
	b := append(w.buf[:0], frag...)
	for {
		if int64(len(b)) > limit {
			w.buf = b[:0]
			return nil, errLineTooLong
		}
		frag, err = br.ReadSlice('\n')
		b = append(b, frag...)
		switch err {
		case nil:
			w.buf = b
			return bytes.TrimSuffix(b, []byte("\n")), nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			w.buf = b
			return b, nil
		default:
			w.buf = b
			return nil, err
		}
	}
}
