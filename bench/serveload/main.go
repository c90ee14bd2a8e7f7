// Command serveload is a load test of docsearch serve on loopback: N
// clients search for a fixed time, each sending its next request when the
// last one is answered, optionally while a writer adds documents; it
// prints requests per second, latency percentiles and errors.
//
//	serveload -index DIR [-clients 8] [-duration 30s] [-mode hybrid] [-k 10] [-writer]
//	serveload -url http://127.0.0.1:8080 [-queries FILE] [-writer -token-file F] ...
//
// With -index it serves DIR in its own process (the server's handler on a
// loopback listener, as docsearch serve runs it, logging to nowhere); with
// -writer it serves a copy of DIR, so the index given is never changed.
// With -url it loads a running server, which must listen on loopback; its
// -writer adds to the served index.
//
// Queries: -queries FILE (one per line), else with -index the titles of
// 1,000 documents of the index drawn with -seed ("Re:" removed), as the
// short-query protocol of docsearch eval uses them, else a built-in list.
// A warm-up pass sends every query once; those the server refuses (4xx:
// nothing to search by) are left out and counted.
//
// The writer POSTs -batch documents at a time, back to back: texts of
// indexed documents under new ids, so that the index grows as it would in
// use. Each POST is one commit, and the server switches generation after
// each.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/server"
)

// maxDuration bounds a run.
const maxDuration = 10 * time.Minute

type config struct {
	index, target, queries, tokenFile, mode, snippets, cpuprofile string
	clients, k, batch, nQueries                                   int
	duration, warmup                                              time.Duration
	writer, jsonOut                                               bool
	seed                                                          uint64
}

func main() {
	var c config
	flag.StringVar(&c.index, "index", "", "serve this index in-process (a copy of it with -writer)")
	flag.StringVar(&c.target, "url", "", "load a running server at this loopback URL instead")
	flag.StringVar(&c.queries, "queries", "", "file of queries, one per line (default: titles of the index's documents, or a built-in list)")
	flag.StringVar(&c.tokenFile, "token-file", "", "bearer token of the server at -url, for -writer")
	flag.StringVar(&c.mode, "mode", "hybrid", "ranking: hybrid, keyword or semantic")
	flag.StringVar(&c.snippets, "snippets", "html", "snippet style: html, plain or none")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the run (client and, with -index, server)")
	flag.IntVar(&c.clients, "clients", 8, "concurrent clients")
	flag.IntVar(&c.k, "k", 10, "results per search")
	flag.IntVar(&c.batch, "batch", 10, "documents per POST of the writer")
	flag.IntVar(&c.nQueries, "n-queries", 1000, "number of titles drawn as queries")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "length of the measured run (at most 10m)")
	flag.DurationVar(&c.warmup, "warmup", 0, "extra warm-up time after the pass over the queries")
	flag.BoolVar(&c.writer, "writer", false, "add documents while the clients search")
	flag.BoolVar(&c.jsonOut, "json", false, "print the result as JSON")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the query draw and of the clients' order")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(1)
	}
}

func (c config) validate() error {
	var errs []error
	if (c.index == "") == (c.target == "") {
		errs = append(errs, errors.New("give -index DIR or -url URL"))
	}
	if c.clients < 1 || c.clients > 1024 {
		errs = append(errs, fmt.Errorf("-clients: must be in [1, 1024], got %d", c.clients))
	}
	if c.duration <= 0 || c.duration > maxDuration {
		errs = append(errs, fmt.Errorf("-duration: must be in (0, %s], got %s", maxDuration, c.duration))
	}
	if c.warmup < 0 || c.warmup > maxDuration {
		errs = append(errs, fmt.Errorf("-warmup: must be in [0, %s]", maxDuration))
	}
	if c.k < 1 || c.k > server.MaxK {
		errs = append(errs, fmt.Errorf("-k: must be in [1, %d], got %d", server.MaxK, c.k))
	}
	if c.batch < 1 || c.batch > 10000 {
		errs = append(errs, fmt.Errorf("-batch: must be in [1, 10000], got %d", c.batch))
	}
	if c.writer && c.target != "" && c.tokenFile == "" {
		errs = append(errs, errors.New("-writer with -url needs -token-file"))
	}
	return errors.Join(errs...)
}

