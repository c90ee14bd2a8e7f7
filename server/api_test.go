package server

import (
	"bytes"
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/query"
)

func TestSearch(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	for _, mode := range []string{"", "hybrid", "keyword", "semantic"} {
		t.Run("mode="+mode, func(t *testing.T) {
			r := get(t, ts.URL+"/api/search?q=rocket+launch&k=5&mode="+mode)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var sr searchResponse
			r.decode(t, &sr)
			want := mode
			if want == "" {
				want = "hybrid"
			}
			if sr.Mode.String() != want || sr.Query != "rocket launch" || sr.K != 5 || sr.Generation == "" {
				t.Errorf("answer %+v", sr)
			}
			if len(sr.Results) != 5 || sr.Total < 5 {
				t.Fatalf("%d results of %d", len(sr.Results), sr.Total)
			}
			for i, res := range sr.Results {
				if res.Rank != i+1 || res.Label != "space" {
					t.Errorf("result %d: %+v, want rank %d in space", i, res, i+1)
				}
			}
			if mode != "semantic" && !strings.Contains(sr.Results[0].Snippet, "<mark>") {
				t.Errorf("snippet without highlight: %q", sr.Results[0].Snippet)
			}
		})
	}
	t.Run("label and paging", func(t *testing.T) {
		var first, second searchResponse
		get(t, ts.URL+"/api/search?q=engine+doctor&label=health&k=3").decode(t, &first)
		get(t, ts.URL+"/api/search?q=engine+doctor&label=health&k=3&offset=3").decode(t, &second)
		if len(first.Results) != 3 || len(second.Results) != 3 {
			t.Fatalf("%d and %d results", len(first.Results), len(second.Results))
		}
		for _, res := range append(first.Results, second.Results...) {
			if res.Label != "health" {
				t.Errorf("label filter let through %+v", res)
			}
		}
		if second.Results[0].Rank != 4 || second.Results[0].ID == first.Results[2].ID {
			t.Errorf("page 2 starts with %+v", second.Results[0])
		}
	})
	t.Run("too many wildcards", func(t *testing.T) {
		// Searched as plain words, with a note (query's limits.go).
		var sr searchResponse
		r := get(t, ts.URL+"/api/search?q=rocket+a%2A+b%2A+c%2A+d%2A+e%2A")
		r.decode(t, &sr)
		if r.status != 200 || len(sr.Results) == 0 || len(sr.Notes) == 0 || !strings.Contains(sr.Notes[0], "searched as plain text") {
			t.Errorf("status %d, %+v", r.status, sr)
		}
	})
	t.Run("snippets", func(t *testing.T) {
		var plain, none searchResponse
		get(t, ts.URL+"/api/search?q=rocket&snippets=plain").decode(t, &plain)
		get(t, ts.URL+"/api/search?q=rocket&snippets=none").decode(t, &none)
		if s := plain.Results[0].Snippet; s == "" || strings.Contains(s, "<mark>") {
			t.Errorf("plain snippet %q", s)
		}
		if s := none.Results[0].Snippet; s != "" {
			t.Errorf("snippets=none gave %q", s)
		}
	})
}

// TestSearchBadInput: every bad parameter is a 400 with a JSON error that
// names it, before any search runs.
func TestSearchBadInput(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	long := strings.Repeat("rocket ", query.MaxTextBytes/7+1)
	for _, c := range []struct{ name, query, want string }{
		{"missing q", "k=5", "q: a query text is required"},
		{"empty q", "q=", "q: a query text is required"},
		{"blank q", "q=+++", "q: the query text is blank"},
		{"k 0", "q=rocket&k=0", `k: must be an integer in [1, 100], got "0"`},
		{"k 10^9", "q=rocket&k=1000000000", `k: must be an integer in [1, 100], got "1000000000"`},
		{"k not a number", "q=rocket&k=ten", `k: must be an integer`},
		{"k overflows", "q=rocket&k=99999999999999999999999", `k: must be an integer`},
		{"offset negative", "q=rocket&offset=-1", "offset: must be an integer in [0, 9990]"},
		{"offset too deep", "q=rocket&offset=10000", "offset: must be an integer in [0, 9990]"},
		{"unknown mode", "q=rocket&mode=fuzzy", `mode: unknown mode "fuzzy"`},
		{"invalid UTF-8 q", "q=%FF%FEx", "q: not valid UTF-8"},
		{"invalid UTF-8 label", "q=rocket&label=%C3%28", "label: not valid UTF-8"},
		{"long q", "q=" + url.QueryEscape(long), "q: 65541 bytes, at most 65536 are allowed"},
		{"unknown parameter", "q=rocket&K=5", `unknown parameter "K"`},
		{"repeated parameter", "q=rocket&q=moon", "q: given 2 times"},
		{"malformed query string", "q=%zz", "the query string is malformed"},
		{"semicolon", "q=rocket;k=3", "the query string is malformed"},
		{"unknown snippets", "q=rocket&snippets=bold", `snippets: unknown style "bold"`},
		{"long label", "q=rocket&label=" + strings.Repeat("x", MaxLabelBytes+1), "label: 1025 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := get(t, ts.URL+"/api/search?"+c.query)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", r.status, r.body)
			}
			if msg := r.errMsg(t); !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want it to contain %q", msg, c.want)
			}
		})
	}
	t.Run("every problem at once", func(t *testing.T) {
		msg := get(t, ts.URL+"/api/search?k=0&mode=x").errMsg(t)
		for _, want := range []string{"q:", "k:", "mode:"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q lacks %q", msg, want)
			}
		}
	})
}

