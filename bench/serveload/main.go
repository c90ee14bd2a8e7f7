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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

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
	kept, ids, err := warmUp(client, queries, searchURL, c.writer)
	if err != nil {
		return err
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
		stopProfile, err := startProfile(c.cpuprofile)
		if err != nil {
			return err
		}
		defer stopProfile()
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

	rep.searches(lat, elapsed)
	rep.Errors, rep.Refused, rep.Generations = errs, refused, gens
	if c.writer {
		rep.writes(w)
	}
	if c.jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.print(c, elapsed)
	if rep.Errors > 0 || rep.WriteErrors > 0 {
		return fmt.Errorf("%d search errors, %d write errors", rep.Errors, rep.WriteErrors)
	}
	return nil
}

// warmUp sends every query once and keeps those the server answers (a
// 4xx refusal drops a query; a 5xx fails the run). For a writer it also
// collects the top result ids of the first 200 kept queries, whose texts
// the writer adds again.
func warmUp(client *http.Client, queries []string, searchURL func(string) string, writer bool) (kept, ids []string, err error) {
	kept = queries[:0:0]
	for _, q := range queries {
		status, body, err := fetch(client, searchURL(q))
		if err != nil {
			return nil, nil, fmt.Errorf("warm-up: %w", err)
		}
		if status >= 500 {
			return nil, nil, fmt.Errorf("warm-up: %q: status %d: %s", q, status, body)
		}
		if status != 200 {
			continue
		}
		kept = append(kept, q)
		if writer && len(ids) < 200 {
			var sr struct{ Results []struct{ ID string } }
			if json.Unmarshal(body, &sr) == nil && len(sr.Results) > 0 {
				ids = append(ids, sr.Results[0].ID)
			}
		}
	}
	if len(kept) == 0 {
		return nil, nil, errors.New("the server refused every query")
	}
	return kept, ids, nil
}

// startProfile starts a CPU profile written to path; stop ends it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// searches fills the search figures from the latencies of a run that took
// elapsed.
func (rep *report) searches(lat []time.Duration, elapsed time.Duration) {
	slices.Sort(lat)
	rep.Seconds = elapsed.Seconds()
	rep.Requests = len(lat)
	rep.PerSecond = float64(len(lat)) / elapsed.Seconds()
	rep.P50MS, rep.P90MS, rep.P99MS = pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99)
	if len(lat) > 0 {
		rep.MaxMS = msOf(lat[len(lat)-1])
	}
}

// writes fills the writer's figures.
func (rep *report) writes(w writerStats) {
	slices.Sort(w.lat)
	rep.Adds, rep.AddedDocs, rep.WriteErrors = len(w.lat), w.docs, w.errs
	rep.AddP50MS = pct(w.lat, 0.5)
	if len(w.lat) > 0 {
		rep.AddMaxMS = msOf(w.lat[len(w.lat)-1])
	}
}

// print writes the report as text.
func (rep *report) print(c config, elapsed time.Duration) {
	fmt.Printf("serveload: %d clients for %s, %s mode, k %d, snippets %s, %d queries (%d refused in the warm-up and left out), GOMAXPROCS %d\n",
		c.clients, elapsed.Round(time.Millisecond), c.mode, c.k, c.snippets, rep.Queries, rep.Dropped, runtime.GOMAXPROCS(0))
	fmt.Printf("searches  %d requests  %.1f/s  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.1f ms  errors %d  refused %d\n",
		rep.Requests, rep.PerSecond, rep.P50MS, rep.P90MS, rep.P99MS, rep.MaxMS, rep.Errors, rep.Refused)
	if c.writer {
		fmt.Printf("writer    %d adds of %d documents (%d added)  p50 %.0f ms  max %.0f ms  errors %d; searches saw %d generations\n",
			rep.Adds, c.batch, rep.AddedDocs, rep.AddP50MS, rep.AddMaxMS, rep.WriteErrors, rep.Generations)
	}
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
