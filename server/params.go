package server

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/query"
)

// MaxK bounds k (results per request) in the API and on the page; offset
// + k is bounded by query.MaxK. A hundred results with snippets is a long
// page already; deeper lists are read by paging.
const MaxK = 100

// MaxLabelBytes bounds a label parameter.
const MaxLabelBytes = 1024

// params reads a request's query string strictly: every parameter must be
// known to the endpoint and given once, and every value valid UTF-8.
type params struct {
	v    url.Values
	errs []error
}

// readParams parses raw (the URL's RawQuery) for an endpoint that knows the
// named parameters.
func readParams(raw string, known ...string) *params {
	p := &params{}
	v, err := url.ParseQuery(raw)
	if err != nil {
		p.bad("the query string is malformed: %v", err)
		return p
	}
	p.v = v
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names) // errors in a stable order
	for _, name := range names {
		switch {
		case !utf8.ValidString(name):
			p.bad("a parameter name is not valid UTF-8")
		case !slices.Contains(known, name):
			p.bad("unknown parameter %q (known: %s)", clip(name, 40), strings.Join(known, ", "))
		case len(v[name]) > 1:
			p.bad("%s: given %d times, once is allowed", name, len(v[name]))
		case !utf8.ValidString(v[name][0]):
			p.bad("%s: not valid UTF-8", name)
		}
	}
	return p
}

func (p *params) bad(f string, a ...any) { p.errs = append(p.errs, fmt.Errorf(f, a...)) }

// err returns every problem found, joined, or nil.
func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	msgs := make([]string, len(p.errs))
	for i, e := range p.errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}

// str returns a parameter's value, "" when absent.
func (p *params) str(name string) string { return p.v.Get(name) }

// has reports whether a parameter was given, empty or not.
func (p *params) has(name string) bool { _, ok := p.v[name]; return ok }

// integer reads an integer parameter in [lo, hi], def when absent.
func (p *params) integer(name string, def, lo, hi int) int {
	s := p.v.Get(name)
	if !p.has(name) {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		p.bad("%s: must be an integer in [%d, %d], got %q", name, lo, hi, clip(s, 40))
		return def
	}
	return n
}

// boolean reads a true/false parameter, false when absent.
func (p *params) boolean(name string) bool {
	if !p.has(name) {
		return false
	}
	b, err := strconv.ParseBool(p.v.Get(name))
	if err != nil {
		p.bad("%s: must be true or false, got %q", name, clip(p.v.Get(name), 40))
	}
	return b
}

// request reads the parameters shared by search, similar and the map into
// a query.Request: k, offset, mode, label and snippets.
func (p *params) request(defK int) query.Request {
	r := query.Request{Snippets: query.SnippetsHTML}
	r.K = p.integer("k", defK, 1, MaxK)
	r.Offset = p.integer("offset", 0, 0, query.MaxK-r.K)
	if s := p.str("mode"); s != "" {
		m, err := query.ParseMode(s)
		if err != nil {
			p.bad("mode: %v", err)
		}
		r.Mode = m
	}
	r.Label = p.str("label")
	if len(r.Label) > MaxLabelBytes {
		p.bad("label: %d bytes, at most %d are allowed", len(r.Label), MaxLabelBytes)
	}
	switch s := p.str("snippets"); s {
	case "", "html":
	case "plain":
		r.Snippets = query.SnippetsPlain
	case "none":
		r.Snippets = query.NoSnippets
	default:
		p.bad("snippets: unknown style %q (known: html, plain, none)", clip(s, 40))
	}
	return r
}

// text reads the query text q: required, not blank, at most
// query.MaxTextBytes.
func (p *params) text() string {
	q := p.str("q")
	switch {
	case !p.has("q") || q == "":
		p.bad("q: a query text is required")
	case strings.TrimSpace(q) == "":
		p.bad("q: the query text is blank")
	case len(q) > query.MaxTextBytes:
		p.bad("q: %d bytes, at most %d are allowed (to find documents like a long text, index it and use /api/similar)", len(q), query.MaxTextBytes)
	}
	return q
}

// checkID checks a document id taken from a URL path: not empty, valid
// UTF-8, at most index.MaxIDBytes, without control characters (NUL among
// them). An id is a key, never a file name, so ".." is harmless; it is
// looked up like any other.
func checkID(id string) error {
	switch {
	case id == "":
		return errors.New("id: a document id is required")
	case len(id) > index.MaxIDBytes:
		return fmt.Errorf("id: %d bytes, at most %d are allowed", len(id), index.MaxIDBytes)
	case !utf8.ValidString(id):
		return errors.New("id: not valid UTF-8")
	case strings.ContainsFunc(id, unicode.IsControl):
		return fmt.Errorf("id: %q contains a control character", clip(id, 80))
	}
	return nil
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
