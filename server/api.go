package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

// routes lists every route of the server, wrapped in the middleware.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /doc/{id...}", s.docPage)
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles()))

	mux.HandleFunc("GET /api/search", s.search)
	mux.HandleFunc("GET /api/similar/{id...}", s.similar)
	mux.HandleFunc("GET /api/doc/{id...}", s.doc)
	mux.HandleFunc("GET /api/info", s.info)
	mux.HandleFunc("GET /api/map.png", s.mapImage)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("POST /api/documents", s.addDocuments)
	mux.HandleFunc("DELETE /api/documents/{id...}", s.removeDocument)
	mux.HandleFunc("GET /api/openapi.yaml", serveOpenAPI)
	// Anything else answers in JSON too.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(mux, w, r) })
	return s.logRequests(s.recoverPanics(mux))
}

// notFound answers a request no route takes: 405 with the allowed methods
// when the path has routes for other methods, else 404.
func notFound(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		// A route for m has a pattern "M /path"; the catch-all has none.
		// A path that reaches a route only by a redirect (/api/documents
		// to /api/documents/{id...}) does not count.
		_, pat := mux.Handler(r2)
		path, ok := strings.CutPrefix(pat, m+" ")
		if i := strings.IndexByte(path, '{'); i >= 0 {
			path = path[:i]
		}
		if ok && strings.HasPrefix(r.URL.Path, path) {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, http.StatusMethodNotAllowed, r.Method+" "+clip(r.URL.Path, 200)+": method not allowed (allowed: "+strings.Join(allow, ", ")+")")
		return
	}
	writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+clip(r.URL.Path, 200)+" (see /api/openapi.yaml)")
}

// errUnknown is the error of an id that is not in the index.
func errUnknown(id string) error { return fmt.Errorf("%w: %q", query.ErrUnknownDoc, clip(id, 200)) }

// searchResponse is the answer of /api/search and /api/similar.
type searchResponse struct {
	Query      string         `json:"query,omitempty"`
	Doc        string         `json:"doc,omitempty"`
	Mode       query.Mode     `json:"mode"`
	Label      string         `json:"label,omitempty"`
	K          int            `json:"k"`
	Offset     int            `json:"offset"`
	Total      int            `json:"total"`
	TookMS     float64        `json:"took_ms"`
	Generation string         `json:"generation"`
	Results    []query.Result `json:"results"`
	Notes      []string       `json:"notes,omitempty"`
}

// run searches on the current generation within the search timeout.
func (s *Server) run(ctx context.Context, e *engine, req query.Request) (*searchResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.SearchTimeout)
	defer cancel()
	resp, err := e.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	return &searchResponse{
		Query: req.Text, Doc: req.DocID, Mode: resp.Mode, Label: req.Label, K: req.K, Offset: req.Offset,
		Total: resp.Total, TookMS: ms(resp.Took), Generation: e.gen, Results: resp.Results, Notes: resp.Notes,
	}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

var searchParams = []string{"q", "k", "offset", "mode", "label", "snippets"}

// search: GET /api/search?q=&k=&offset=&mode=&label=&snippets=
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	p := readParams(r.URL.RawQuery, searchParams...)
	req := p.request(query.DefaultK)
	req.Text = p.text()
	s.answer(w, r, p, req)
}

// answer runs req on the live index and writes its results, or a 400
// listing every problem of the parameters p.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, p *params, req query.Request) {
	if err := p.err(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	e := s.live.acquire()
	defer e.release()
	resp, err := s.run(r.Context(), e, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

var similarParams = []string{"k", "offset", "mode", "label", "snippets"}

// similar: GET /api/similar/{id}?k=&offset=&mode=&label=&snippets=
func (s *Server) similar(w http.ResponseWriter, r *http.Request) {
	p := readParams(r.URL.RawQuery, similarParams...)
	req := p.request(query.DefaultK)
	req.DocID = r.PathValue("id")
	if err := checkID(req.DocID); err != nil {
		p.errs = append(p.errs, err)
	}
	s.answer(w, r, p, req)
}

// docResponse is the answer of /api/doc.
type docResponse struct {
	ID         string `json:"id"`
	Label      string `json:"label,omitempty"`
	Title      string `json:"title,omitempty"`
	Text       string `json:"text"`
	Words      int    `json:"words"`       // word tokens
	Known      int    `json:"known_words"` // of which in the model's vocabulary
	NoCode     bool   `json:"no_code,omitempty"`
	Generation string `json:"generation"`
}

// doc: GET /api/doc/{id}
func (s *Server) doc(w http.ResponseWriter, r *http.Request) {
	p := readParams(r.URL.RawQuery)
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		p.errs = append(p.errs, err)
	}
	if err := p.err(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	e := s.live.acquire()
	defer e.release()
	d, err := s.lookup(e, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// lookup reads one document with its stored text.
func (s *Server) lookup(e *engine, id string) (*docResponse, error) {
	pos, ok := e.Index.Find(id)
	if !ok {
		return nil, errUnknown(id)
	}
	text, err := e.Index.Text(pos)
	if err != nil {
		return nil, err
	}
	d := e.Index.Doc(pos)
	return &docResponse{ID: d.ID, Label: d.Label, Title: d.Title, Text: text, Words: d.Words, Known: d.Known,
		NoCode: d.NoCode, Generation: e.gen}, nil
}

// infoResponse is the answer of /api/info: the index, as `docsearch info
// --json` describes it, and the server's limits.
type infoResponse struct {
	*pipeline.Info
	Writable     bool  `json:"writable"`
	MaxK         int   `json:"max_k"`
	MaxOffset    int   `json:"max_offset_plus_k"`
	MaxTextBytes int   `json:"max_query_bytes"`
	MaxBodyBytes int64 `json:"max_body_bytes"`
}

// info: GET /api/info
func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	if err := readParams(r.URL.RawQuery).err(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	e := s.live.acquire()
	defer e.release()
	info, err := e.describe(s.opts.Dir)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, infoResponse{Info: info, Writable: s.opts.Writable, MaxK: MaxK, MaxOffset: query.MaxK,
		MaxTextBytes: query.MaxTextBytes, MaxBodyBytes: s.opts.MaxBodyBytes})
}

// healthz: GET /healthz
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	e := s.live.acquire()
	defer e.release()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "generation": e.gen, "documents": e.Index.Len()})
}
