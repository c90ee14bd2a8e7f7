package server

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/pipeline"
)

// authorized checks that the server takes writes and that the request
// carries its bearer token; if not, it answers and returns false.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if !s.opts.Writable {
		writeError(w, http.StatusForbidden, "this server is read-only; start it with --writable --token-file F to add and remove documents")
		return false
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="docsearch"`)
		writeError(w, http.StatusUnauthorized, "a bearer token is required: Authorization: Bearer TOKEN")
		return false
	}
	// Hashes of equal length, compared in constant time: neither the
	// token nor its length shows in the time taken.
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	if subtle.ConstantTimeCompare(got[:], s.token[:]) != 1 {
		writeError(w, http.StatusForbidden, "the bearer token is wrong")
		return false
	}
	return true
}

// lockWrites waits for the server's other writes to finish; false when the
// client went away meanwhile. unlockWrites releases.
func (s *Server) lockWrites(r *http.Request) bool {
	select {
	case s.writing <- struct{}{}:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *Server) unlockWrites() { <-s.writing }

// switchAfterWrite makes the server answer from the generation a write of
// its own has just committed.
func (s *Server) switchAfterWrite() {
	if _, _, err := s.live.reload(); err != nil {
		s.log.Warn("reopening the index after a write failed; still serving the generation held", "err", err)
	}
}

// addResponse is the answer of POST /api/documents.
type addResponse struct {
	Added      int       `json:"added"`
	Replaced   int       `json:"replaced"`
	Total      int       `json:"total"`
	Generation string    `json:"generation"`
	Skipped    []skipped `json:"skipped,omitempty"`
	Truncated  []string  `json:"truncated,omitempty"` // ids cut at the size limit
	NoCode     []string  `json:"no_code,omitempty"`   // ids without a vocabulary word: keyword search only
	TookMS     float64   `json:"took_ms"`
}

type skipped struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// addDocuments: POST /api/documents?replace=, a JSON Lines body with one
// {"id", "text", "label", "title"} record per line, as in a corpus file.
// Every line is checked before anything is written; the documents are
// added in one commit (pipeline.Add), all or none.
func (s *Server) addDocuments(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	p := readParams(r.URL.RawQuery, "replace")
	replace := p.boolean("replace")
	if err := p.err(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	tmp, err := os.MkdirTemp("", "docsearch-post-")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "body.jsonl")
	n, err := spool(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes), path)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes; send the documents in several requests", tooBig.Limit))
		return
	case errors.As(err, new(*lineError)):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		s.fail(w, r, err)
		return
	case n == 0:
		writeError(w, http.StatusBadRequest, `the body holds no record; send JSON Lines, one {"id": ..., "text": ..., "label": ..., "title": ...} object per line`)
		return
	}
	if !s.lockWrites(r) {
		return
	}
	defer s.unlockWrites()
	sum, err := pipeline.Add(pipeline.AddOptions{Dir: s.opts.Dir, Corpus: path, Replace: replace})
	if err != nil {
		var de *ingest.DataError
		switch {
		case errors.As(err, &de) && de.Path == path:
			writeError(w, http.StatusBadRequest, fmt.Sprintf("line %d: %s", de.Line, de.Msg))
		case errors.Is(err, pipeline.ErrDuplicate):
			msg := strings.ReplaceAll(err.Error(), path, "the body")
			msg = strings.ReplaceAll(msg, "the replace option, --replace", "replace=true")
			writeError(w, http.StatusConflict, msg)
		default:
			s.fail(w, r, err)
		}
		return
	}
	s.switchAfterWrite()
	resp := addResponse{Added: sum.Added, Replaced: sum.Replaced, Total: sum.Total, Generation: sum.Generation,
		Truncated: sum.Truncated, NoCode: sum.NoCode, TookMS: ms(sum.Took)}
	for _, sk := range sum.Skipped {
		_, line, _ := strings.Cut(sk.Path, path+":")
		n, _ := strconv.Atoi(line)
		resp.Skipped = append(resp.Skipped, skipped{Line: n, Reason: sk.Reason})
	}
	writeJSON(w, http.StatusOK, resp)
}

// removeDocument: DELETE /api/documents/{id}
func (s *Server) removeDocument(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	p := readParams(r.URL.RawQuery)
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		p.errs = append(p.errs, err)
	}
	if err := p.err(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !s.lockWrites(r) {
		return
	}
	defer s.unlockWrites()
	sum, err := pipeline.Remove(s.opts.Dir, []string{id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.switchAfterWrite()
	writeJSON(w, http.StatusOK, map[string]any{"removed": sum.Removed, "total": sum.Total, "generation": sum.Generation})
}

// lineError is a bad line of a JSON Lines body.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// record is one line of a JSON Lines body; fields stay raw so that a
// numeric id is accepted, as the corpus reader accepts it.
type record struct {
	ID    json.RawMessage `json:"id"`
	Text  *string         `json:"text"`
	Label json.RawMessage `json:"label"`
	Title json.RawMessage `json:"title"`
}

// spool copies the body to the file path, checking each line, and
// returns the number of records. The checks are stricter than a corpus
// file's, because a client can be told what to fix: every record needs an
// id (a string or a number, see checkID) and a text that is not blank and
// holds no NUL byte; ids may not repeat; the body must be UTF-8.
func spool(body io.Reader, path string) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(body, 64<<10)
	bw := bufio.NewWriterSize(f, 64<<10)
	seen := make(map[string]int)
	records := 0
	for n := 1; ; n++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return 0, rerr
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if err := checkRecord(n, bytes.TrimSpace(line), seen); err != nil {
				return 0, err
			}
			records++
		}
		if _, err := bw.Write(line); err != nil {
			return 0, err
		}
		if rerr == io.EOF {
			break
		}
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return records, f.Close()
}

// checkRecord checks line n of a body; seen maps the ids so far to their
// lines.
func checkRecord(n int, line []byte, seen map[string]int) error {
	bad := func(f string, a ...any) error { return &lineError{n, fmt.Sprintf(f, a...)} }
	if !utf8.Valid(line) {
		return bad("not valid UTF-8 (JSON text must be UTF-8)")
	}
	if line[0] != '{' {
		return bad(`want a JSON object {"id": ..., "text": ...}, found %q`, clip(string(line), 20))
	}
	var rec record
	if err := json.Unmarshal(line, &rec); err != nil {
		return bad("invalid JSON: %v", err)
	}
	id, ok := scalar(rec.ID)
	switch {
	case !ok:
		return bad(`"id" must be a string or a number`)
	case id == "":
		return bad(`"id" is required`)
	}
	if err := checkID(id); err != nil {
		return bad("%v", err)
	}
	if first, dup := seen[id]; dup {
		return bad("id %q repeats line %d", clip(id, 80), first)
	}
	seen[id] = n
	switch {
	case rec.Text == nil:
		return bad(`"text" is required (a string)`)
	case strings.TrimSpace(*rec.Text) == "":
		return bad(`"text" is blank`)
	case strings.IndexByte(*rec.Text, 0) >= 0:
		return bad(`"text" contains a NUL byte (binary data?)`)
	}
	if _, ok := scalar(rec.Label); !ok {
		return bad(`"label" must be a string or a number`)
	}
	if len(rec.Title) > 0 && string(rec.Title) != "null" && rec.Title[0] != '"' {
		return bad(`"title" must be a string`)
	}
	return nil
}

// scalar returns a JSON string's value or a number's literal, "" for a
// missing field or null; ok is false for other values.
func scalar(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	switch raw[0] {
	case '"':
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), true
	}
	return "", false
}
