package server

import (
	"bytes"
	"cmp"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/docsearch/docsearch/api"
	"github.com/docsearch/docsearch/query"
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"thousands": thousands,
	"docurl":    docURL,
}).ParseFS(assets, "assets/*.html"))

// staticFiles serves assets/static (the style sheet) from the binary.
func staticFiles() http.Handler {
	sub, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.FileServerFS(sub)
}

// serveOpenAPI serves the API's description (api/openapi.yaml).
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(api.OpenAPI)
}

// PageSize is the number of results on a page.
const PageSize = 10

// pageData is what the search page shows.
type pageData struct {
	Query, Doc, DocTitle string
	Mode                 string
	Modes                []string
	Label                string
	Labels               []labelOption
	Documents            int
	Generation           string

	Searched   bool // a query ran: show the results block
	Results    []resultView
	From, To   int
	Total      int
	TookMS     string
	Notes      []string
	Error      string
	Prev, Next string
	MapURL     string
	MapCaption string
}

type labelOption struct {
	Name  string
	Count int
}

type resultView struct {
	Rank       int
	ID, Label  string
	Title      string
	Score      string
	Snippet    template.HTML
	DocURL     string
	SimilarURL string
}

// pageParams reads the page's parameters: q or doc, mode, label, offset.
// Unknown parameters are ignored (a person typed the URL, or a link
// carried them); bad values are shown on the page.
func pageParams(r *http.Request) (query.Request, []string) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return query.Request{}, []string{"the query string is malformed: " + err.Error()}
	}
	p := &params{v: url.Values{}}
	for _, name := range []string{"q", "doc", "mode", "label", "offset"} {
		if vs := v[name]; len(vs) > 0 {
			p.v.Set(name, vs[0])
			if !utf8.ValidString(vs[0]) {
				p.bad("%s: not valid UTF-8", name)
			}
		}
	}
	req := p.request(PageSize)
	req.Offset = p.integer("offset", 0, 0, query.MaxK-PageSize)
	switch q, doc := p.str("q"), p.str("doc"); {
	case q != "" && doc != "":
		p.bad("give a query or a document, not both")
	case doc != "":
		req.DocID = doc
		if err := checkID(doc); err != nil {
			p.errs = append(p.errs, err)
		}
	case q != "":
		req.Text = p.text()
	}
	msgs := make([]string, len(p.errs))
	for i, e := range p.errs {
		msgs[i] = e.Error()
	}
	return req, msgs
}

// page: GET /?q=&doc=&mode=&label=&offset=, the search page.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	req, problems := pageParams(r)
	e := s.live.acquire()
	defer e.release()
	d := &pageData{
		Query: req.Text, Doc: req.DocID, Mode: req.Mode.String(), Label: req.Label,
		Documents: e.Index.Len(), Generation: e.gen,
	}
	modes := query.Modes
	if len(e.Index.Bits()) > 0 {
		modes = append(slices.Clone(modes), query.HashModes...)
	}
	for _, m := range modes {
		d.Modes = append(d.Modes, m.String())
	}
	for name, n := range e.Index.Labels() {
		if name != "" {
			d.Labels = append(d.Labels, labelOption{name, n})
		}
	}
	slices.SortFunc(d.Labels, func(a, b labelOption) int { return cmp.Compare(a.Name, b.Name) })
	mapQ := url.Values{}
	status := http.StatusOK
	switch {
	case len(problems) > 0:
		status, d.Error = http.StatusBadRequest, strings.Join(problems, "; ")
	case req.Text != "" || req.DocID != "":
		d.Searched = true
		if req.DocID != "" {
			if pos, ok := e.Index.Find(req.DocID); ok {
				d.DocTitle = e.Index.Doc(pos).Title
			}
		}
		resp, err := s.run(r.Context(), e, req)
		if err != nil {
			st, show := statusOf(err)
			if !show {
				s.fail(w, r, err) // logs it; the page is not worth drawing
				return
			}
			status, d.Error = st, pageMessage(err)
			break
		}
		s.fillResults(d, req, resp)
		mapQ = pageQuery(req, 0)
		mapQ.Set("k", strconv.Itoa(req.K))
		if req.Offset > 0 {
			mapQ.Set("offset", strconv.Itoa(req.Offset))
		}
	}
	d.MapURL = "/api/map.png"
	if len(mapQ) > 0 {
		d.MapURL += "?" + mapQ.Encode()
		d.MapCaption = "The collection by the documents' codes (first two principal components); the results of this page are the black discs."
	} else {
		d.MapCaption = "The collection by the documents' codes (first two principal components), coloured by label."
	}
	s.render(w, status, "page.html", d)
}

