package server

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

var (
	fuzzOnce   sync.Once
	fuzzServer *Server
)

// FuzzAPI sends arbitrary paths and query strings to the read endpoints:
// every answer is a known status with a JSON body (or the page, or the
// map), never a panic or a 500.
func FuzzAPI(f *testing.F) {
	for _, seed := range []string{
		"/api/search?q=rocket", "/api/search?q=%FF&k=-1", "/api/search?q=a*+b~2+/re/&mode=keyword",
		"/api/similar/space%2F1000?k=3", "/api/doc/..%2F%00", "/api/map.png?q=moon&k=1",
		"/api/search?q=label:space+-moon+%22a+b%22", "/?q=+&offset=9999", "/doc/%2E%2E", "/api/info?x",
	} {
		f.Add(seed)
	}
	fuzzOnce.Do(func() {
		s, err := New(Options{Dir: builtIndex(f), Logger: quietLogger(), Reload: -1})
		if err != nil {
			f.Fatal(err)
		}
		fuzzServer = s
	})
	h := fuzzServer.Handler()
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t\r\n#") {
			return // not a request line net/http would hand over
		}
		req := httptest.NewRequest("GET", "http://example.com/", nil)
		req.URL.RawQuery = ""
		if path, query, ok := strings.Cut(target, "?"); ok {
			req.URL.Path, req.URL.RawPath, req.URL.RawQuery = path, "", query
		} else {
			req.URL.Path = target
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 301, 307, 308, 400, 404, 405, 422: // 3xx: the mux cleans a path by a redirect
		default:
			t.Fatalf("%q: status %d: %s", target, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); rec.Code >= 400 && strings.HasPrefix(ct, "application/json") {
			var e errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("%q: status %d, body %s", target, rec.Code, rec.Body)
			}
		}
	})
}
