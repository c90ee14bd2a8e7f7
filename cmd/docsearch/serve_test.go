package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a buffer the server's logger and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeAndMap serves an index built by the index command, answers a
// search through it and stops on cancellation (as on SIGTERM); draws the
// map; and refuses bad flags.
func TestServeAndMap(t *testing.T) {
	corpus := writeCorpus(t)
	dir := filepath.Join(t.TempDir(), "ix")
	if out, err := run(t, "index", "--quiet", "--corpus", corpus, "--index", dir, "--profile", "quick",
		"--vocab", "100", "--hidden", "20", "--code", "3", "--epochs", "3"); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}

	t.Run("serve", func(t *testing.T) {
		app := newApp()
		var log lockedBuffer
		app.Writer, app.ErrWriter = &log, &log
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- app.RunContext(ctx, []string{"docsearch", "serve", "--index", dir, "--addr", "127.0.0.1:0", "--log", "json"})
		}()
		url := regexp.MustCompile(`"url":"(http://127\.0\.0\.1:\d+/)"`)
		var base string
		for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if m := url.FindStringSubmatch(log.String()); m != nil {
				base = m[1]
			}
		}
		if base == "" {
			cancel()
			t.Fatalf("the server did not say where it listens: %s", log.String())
		}
		res, err := http.Get(base + "api/search?q=apple&k=3")
		if err != nil {
			t.Fatal(err)
		}
		var sr struct{ Results []struct{ Label string } }
		err = json.NewDecoder(res.Body).Decode(&sr)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 || len(sr.Results) != 3 || sr.Results[0].Label != "fruit" {
			t.Errorf("search: status %d, %v, %+v", res.StatusCode, err, sr)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve after cancellation: %v", err)
		}
		if !strings.Contains(log.String(), `"msg":"request","method":"GET","path":"/api/search","status":200`) {
			t.Errorf("no request line in the log:\n%s", log.String())
		}
	})

	t.Run("map", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "map.png")
		out, err := run(t, "map", "--index", dir, "--png", p, "--query", "apple", "--k", "5")
		if err != nil || !strings.Contains(out, "120 of 120 documents placed") || !strings.Contains(out, "5 results marked") {
			t.Fatalf("map: %v\n%s", err, out)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := png.Decode(f); err != nil {
			t.Errorf("map.png: %v", err)
		}
	})

	short := filepath.Join(t.TempDir(), "short")
	os.WriteFile(short, []byte("abc\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--index", dir, "--writable"}, "--writable needs --token-file"},
		{[]string{"serve", "--index", dir, "--writable", "--token-file", short}, "--token-file: the token has 3 bytes, at least 16"},
		{[]string{"serve", "--index", dir, "--token-file", filepath.Join(dir, "nope")}, "--token-file: open"},
		{[]string{"serve", "--index", dir, "--log", "xml"}, `--log: unknown format "xml"`},
		{[]string{"serve", "--index", t.TempDir(), "--addr", "127.0.0.1:0"}, "no index found"},
		{[]string{"serve", "--index", dir, "--addr", "256.0.0.1:99999"}, "--addr"},
		{[]string{"map", "--index", dir, "--png", "x.png", "--query", "a", "--doc", "b"}, "give --query or --doc, not both"},
		{[]string{"map", "--index", dir, "--png", "x.png", "--mode", "fast"}, "--mode: unknown mode"},
	} {
		if out, err := run(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v (%s), want %q", c.args, err, out, c.want)
		}
	}
}