// TestHugeQuery: a 10 MB query string is refused by net/http's header
// limit (431) and the server goes on answering.
func TestHugeQuery(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	huge := ts.URL + "/api/search?q=" + strings.Repeat("a", 10<<20)
	req, _ := http.NewRequest("GET", huge, nil)
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("10 MB query: status %d, want 431", res.StatusCode)
		}
	} else {
		// The server may close the connection before the client has
		// written 10 MB; then the client sees a broken pipe. Either way
		// nothing was searched.
		t.Logf("10 MB query: %v", err)
	}
	if r := get(t, ts.URL+"/api/search?q=rocket"); r.status != http.StatusOK {
		t.Fatalf("after the 10 MB query: status %d", r.status)
	}
}

func TestUnanswerable(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	for _, c := range []struct{ query, want string }{
		{"q=zzyzx+qwop", "matches no document and has no word of the model's vocabulary"},
		{"q=zzyzx&mode=semantic", "no word of the model's vocabulary"},
	} {
		r := get(t, ts.URL+"/api/search?"+c.query)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.errMsg(t), c.want) {
			t.Errorf("%s: status %d %s, want 422 with %q", c.query, r.status, r.body, c.want)
		}
	}
	// Keyword mode answers with no result and a note.
	var sr searchResponse
	get(t, ts.URL+"/api/search?q=zzyzx&mode=keyword").decode(t, &sr)
	if len(sr.Results) != 0 || len(sr.Notes) == 0 {
		t.Errorf("keyword mode: %+v", sr)
	}
}

