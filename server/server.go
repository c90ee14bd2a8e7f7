// Package server is docsearch over HTTP: a JSON API and a search page on
// one open index, with no ranking of its own (everything it answers, the
// query and pipeline packages compute, as the command line does).
//
// Routes (see api/openapi.yaml for the full description):
//
//	GET    /                      search page (q, mode, label, doc, offset)
//	GET    /doc/{id...}           one document's page
//	GET    /api/search            ranked results with snippets
//	GET    /api/doc/{id...}       stored text and metadata
//	GET    /api/similar/{id...}   documents like an indexed one
//	GET    /api/info              the index: documents, labels, model
//	GET    /api/map.png           the map of the collection, a query's results marked
//	GET    /healthz               liveness and the index generation
//	GET    /api/openapi.yaml      the API's description
//	GET    /static/...            the page's style sheet (embedded)
//	POST   /api/documents         add JSON Lines records (writable servers, bearer token)
//	DELETE /api/documents/{id...} remove a document (writable servers, bearer token)
//
// The server holds one open generation of the index and looks for a newer
// one (committed by its own writes or by docsearch index, add or remove in
// another process) every Options.Reload; a request runs on one generation
// from start to end, so it sees the index before or after a commit, never
// between.
package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/docsearch/docsearch/pipeline"
)

// Defaults of Options.
const (
	DefaultMaxBodyBytes  = 32 << 20
	DefaultReload        = time.Second
	DefaultSearchTimeout = 10 * time.Second
	// MinTokenBytes is the shortest bearer token accepted: a token short
	// enough to guess protects nothing.
	MinTokenBytes = 16
)

// Timeouts of the http.Server that Serve runs.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 60 * time.Second  // a whole request, body included
	WriteTimeout      = 120 * time.Second // room for a large add
	IdleTimeout       = 120 * time.Second
	// MaxHeaderBytes bounds the request line and headers, and so a query
	// in the URL; a longer one gets net/http's own 431 answer.
	MaxHeaderBytes = 1 << 20
	// ShutdownGrace is how long Serve waits for in-flight requests after
	// its context ends.
	ShutdownGrace = 30 * time.Second
)

// Options configure a Server.
type Options struct {
	// Dir is the index directory (required).
	Dir string
	// Writable enables POST and DELETE on /api/documents; it requires
	// Token.
	Writable bool
	// Token is the bearer token of the write endpoints, at least
	// MinTokenBytes long.
	Token string
	// Logger receives one line per request; default slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes bounds a request body; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Reload is how often the server looks for a newer generation of the
	// index; default DefaultReload, negative for never (its own writes
	// still switch at once).
	Reload time.Duration
	// SearchTimeout bounds one search; default DefaultSearchTimeout.
	SearchTimeout time.Duration
}

// FieldError is a bad value of one field of Options: the application
// layer's one type for that (pipeline.FieldError), which the command line
// maps to its flags.
type FieldError = pipeline.FieldError

// EnsureDefaults fills the zero fields.
func (o *Options) EnsureDefaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Reload == 0 {
		o.Reload = DefaultReload
	}
	if o.SearchTimeout == 0 {
		o.SearchTimeout = DefaultSearchTimeout
	}
}

// Validate reports every problem at once.
func (o Options) Validate() error {
	var errs []error
	bad := func(field, f string, a ...any) {
		errs = append(errs, &FieldError{Field: field, Err: fmt.Errorf(f, a...)})
	}
	if o.Dir == "" {
		bad("Dir", "an index directory is required")
	}
	switch {
	case o.Writable && o.Token == "":
		bad("Token", "a writable server needs a bearer token (refusing to accept writes from anyone)")
	case o.Token != "" && len(o.Token) < MinTokenBytes:
		bad("Token", "the token has %d bytes, at least %d are required", len(o.Token), MinTokenBytes)
	case strings.ContainsFunc(o.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		bad("Token", "the token contains white space or control characters")
	}
	if o.MaxBodyBytes < 0 {
		bad("MaxBodyBytes", "must not be negative, got %d", o.MaxBodyBytes)
	}
	if o.SearchTimeout < 0 {
		bad("SearchTimeout", "must not be negative, got %s", o.SearchTimeout)
	}
	return errors.Join(errs...)
}

// Server answers HTTP requests on one index. Create it with New; its
// Handler serves the routes; Close releases the index.
type Server struct {
	opts    Options
	log     *slog.Logger
	live    *live
	mux     http.Handler
	token   [sha256.Size]byte // of Options.Token
	writing chan struct{}     // one write at a time (capacity 1)
	maps    *mapCache
	stop    context.CancelFunc
	done    chan struct{} // closed when the reloader has stopped
}

// New opens the index in o.Dir and returns a server for it.
func New(o Options) (*Server, error) {
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	l, err := openLive(o.Dir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts: o, log: o.Logger, live: l,
		token:   sha256.Sum256([]byte(o.Token)),
		writing: make(chan struct{}, 1),
		maps:    newMapCache(),
		done:    make(chan struct{}),
	}
	s.mux = s.routes()
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go s.reloader(ctx)
	return s, nil
}

// Handler returns the server's routes wrapped in logging and panic
// recovery.
func (s *Server) Handler() http.Handler { return s.mux }

// Generation returns the generation the server answers from.
func (s *Server) Generation() string {
	e := s.live.acquire()
	defer e.release()
	return e.gen
}

// Close stops looking for new generations and releases the index. Requests
// must have finished (Serve's shutdown sees to that).
func (s *Server) Close() error {
	s.stop()
	<-s.done
	return s.live.close()
}

// reloader looks for a new generation every Reload until ctx ends.
func (s *Server) reloader(ctx context.Context) {
	defer close(s.done)
	if s.opts.Reload < 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(s.opts.Reload)
	defer t.Stop()
	failing := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		switched, gen, err := s.live.reload()
		switch {
		case err != nil && err.Error() != failing:
			// Keep answering from the generation held; say so once per
			// distinct failure, not every tick.
			s.log.Warn("reopening the index failed; still serving the generation held",
				"dir", s.opts.Dir, "serving", s.Generation(), "err", err)
			failing = err.Error()
		case err == nil && switched:
			s.log.Info("index reopened", "dir", s.opts.Dir, "generation", gen)
			failing = ""
		}
	}
}

// NewHTTPServer returns an http.Server for h with the package's timeouts
// and header limit.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve answers on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish (for up to ShutdownGrace) and
// returns. It does not Close the server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := NewHTTPServer(s.Handler(), s.log)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: waiting for in-flight requests", "grace", ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