// fillResults puts a response on the page.
func (s *Server) fillResults(d *pageData, req query.Request, resp *searchResponse) {
	d.Total, d.Notes = resp.Total, resp.Notes
	d.TookMS = strconv.FormatFloat(resp.TookMS, 'f', 1, 64)
	for _, res := range resp.Results {
		title := res.Title
		if title == "" {
			title = res.ID
		}
		sim := pageQuery(query.Request{DocID: res.ID, Mode: req.Mode, Label: req.Label}, 0)
		d.Results = append(d.Results, resultView{
			Rank: res.Rank, ID: res.ID, Label: res.Label, Title: title,
			Score: strconv.FormatFloat(float64(res.Score), 'g', 4, 32),
			// bleve's highlighter (html style) escapes the text and
			// wraps the matches in <mark>; index.Snippets escapes the
			// fallback text the same way. Escaping it again would show
			// the tags, so this one field is trusted as HTML.
			Snippet:    template.HTML(res.Snippet),
			DocURL:     docURL(res.ID),
			SimilarURL: "/?" + sim.Encode(),
		})
	}
	if len(resp.Results) > 0 {
		d.From, d.To = req.Offset+1, req.Offset+len(resp.Results)
	}
	if req.Offset > 0 {
		d.Prev = "/?" + pageQuery(req, max(0, req.Offset-req.K)).Encode()
	}
	if next := req.Offset + req.K; next < resp.Total && next+req.K <= query.MaxK {
		d.Next = "/?" + pageQuery(req, next).Encode()
	}
}

// pageQuery is the query string of a page of results.
func pageQuery(req query.Request, offset int) url.Values {
	v := url.Values{}
	if req.Text != "" {
		v.Set("q", req.Text)
	}
	if req.DocID != "" {
		v.Set("doc", req.DocID)
	}
	if req.Mode != query.Hybrid {
		v.Set("mode", req.Mode.String())
	}
	if req.Label != "" {
		v.Set("label", req.Label)
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	return v
}

// pageMessage is an error as the page shows it, without the package
// prefix meant for logs.
func pageMessage(err error) string {
	msg := err.Error()
	for _, prefix := range []string{"query: ", "index: "} {
		msg = strings.ReplaceAll(msg, prefix, "")
	}
	msg = strings.ReplaceAll(msg, "try --mode keyword or hybrid", "try the keyword or hybrid mode")
	return msg
}

// docURL is the page of a document. The id is one escaped path segment
// ('/' as %2F), with "." and ".." spelt out so that no path cleaning
// touches them.
func docURL(id string) string { return "/doc/" + escapeID(id) }

func escapeID(id string) string {
	switch id {
	case ".", "..":
		return strings.ReplaceAll(id, ".", "%2E")
	}
	return url.PathEscape(id)
}

type docPageData struct {
	*docResponse
	SimilarURL string
	Documents  int
	Generation string
	Error      string
}

// docPage: GET /doc/{id}, one document with its text.
func (s *Server) docPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e := s.live.acquire()
	defer e.release()
	d := &docPageData{Documents: e.Index.Len(), Generation: e.gen, docResponse: &docResponse{ID: id}}
	if err := checkID(id); err != nil {
		d.Error = err.Error()
		s.render(w, http.StatusBadRequest, "doc.html", d)
		return
	}
	doc, err := s.lookup(e, id)
	if err != nil {
		st, show := statusOf(err)
		if !show {
			s.fail(w, r, err)
			return
		}
		d.Error = pageMessage(err)
		s.render(w, st, "doc.html", d)
		return
	}
	d.docResponse = doc
	d.SimilarURL = "/?" + url.Values{"doc": {id}}.Encode()
	s.render(w, http.StatusOK, "doc.html", d)
}

// render executes a template into a buffer first, so that a failure
// becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("rendering a page", "template", name, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error; the server log has the detail")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	// Everything the page needs comes from this server; nothing runs.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(",")
		}
		b.WriteRune(c)
	}
	return b.String()
}