func TestDoc(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	t.Run("found", func(t *testing.T) {
		for _, path := range []string{"/api/doc/space%2F1003", "/api/doc/space/1003"} {
			r := get(t, ts.URL+path)
			var d docResponse
			r.decode(t, &d)
			if r.status != http.StatusOK || d.ID != "space/1003" || d.Label != "space" || !strings.HasPrefix(d.Text, "Subject: space note 3") || d.Words == 0 {
				t.Errorf("%s: status %d, %+v", path, r.status, d)
			}
		}
	})
	for _, c := range []struct {
		name, path string
		status     int
		want       string
	}{
		{"unknown", "/api/doc/space%2F9999", 404, `no such document: "space/9999"`},
		{"dot-dot escaped", "/api/doc/..%2F..%2Fetc%2Fpasswd", 404, `no such document: "../../etc/passwd"`},
		{"dot-dot", "/api/doc/../../../etc/passwd", 404, "no such endpoint"}, // cleaned and redirected by the mux
		{"NUL", "/api/doc/space%2F1003%00", 400, "contains a control character"},
		{"invalid UTF-8", "/api/doc/%FF%FE", 400, "id: not valid UTF-8"},
		{"too long", "/api/doc/" + strings.Repeat("x", 1025), 400, "id: 1025 bytes"},
		{"parameter", "/api/doc/space%2F1003?k=3", 400, `unknown parameter "k"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := get(t, ts.URL+c.path)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, c.status, r.body)
			}
			if msg := r.errMsg(t); !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want %q", msg, c.want)
			}
			if bytes.Contains(r.body, []byte("root:")) {
				t.Errorf("a file leaked: %s", r.body)
			}
		})
	}
}

func TestSimilar(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	for _, mode := range []string{"hybrid", "keyword", "semantic"} {
		var sr searchResponse
		r := get(t, ts.URL+"/api/similar/cars%2F1002?k=5&mode="+mode)
		r.decode(t, &sr)
		if r.status != http.StatusOK || sr.Doc != "cars/1002" || len(sr.Results) != 5 {
			t.Fatalf("%s: status %d, %+v", mode, r.status, sr)
		}
		for _, res := range sr.Results {
			if res.ID == "cars/1002" {
				t.Errorf("%s: the document is among its own similar ones", mode)
			}
			if res.Label != "cars" {
				t.Errorf("%s: %+v is not about cars", mode, res)
			}
		}
	}
	for _, c := range []struct {
		path   string
		status int
		want   string
	}{
		{"/api/similar/cars%2F9999", 404, "no such document"},
		{"/api/similar/cars%2F1002?k=0", 400, "k: must be an integer"},
		{"/api/similar/cars%2F1002?q=rocket", 400, `unknown parameter "q"`},
		{"/api/similar/a%00b", 400, "control character"},
	} {
		r := get(t, ts.URL+c.path)
		if r.status != c.status || !strings.Contains(r.errMsg(t), c.want) {
			t.Errorf("%s: status %d %s, want %d with %q", c.path, r.status, r.body, c.status, c.want)
		}
	}
}

func TestInfoAndHealth(t *testing.T) {
	t.Parallel()
	s, ts := newTest(t, Options{Dir: builtIndex(t)})
	var info struct {
		Documents  int            `json:"documents"`
		Labels     map[string]int `json:"labels"`
		Generation string         `json:"generation"`
		Dim        int            `json:"code_size"`
		Writable   bool           `json:"writable"`
		MaxK       int            `json:"max_k"`
		Train      struct {
			Sizes []int `json:"sizes"`
		}
	}
	r := get(t, ts.URL+"/api/info")
	r.decode(t, &info)
	if r.status != 200 || info.Documents != 120 || len(info.Labels) != 3 || info.Labels["space"] != 40 || info.Dim != 4 ||
		info.Generation != s.Generation() || info.Writable || info.MaxK != MaxK || len(info.Train.Sizes) == 0 {
		t.Errorf("info: status %d, %+v", r.status, info)
	}
	var h map[string]any
	r = get(t, ts.URL+"/healthz")
	r.decode(t, &h)
	if r.status != 200 || h["status"] != "ok" || h["generation"] != s.Generation() || h["documents"] != float64(120) {
		t.Errorf("healthz: status %d, %v", r.status, h)
	}
	if r := get(t, ts.URL+"/api/info?verbose=1"); r.status != 400 {
		t.Errorf("info with an unknown parameter: %d", r.status)
	}
}

func TestMapImage(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	for _, q := range []string{"", "?q=rocket&k=5", "?doc=cars%2F1002&mode=semantic"} {
		r := get(t, ts.URL+"/api/map.png"+q)
		if r.status != 200 || r.header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: status %d, %s", q, r.status, r.header.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if b := img.Bounds(); b.Dx() != 900 || b.Dy() != 600 {
			t.Errorf("%s: image %v, want 900x600", q, b)
		}
	}
	for _, c := range []struct {
		query  string
		status int
		want   string
	}{
		{"?q=rocket&doc=cars%2F1002", 400, "give q or doc, not both"},
		{"?q=rocket&k=0", 400, "k: must be an integer"},
		{"?doc=nope", 404, "no such document"},
		{"?q=zzyzx+qwop", 422, "matches no document"},
		{"?size=big", 400, `unknown parameter "size"`},
	} {
		r := get(t, ts.URL+"/api/map.png"+c.query)
		if r.status != c.status || !strings.Contains(r.errMsg(t), c.want) {
			t.Errorf("%s: status %d %s, want %d with %q", c.query, r.status, r.body, c.status, c.want)
		}
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", "/api/search", 405, "GET"},
		{"PUT", "/api/documents", 405, "POST"},
		{"GET", "/api/documents/x", 405, "DELETE"},
		{"GET", "/api/nothing", 404, ""},
		{"GET", "/nothing", 404, ""},
	} {
		r := do(t, c.method, ts.URL+c.path, "", nil)
		if r.status != c.status || r.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: status %d, Allow %q; want %d, %q", c.method, c.path, r.status, r.header.Get("Allow"), c.status, c.allow)
		}
		r.errMsg(t)
	}
	r := get(t, ts.URL+"/api/openapi.yaml")
	if r.status != 200 || !bytes.HasPrefix(r.body, []byte("openapi: 3.1.0")) {
		t.Errorf("openapi.yaml: %d %.40s", r.status, r.body)
	}
}

// TestPanicRecovered: a panic in a handler is a 500 JSON error, without
// the stack, and the log has it.
func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	s := &Server{log: slogTo(&logged)}
	h := s.logRequests(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(errors.New("boom"))
	})))
	rec := newRecorder()
	h.ServeHTTP(rec, mustRequest(t, "GET", "/api/search?q=x"))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"error":"internal error`) || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logged.String(), "boom") || !strings.Contains(logged.String(), "status=500") {
		t.Errorf("log: %s", logged.String())
	}
}