// report is what a run measured.
type report struct {
	Mode        string  `json:"mode"`
	Clients     int     `json:"clients"`
	Seconds     float64 `json:"seconds"`
	Queries     int     `json:"queries"`
	Dropped     int     `json:"queries_dropped"` // refused in the warm-up pass
	Requests    int     `json:"requests"`
	PerSecond   float64 `json:"requests_per_s"`
	P50MS       float64 `json:"p50_ms"`
	P90MS       float64 `json:"p90_ms"`
	P99MS       float64 `json:"p99_ms"`
	MaxMS       float64 `json:"max_ms"`
	Errors      int     `json:"errors"`  // transport errors and 5xx
	Refused     int     `json:"refused"` // 4xx
	Adds        int     `json:"adds,omitempty"`
	AddedDocs   int     `json:"added_docs,omitempty"`
	AddP50MS    float64 `json:"add_p50_ms,omitempty"`
	AddMaxMS    float64 `json:"add_max_ms,omitempty"`
	WriteErrors int     `json:"write_errors,omitempty"`
	Generations int     `json:"generations_seen,omitempty"`
}

func run(c config) error {
	if err := c.validate(); err != nil {
		return err
	}
	base, token, queries, stop, err := setup(c)
	if err != nil {
		return err
	}
	defer stop()
	tr := &http.Transport{MaxIdleConns: c.clients + 4, MaxIdleConnsPerHost: c.clients + 4, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	defer tr.CloseIdleConnections()
	searchURL := func(q string) string {
		v := url.Values{"q": {q}, "mode": {c.mode}, "k": {fmt.Sprint(c.k)}, "snippets": {c.snippets}}
		return base + "/api/search?" + v.Encode()
	}

	// Warm-up: every query once; refused ones are left out.
	kept := queries[:0:0]
	var ids []string
	for _, q := range queries {
		status, body, err := fetch(client, searchURL(q))
		if err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		if status >= 500 {
			return fmt.Errorf("warm-up: %q: status %d: %s", q, status, body)
		}
		if status != 200 {
			continue
		}
		kept = append(kept, q)
		if c.writer && len(ids) < 200 {
			var sr struct{ Results []struct{ ID string } }
			if json.Unmarshal(body, &sr) == nil && len(sr.Results) > 0 {
				ids = append(ids, sr.Results[0].ID)
			}
		}
	}
	if len(kept) == 0 {
		return errors.New("the server refused every query")
	}
	rep := report{Mode: c.mode, Clients: c.clients, Queries: len(kept), Dropped: len(queries) - len(kept)}
	if c.warmup > 0 {
		hammer(client, kept, searchURL, c.clients, c.warmup, c.seed+99)
	}

	var docs []docText
	if c.writer {
		if docs, err = texts(client, base, ids); err != nil {
			return err
		}
	}
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	var wg sync.WaitGroup
	var w writerStats
	if c.writer {
		wg.Add(1)
		go func() { defer wg.Done(); w = write(ctx, client, base, token, docs, c.batch) }()
	}
	start := time.Now()
	lat, errs, refused, gens := hammer(client, kept, searchURL, c.clients, c.duration, c.seed)
	elapsed := time.Since(start)
	cancel()
	wg.Wait()

	slices.Sort(lat)
	rep.Seconds = elapsed.Seconds()
	rep.Requests = len(lat)
	rep.PerSecond = float64(len(lat)) / elapsed.Seconds()
	rep.P50MS, rep.P90MS, rep.P99MS = pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99)
	if len(lat) > 0 {
		rep.MaxMS = msOf(lat[len(lat)-1])
	}
	rep.Errors, rep.Refused, rep.Generations = errs, refused, gens
	if c.writer {
		slices.Sort(w.lat)
		rep.Adds, rep.AddedDocs, rep.WriteErrors = len(w.lat), w.docs, w.errs
		rep.AddP50MS = pct(w.lat, 0.5)
		if len(w.lat) > 0 {
			rep.AddMaxMS = msOf(w.lat[len(w.lat)-1])
		}
	}
	if c.jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Printf("serveload: %d clients for %s, %s mode, k %d, snippets %s, %d queries (%d refused in the warm-up and left out), GOMAXPROCS %d\n",
		c.clients, elapsed.Round(time.Millisecond), c.mode, c.k, c.snippets, rep.Queries, rep.Dropped, runtime.GOMAXPROCS(0))
	fmt.Printf("searches  %d requests  %.1f/s  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.1f ms  errors %d  refused %d\n",
		rep.Requests, rep.PerSecond, rep.P50MS, rep.P90MS, rep.P99MS, rep.MaxMS, rep.Errors, rep.Refused)
	if c.writer {
		fmt.Printf("writer    %d adds of %d documents (%d added)  p50 %.0f ms  max %.0f ms  errors %d; searches saw %d generations\n",
			rep.Adds, c.batch, rep.AddedDocs, rep.AddP50MS, rep.AddMaxMS, rep.WriteErrors, rep.Generations)
	}
	if rep.Errors > 0 || rep.WriteErrors > 0 {
		return fmt.Errorf("%d search errors, %d write errors", rep.Errors, rep.WriteErrors)
	}
	return nil
}

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

