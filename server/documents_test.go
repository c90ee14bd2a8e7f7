package server

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/pipeline"
)

// records returns n JSON Lines records about space, with ids prefix-0 ...
func records(prefix string, n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 2))
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, `{"id": "%s-%d", "label": "space", "title": "new %d", "text": "%s zanzibar"}`+"\n", prefix, i, i, topicText(r, "space"))
	}
	return sb.String()
}

func post(t testing.TB, ts string, query, token, body string) response {
	t.Helper()
	return do(t, "POST", ts+"/api/documents"+query, token, strings.NewReader(body))
}

func TestOptions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{}, "Dir: an index directory is required"},
		{Options{Dir: "x", Writable: true}, "Token: a writable server needs a bearer token"},
		{Options{Dir: "x", Writable: true, Token: "short"}, "Token: the token has 5 bytes, at least 16"},
		{Options{Dir: "x", Writable: true, Token: "a token with spaces in it"}, "Token: the token contains white space"},
		{Options{Dir: "x", MaxBodyBytes: -1}, "MaxBodyBytes: must not be negative"},
	} {
		_, err := New(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
	if _, err := New(Options{Dir: t.TempDir()}); err == nil {
		t.Error("a folder without an index was served")
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	dir := builtIndex(t)
	_, ts := newTest(t, Options{Dir: dir})
	before, _ := index.Generation(dir)
	for _, r := range []response{
		post(t, ts.URL, "", testToken, records("ro", 2, 1)),
		do(t, "DELETE", ts.URL+"/api/documents/space%2F1000", testToken, nil),
	} {
		if r.status != http.StatusForbidden || !strings.Contains(r.errMsg(t), "read-only") {
			t.Errorf("status %d %s, want 403", r.status, r.body)
		}
	}
	if after, _ := index.Generation(dir); after != before {
		t.Errorf("a read-only server wrote generation %s", after)
	}
}

func TestWrites(t *testing.T) {
	t.Parallel()
	dir := testIndex(t)
	_, ts := newTest(t, Options{Dir: dir, Writable: true, Token: testToken, MaxBodyBytes: 64 << 10, Reload: -1})
	gen0, _ := index.Generation(dir)

	t.Run("token", func(t *testing.T) {
		for _, c := range []struct {
			header string
			status int
			want   string
		}{
			{"", 401, "a bearer token is required"},
			{"Basic dXNlcjpwYXNz", 401, "a bearer token is required"},
			{"Bearer ", 401, "a bearer token is required"},
			{"Bearer wrong-token-0123456789abcdef", 403, "the bearer token is wrong"},
			{"Bearer " + testToken[:len(testToken)-1], 403, "the bearer token is wrong"},
		} {
			req, _ := http.NewRequest("POST", ts.URL+"/api/documents", strings.NewReader(records("tok", 1, 1)))
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			r := response{res.StatusCode, res.Header, b}
			if r.status != c.status || !strings.Contains(r.errMsg(t), c.want) {
				t.Errorf("%q: status %d %s, want %d %q", c.header, r.status, b, c.status, c.want)
			}
			if c.status == 401 && res.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%q: 401 without WWW-Authenticate", c.header)
			}
		}
		if r := do(t, "DELETE", ts.URL+"/api/documents/space%2F1000", "", nil); r.status != 401 {
			t.Errorf("DELETE without a token: %d", r.status)
		}
	})

	t.Run("bad body", func(t *testing.T) {
		good := `{"id": "ok-1", "text": "rocket launch"}`
		for _, c := range []struct {
			name, body string
			status     int
			want       string
		}{
			{"empty", "", 400, "the body holds no record"},
			{"blank lines", "\n \n", 400, "the body holds no record"},
			{"broken JSON", good + "\n{\"id\": \"x\", \"text\": \"a\"\n", 400, "line 2: invalid JSON"},
			{"array", good + "\n\n[1, 2]\n", 400, "line 3: want a JSON object"},
			{"no id", good + "\n" + `{"text": "rocket"}`, 400, `line 2: "id" is required`},
			{"object id", `{"id": {"a": 1}, "text": "rocket"}`, 400, `line 1: "id" must be a string or a number`},
			{"no text", `{"id": "a"}`, 400, `line 1: "text" is required`},
			{"blank text", `{"id": "a", "text": "  "}`, 400, `line 1: "text" is blank`},
			{"NUL text", `{"id": "a", "text": "a\u0000b"}`, 400, `line 1: "text" contains a NUL byte`},
			{"NUL id", `{"id": "a\u0000", "text": "rocket"}`, 400, "line 1: id: \"a\\x00\" contains a control character"},
			{"long id", `{"id": "` + strings.Repeat("x", 1025) + `", "text": "rocket"}`, 400, "line 1: id: 1025 bytes"},
			{"repeated id", good + "\n" + good, 400, `line 2: id "ok-1" repeats line 1`},
			{"invalid UTF-8", good + "\n{\"id\": \"b\", \"text\": \"\xff\"}", 400, "line 2: not valid UTF-8"},
			{"label object", `{"id": "a", "text": "rocket", "label": []}`, 400, `line 1: "label" must be a string or a number`},
			{"too large", records("big", 400, 1), 413, "the body is larger than 65536 bytes"},
		} {
			r := post(t, ts.URL, "", testToken, c.body)
			if r.status != c.status || !strings.Contains(r.errMsg(t), c.want) {
				t.Errorf("%s: status %d %s, want %d %q", c.name, r.status, r.body, c.status, c.want)
			}
		}
		if r := post(t, ts.URL, "?replace=maybe", testToken, good); r.status != 400 || !strings.Contains(r.errMsg(t), "replace: must be true or false") {
			t.Errorf("replace=maybe: %d %s", r.status, r.body)
		}
		if gen, _ := index.Generation(dir); gen != gen0 {
			t.Fatalf("a refused POST wrote generation %s", gen)
		}
	})

	t.Run("add, replace, remove", func(t *testing.T) {
		r := post(t, ts.URL, "", testToken, records("new", 3, 7)+`{"id": 42, "text": "rocket zanzibar", "label": "space"}`+"\n")
		var ar addResponse
		r.decode(t, &ar)
		if r.status != 200 || ar.Added != 4 || ar.Total != 124 || ar.Generation == gen0 {
			t.Fatalf("add: status %d, %+v", r.status, ar)
		}
		// Seen at once: the server switched to its own commit.
		var sr searchResponse
		get(t, ts.URL+"/api/search?q=zanzibar&mode=keyword&k=10").decode(t, &sr)
		if sr.Total != 4 || sr.Generation != ar.Generation {
			t.Fatalf("search after add: %+v", sr)
		}
		var d docResponse
		get(t, ts.URL+"/api/doc/42").decode(t, &d)
		if d.Text != "rocket zanzibar" {
			t.Errorf("the numeric id: %+v", d)
		}

		r = post(t, ts.URL, "", testToken, records("new", 1, 8))
		if r.status != http.StatusConflict || !strings.Contains(r.errMsg(t), "replace=true") {
			t.Errorf("duplicate: status %d %s, want 409 naming replace=true", r.status, r.body)
		}
		r = post(t, ts.URL, "?replace=true", testToken, records("new", 1, 8))
		r.decode(t, &ar)
		if r.status != 200 || ar.Added != 1 || ar.Replaced != 1 || ar.Total != 124 {
			t.Errorf("replace: status %d %+v", r.status, ar)
		}

		r = do(t, "DELETE", ts.URL+"/api/documents/new-0", testToken, nil)
		if r.status != 200 {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		if r := get(t, ts.URL+"/api/doc/new-0"); r.status != 404 {
			t.Errorf("a removed document is still served: %d", r.status)
		}
		r = do(t, "DELETE", ts.URL+"/api/documents/new-0", testToken, nil)
		if r.status != 404 || !strings.Contains(r.errMsg(t), "no such document") {
			t.Errorf("delete again: %d %s", r.status, r.body)
		}
		r = do(t, "DELETE", ts.URL+"/api/documents/a%00b", testToken, nil)
		if r.status != 400 {
			t.Errorf("delete a NUL id: %d %s", r.status, r.body)
		}
	})
}

// TestWriteWhileLocked: a POST while another process holds the index's
// write lock is a 503 with Retry-After, and nothing changes; it succeeds
// once the lock is gone.
func TestWriteWhileLocked(t *testing.T) {
	t.Parallel()
	dir := testIndex(t)
	_, ts := newTest(t, Options{Dir: dir, Writable: true, Token: testToken, Reload: -1})
	w, err := index.Update(dir) // the other writer (a rebuild, an add)
	if err != nil {
		t.Fatal(err)
	}
	gen0, _ := index.Generation(dir)
	r := post(t, ts.URL, "", testToken, records("locked", 2, 1))
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.errMsg(t), "being written by another process") {
		t.Errorf("POST while locked: status %d, Retry-After %q, %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	r = do(t, "DELETE", ts.URL+"/api/documents/space%2F1000", testToken, nil)
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("DELETE while locked: status %d %s", r.status, r.body)
	}
	if gen, _ := index.Generation(dir); gen != gen0 {
		t.Errorf("generation %s after refused writes", gen)
	}
	if r := get(t, ts.URL+"/api/search?q=rocket"); r.status != 200 {
		t.Errorf("search while locked: %d", r.status)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if r := post(t, ts.URL, "", testToken, records("locked", 2, 1)); r.status != 200 {
		t.Errorf("POST after the lock: %d %s", r.status, r.body)
	}
}

// TestReloadFromOtherProcess: commits by another writer (pipeline.Add and
// pipeline.Build called directly, as docsearch add and index do) are
// picked up without a restart, a rebuild with another model too.
func TestReloadFromOtherProcess(t *testing.T) {
	t.Parallel()
	dir := testIndex(t)
	s, ts := newTest(t, Options{Dir: dir, Reload: 20 * time.Millisecond})
	gen0 := s.Generation()
	corpus := t.TempDir() + "/add.jsonl"
	writeFile(t, corpus, records("other", 5, 3))
	sum, err := pipeline.Add(pipeline.AddOptions{Dir: dir, Corpus: corpus})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Generation() == gen0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Generation() != sum.Generation {
		t.Fatalf("serving %s, the other writer committed %s", s.Generation(), sum.Generation)
	}
	var sr searchResponse
	get(t, ts.URL+"/api/search?q=zanzibar&mode=keyword").decode(t, &sr)
	if sr.Total != 5 {
		t.Errorf("after the reload: %+v", sr)
	}

	// A rebuild (docsearch index) with another model: other code size,
	// other documents.
	if _, err := pipeline.Build(pipeline.Options{Corpus: writeCorpus(t, 20, 2), Dir: dir, Profile: "quick",
		Hidden: []int{10}, Code: 3, VocabSize: 100, Epochs: 2, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	rebuilt, _ := index.Generation(dir)
	for s.Generation() != rebuilt && time.Now().Before(deadline.Add(10*time.Second)) {
		time.Sleep(10 * time.Millisecond)
	}
	var info struct {
		Documents int `json:"documents"`
		Dim       int `json:"code_size"`
	}
	get(t, ts.URL+"/api/info").decode(t, &info)
	if s.Generation() != rebuilt || info.Documents != 60 || info.Dim != 3 {
		t.Errorf("after the rebuild: serving %s (want %s), %+v", s.Generation(), rebuilt, info)
	}
	if r := get(t, ts.URL+"/api/search?q=rocket&mode=semantic"); r.status != 200 {
		t.Errorf("semantic search on the rebuilt index: %d %s", r.status, r.body)
	}
}

// TestReadersDuringWrites: searches running while the server adds
// documents all succeed, and each sees a whole generation: the documents
// with the marker word come in adds of 10, so a reader counts a multiple
// of 10, never a part of an add.
func TestReadersDuringWrites(t *testing.T) {
	t.Parallel()
	dir := testIndex(t)
	_, ts := newTest(t, Options{Dir: dir, Writable: true, Token: testToken, Reload: -1})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var searches atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				r := get(t, ts.URL+"/api/search?q=zanzibar&mode=keyword&k=50")
				var sr searchResponse
				r.decode(t, &sr)
				if r.status != 200 || sr.Total%10 != 0 || len(sr.Results) != sr.Total {
					t.Errorf("status %d, %d documents with the marker, %d results", r.status, sr.Total, len(sr.Results))
				}
				searches.Add(1)
			}
		}()
	}
	for round := range 3 {
		r := post(t, ts.URL, "", testToken, records("round"+strconv.Itoa(round), 10, uint64(round)))
		if r.status != 200 {
			t.Errorf("add %d: %d %s", round, r.status, r.body)
		}
	}
	cancel()
	wg.Wait()
	var sr searchResponse
	get(t, ts.URL+"/api/search?q=zanzibar&mode=keyword&k=50").decode(t, &sr)
	if sr.Total != 30 {
		t.Errorf("%d documents with the marker after 3 adds of 10", sr.Total)
	}
	t.Logf("%d searches during the adds", searches.Load())
}

// TestGracefulShutdown: when Serve's context ends, a request in flight
// (here a POST whose body is still arriving) finishes and is answered, new
// connections are refused, and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	dir := testIndex(t)
	s, err := New(Options{Dir: dir, Writable: true, Token: testToken, Logger: quietLogger(), Reload: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	pr, pw := io.Pipe()
	answered := make(chan response, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/api/documents", pr)
		req.Header.Set("Authorization", "Bearer "+testToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			answered <- response{}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		answered <- response{res.StatusCode, res.Header, b}
	}()
	body := records("late", 4, 9)
	half := strings.Index(body, "\n") + 1
	if _, err := io.WriteString(pw, body[:half]); err != nil { // the request is in flight
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	stop() // SIGTERM
	time.Sleep(100 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("a new connection was accepted during shutdown")
	}
	io.WriteString(pw, body[half:])
	pw.Close()
	r := <-answered
	var ar addResponse
	r.decode(t, &ar)
	if r.status != 200 || ar.Added != 4 {
		t.Errorf("the request in flight: status %d %s", r.status, r.body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
