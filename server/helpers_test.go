package server

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/docsearch/docsearch/pipeline"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(filepath.Dir(builtDir))
	}
	os.Exit(code)
}

// Token of the writable test servers.
const testToken = "test-token-0123456789abcdef"

var topics = map[string][]string{
	"space":  strings.Fields("orbit rocket launch satellite planet moon shuttle nasa astronaut telescope galaxy star mission"),
	"cars":   strings.Fields("engine wheel brake tire dealer sedan mileage transmission clutch gasoline highway driver"),
	"health": strings.Fields("doctor patient disease treatment medicine symptom hospital therapy diagnosis vaccine clinic"),
}

// topicText draws a document of the topic: 30 to 80 words, 85% from the
// topic, the rest from a shared pool (as query's tests do).
func topicText(r *rand.Rand, topic string) string {
	common := strings.Fields("the people think about time year good make know work first well")
	words := topics[topic]
	var sb strings.Builder
	for w := 0; w < 30+r.IntN(50); w++ {
		if r.Float64() < 0.85 {
			sb.WriteString(words[r.IntN(len(words))])
		} else {
			sb.WriteString(common[r.IntN(len(common))])
		}
		sb.WriteByte(' ')
	}
	return sb.String()
}

// writeCorpus writes a folder corpus of n documents per topic, with ids
// "topic/1000" and so on.
func writeCorpus(t testing.TB, n int, seed uint64) string {
	root := t.TempDir()
	r := rand.New(rand.NewPCG(seed, 1))
	for _, label := range []string{"cars", "health", "space"} {
		if err := os.MkdirAll(filepath.Join(root, label), 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			text := fmt.Sprintf("Subject: %s note %d\n\n%s", label, i, topicText(r, label))
			if err := os.WriteFile(filepath.Join(root, label, fmt.Sprint(1000+i)), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
)

// builtIndex builds one small index for the whole test binary (a few
// seconds); tests copy it with testIndex.
func builtIndex(t testing.TB) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "docsearch-server-test")
		if err != nil {
			buildErr = err
			return
		}
		corpus := writeCorpus(t, 40, 1)
		builtDir = filepath.Join(dir, "ix")
		_, buildErr = pipeline.Build(pipeline.Options{Corpus: corpus, Dir: builtDir, Profile: "quick",
			Hidden: []int{30, 20}, Code: 4, VocabSize: 200, Epochs: 10, Seed: 1})
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtDir
}

// testIndex returns a private copy of the test index, for a test that
// writes to it or wants its own generation.
func testIndex(t testing.TB) string {
	src := builtIndex(t)
	dst := filepath.Join(t.TempDir(), "ix")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if d.Name() == "LOCK" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// quietLogger drops the request log, unless -v asks for it.
func quietLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newTest starts a server on dir over httptest, configured like Serve's
// (timeouts, header limit).
func newTest(t testing.TB, o Options) (*Server, *httptest.Server) {
	t.Helper()
	if o.Logger == nil {
		o.Logger = quietLogger()
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Config = NewHTTPServer(s.Handler(), o.Logger)
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s, ts
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errMsg returns the "error" of a JSON error answer, failing the test if
// the body is not one.
func (r response) errMsg(t testing.TB) string {
	t.Helper()
	var e struct {
		Error *string `json:"error"`
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d: Content-Type %q, want JSON; body %.200s", r.status, ct, r.body)
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == nil {
		t.Fatalf("status %d: body is not {\"error\": ...}: %.300s", r.status, r.body)
	}
	return *e.Error
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d: %v; body %.300s", r.status, err, r.body)
	}
}

// do sends a request and reads the answer; token "" sends none.
func do(t testing.TB, method, url, token string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

func get(t testing.TB, url string) response { t.Helper(); return do(t, "GET", url, "", nil) }

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func mustRequest(t testing.TB, method, target string) *http.Request {
	t.Helper()
	return httptest.NewRequest(method, target, nil)
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