// hammer runs n clients for d, each sending the queries in its own
// shuffled order, and returns the latencies of the answered requests,
// the number of errors (transport, 5xx) and refusals (4xx), and the number
// of distinct generations that answered.
func hammer(client *http.Client, queries []string, searchURL func(string) string, n int, d time.Duration, seed uint64) ([]time.Duration, int, int, int) {
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var all []time.Duration
	var errs, refused atomic.Int64
	gens := sync.Map{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			order := r.Perm(len(queries))
			lat := make([]time.Duration, 0, 1<<14)
			for j := 0; time.Now().Before(deadline); j++ {
				u := searchURL(queries[order[j%len(order)]])
				t := time.Now()
				status, body, err := fetch(client, u)
				el := time.Since(t)
				switch {
				case err != nil || status >= 500:
					errs.Add(1)
					if errs.Load() <= 3 {
						fmt.Fprintf(os.Stderr, "serveload: error: %v %d %.200s\n", err, status, body)
					}
					continue
				case status != 200:
					refused.Add(1)
					continue
				}
				lat = append(lat, el)
				if i := bytes.Index(body, []byte(`"generation":"`)); i >= 0 {
					g := body[i+14:]
					if k := bytes.IndexByte(g, '"'); k >= 0 {
						gens.Store(string(g[:k]), true)
					}
				}
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	ng := 0
	gens.Range(func(any, any) bool { ng++; return true })
	return all, int(errs.Load()), int(refused.Load()), ng
}

func fetch(client *http.Client, u string) (int, []byte, error) {
	res, err := client.Get(u)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

type docText struct{ Text, Label, Title string }

// texts fetches the documents the writer re-adds under new ids.
func texts(client *http.Client, base string, ids []string) ([]docText, error) {
	if len(ids) == 0 {
		return nil, errors.New("-writer: no document to copy (no query had a result)")
	}
	var out []docText
	for _, id := range ids {
		status, body, err := fetch(client, base+"/api/doc/"+url.PathEscape(id))
		if err != nil || status != 200 {
			return nil, fmt.Errorf("-writer: fetching %q: %v %d", id, err, status)
		}
		var d docText
		if err := json.Unmarshal(body, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

type writerStats struct {
	lat        []time.Duration
	docs, errs int
}

// write POSTs batches of documents back to back until ctx ends.
func write(ctx context.Context, client *http.Client, base, token string, docs []docText, batch int) writerStats {
	var st writerStats
	run := time.Now().UnixNano()
	for n := 0; ctx.Err() == nil; n++ {
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		for i := range batch {
			d := docs[(n*batch+i)%len(docs)]
			_ = enc.Encode(map[string]string{"id": fmt.Sprintf("serveload-%d-%d-%d", run, n, i), "text": d.Text, "label": d.Label, "title": d.Title})
		}
		req, _ := http.NewRequest("POST", base+"/api/documents", &body)
		req.Header.Set("Authorization", "Bearer "+token)
		t := time.Now()
		res, err := client.Do(req)
		if err != nil {
			st.errs++
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			st.errs++
			fmt.Fprintf(os.Stderr, "serveload: add: status %d: %.200s\n", res.StatusCode, b)
			continue
		}
		st.lat = append(st.lat, time.Since(t))
		st.docs += batch
	}
	return st
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

func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)) + 0.5)
	return msOf(sorted[min(max(i-1, 0), len(sorted)-1)])
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

// builtin is the query list for a server at -url without -queries: short
// everyday queries of the kind people type.
var builtin = []string{
	"space shuttle launch", "gun control", "windows driver", "hockey playoffs", "encryption key",
	"jesus christ", "israel", "motorcycle helmet", "car engine oil", "baseball pitcher",
	"mac monitor", "doctor disease", "god exists", "image format", "x window server",
	"for sale", "circuit voltage", "scsi drive", "clipper chip", "bible", "printer", "health insurance",
	"election", "computer graphics", "fast car", "nasa budget", "the best player", "memory upgrade",
}
