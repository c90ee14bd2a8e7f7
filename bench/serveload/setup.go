package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/server"
)

// setup starts the in-process server or checks the -url one, and returns
// the base URL, the write token, the queries and a function that stops
// what it started.
func setup(c config) (base, token string, queries []string, stop func(), err error) {
	stop = func() {}
	if c.queries != "" {
		if queries, err = readLines(c.queries); err != nil {
			return
		}
	}
	if c.target != "" {
		u, perr := url.Parse(c.target)
		if perr != nil || u.Scheme != "http" || u.Host == "" {
			err = fmt.Errorf("-url: want http://HOST:PORT, got %q", c.target)
			return
		}
		if !loopback(u.Hostname()) {
			err = fmt.Errorf("-url: %s is not a loopback address; serveload only loads this machine", u.Hostname())
			return
		}
		base = strings.TrimSuffix(c.target, "/")
		if c.tokenFile != "" {
			b, rerr := os.ReadFile(c.tokenFile)
			if rerr != nil {
				err = fmt.Errorf("-token-file: %w", rerr)
				return
			}
			token = strings.TrimSpace(string(b))
		}
		if queries == nil {
			queries = builtin
		}
		return
	}
	dir := c.index
	if queries == nil {
		if queries, err = titles(dir, c.nQueries, c.seed); err != nil {
			return
		}
	}
	var tmp string
	if c.writer {
		if tmp, err = os.MkdirTemp("", "serveload-"); err != nil {
			return
		}
		dir = filepath.Join(tmp, "index")
		if err = copyTree(c.index, dir); err != nil {
			os.RemoveAll(tmp)
			return
		}
		token = "serveload-token-" + fmt.Sprint(time.Now().UnixNano())
	}
	s, nerr := server.New(server.Options{Dir: dir, Writable: c.writer, Token: token,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Reload: -1})
	if nerr != nil {
		err = nerr
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		return
	}
	ln, lerr := net.Listen("tcp", "127.0.0.1:0")
	if lerr != nil {
		err = lerr
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Serve(ctx, ln); close(done) }()
	base = "http://" + ln.Addr().String()
	stop = func() {
		cancel()
		<-done
		s.Close()
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	return
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// titles draws n document titles of the index as queries, "Re:" removed.
func titles(dir string, n int, seed uint64) ([]string, error) {
	ix, err := index.Open(dir)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	r := rand.New(rand.NewPCG(seed, 7))
	var out []string
	for _, pos := range r.Perm(ix.Len()) {
		if len(out) == n {
			break
		}
		t := ix.Doc(pos).Title
		for {
			s := strings.TrimSpace(t)
			if len(s) < 3 || !strings.EqualFold(s[:3], "re:") {
				t = s
				break
			}
			t = s[3:]
		}
		if t != "" {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no document has a title to query by; give -queries FILE", dir)
	}
	return out, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-queries: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("-queries: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-queries: %s holds no query", path)
	}
	return out, nil
}

// copyTree copies the index folder src to dst (the writer's copy).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if !d.Type().IsRegular() || d.Name() == "LOCK" && filepath.Dir(path) == src {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
