package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestPage(t *testing.T) {
	t.Parallel()
	_, ts := newTest(t, Options{Dir: builtIndex(t)})
	has := func(t *testing.T, r response, status int, want ...string) {
		t.Helper()
		if r.status != status || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("status %d (%s), want %d", r.status, r.header.Get("Content-Type"), status)
		}
		for _, w := range want {
			if !strings.Contains(string(r.body), w) {
				t.Errorf("the page lacks %q", w)
			}
		}
	}
	t.Run("empty", func(t *testing.T) {
		r := get(t, ts.URL+"/")
		has(t, r, 200, `<form class="search"`, `<option value="space">space (40)</option>`, `src="/api/map.png"`, "120 documents")
		if r.header.Get("Content-Security-Policy") == "" {
			t.Error("no Content-Security-Policy")
		}
	})
	t.Run("results", func(t *testing.T) {
		r := get(t, ts.URL+"/?q=rocket+launch&mode=keyword")
		has(t, r, 200, `<mark>rocket</mark>`, `class="similar" href="/?doc=space%2F`, `<a id="next" href="/?mode=keyword&amp;offset=10&amp;q=rocket&#43;launch"`,
			`src="/api/map.png?k=10&amp;mode=keyword&amp;q=rocket&#43;launch"`, `<option value="keyword" selected>`, " ms</span>")
		if strings.Contains(string(r.body), "&lt;mark&gt;") {
			t.Error("the highlight was escaped twice")
		}
	})
	t.Run("second page", func(t *testing.T) {
		has(t, get(t, ts.URL+"/?q=rocket&offset=10"), 200, `<ol id="results" start="11">`, `id="prev" href="/?q=rocket"`)
	})
	t.Run("similar", func(t *testing.T) {
		has(t, get(t, ts.URL+"/?doc=cars%2F1002"), 200, "Documents like", `href="/doc/cars%2F1002"`, `<span class="label">cars</span>`)
	})
	t.Run("escaped", func(t *testing.T) {
		r := get(t, ts.URL+"/?q=%3Cscript%3Ealert(1)%3C/script%3E+rocket")
		has(t, r, 200, `value="&lt;script&gt;alert(1)&lt;/script&gt; rocket"`)
		if strings.Contains(string(r.body), "<script>") {
			t.Error("the query went into the page unescaped")
		}
	})
	t.Run("bad input", func(t *testing.T) {
		has(t, get(t, ts.URL+"/?q=rocket&offset=-3"), 400, `class="error"`, "offset: must be an integer")
		has(t, get(t, ts.URL+"/?q=rocket&mode=fuzzy"), 400, `unknown mode &#34;fuzzy&#34;`)
		has(t, get(t, ts.URL+"/?q=%FF"), 400, "q: not valid UTF-8")
		has(t, get(t, ts.URL+"/?doc=nope"), 404, "no such document")
		has(t, get(t, ts.URL+"/?q=zzyzx+qwop"), 422, "matches no document")
	})
	t.Run("document", func(t *testing.T) {
		has(t, get(t, ts.URL+"/doc/space%2F1003"), 200, "<h1>space note 3</h1>", `<pre class="text">Subject: space note 3`, `href="/?doc=space%2F1003"`)
		has(t, get(t, ts.URL+"/doc/space%2F9999"), 404, "no such document")
		has(t, get(t, ts.URL+"/doc/a%00"), 400, "control character")
	})
	t.Run("static", func(t *testing.T) {
		r := get(t, ts.URL+"/static/style.css")
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
			t.Errorf("style.css: %d %s", r.status, r.header.Get("Content-Type"))
		}
	})
}
