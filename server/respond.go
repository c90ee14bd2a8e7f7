package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/docsearch/docsearch/docmap"
	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

// writeJSON writes v as the JSON body of a response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client may be gone; nothing to tell it
}

// errorBody is every error response: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// writeError writes {"error": msg} with the given status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{msg})
}

// retryAfter is the Retry-After of a 503 for a locked index, in seconds.
const retryAfter = 5

// statusOf maps an error of the query or pipeline packages to an HTTP
// status, and says whether its message may be shown to the client.
// Anything unexpected is a 500 whose detail goes to the log only.
func statusOf(err error) (int, bool) {
	switch {
	case errors.Is(err, query.ErrBadRequest):
		return http.StatusBadRequest, true
	case errors.Is(err, query.ErrUnknownDoc), errors.Is(err, index.ErrUnknownID):
		return http.StatusNotFound, true
	case errors.Is(err, query.ErrNoWords), errors.Is(err, query.ErrNoCode), errors.Is(err, docmap.ErrNoCodes):
		// Well formed, but nothing in it that the index can search by.
		return http.StatusUnprocessableEntity, true
	case errors.Is(err, pipeline.ErrDuplicate):
		return http.StatusConflict, true
	case errors.Is(err, index.ErrLocked):
		return http.StatusServiceUnavailable, true
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, true
	}
	return http.StatusInternalServerError, false
}

// fail answers with the status and message of err (see statusOf),
// logging the errors the client is not shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, show := statusOf(err)
	msg := err.Error()
	switch {
	case errors.Is(err, index.ErrLocked):
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		msg = "the index is being written by another process (docsearch index, add or remove); try again when it has finished"
	case errors.Is(err, context.DeadlineExceeded):
		msg = "the search took longer than " + s.opts.SearchTimeout.String() + "; try a narrower query"
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return // the client has gone; nobody reads an answer
	case !show:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error; the server log has the detail"
	}
	writeError(w, status, msg)
}
