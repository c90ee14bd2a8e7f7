package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/docsearch/docsearch/index"
)

// topk times index.Search (top k by cosine, no exclusion) over an index of
// n random Gaussian codes of length dim, one query at a time, and prints
// the median, mean and 99th percentile latency. The index is written once
// into the cache folder and reused while its Meta matches. Queries run
// after index.Prepare, as on a server once Search's first call has built
// its cells in the background; prepare_s is that build's time.
func topk(args []string) error {
	fs := flag.NewFlagSet("topk", flag.ExitOnError)
	n := fs.Int("n", 1_000_000, "codes in the index")
	dim := fs.Int("dim", 10, "code length")
	k := fs.Int("k", 10, "hits per query")
	queries := fs.Int("queries", 300, "timed queries")
	cache := fs.String("cache", filepath.Join(os.TempDir(), "docsearch-bench"), "folder for the index")
	fs.Parse(args)

	dir := filepath.Join(*cache, fmt.Sprintf("topk-n%d-dim%d", *n, *dim))
	fp := fmt.Sprintf("bench-topk-%d-%d-v1", *n, *dim)
	var buildS float64
	ix, err := index.Open(dir)
	if err != nil || ix.Meta().Fingerprint != fp || ix.Len() != *n {
		if err != nil && !errors.Is(err, index.ErrNotFound) {
			fmt.Fprintf(os.Stderr, "benchtool topk: rebuilding %s: %v\n", dir, err)
		}
		start := time.Now()
		if err := writeCodes(dir, fp, *n, *dim); err != nil {
			return err
		}
		buildS = time.Since(start).Seconds()
		if ix, err = index.Open(dir); err != nil {
			return err
		}
	}

	start := time.Now()
	ix.Prepare()
	prepareS := time.Since(start).Seconds()

	rng := rand.New(rand.NewPCG(2, uint64(*dim)))
	q := make([]float32, *dim)
	s := ix.NewSearcher()
	var hits []index.Hit
	lat := make([]float64, *queries)
	for i := -10; i < *queries; i++ { // 10 warm-up queries
		for d := range q {
			q[d] = float32(rng.NormFloat64())
		}
		start := time.Now()
		hits = s.Search(q, *k, -1, hits)
		if i >= 0 {
			lat[i] = time.Since(start).Seconds() * 1e3
		}
	}
	if len(hits) != *k {
		return fmt.Errorf("topk: search returned %d hits, want %d", len(hits), *k)
	}
	var sum float64
	for _, x := range lat {
		sum += x
	}
	slices.Sort(lat)
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"n": *n, "dim": *dim, "k": *k, "queries": *queries,
		"p50_ms": lat[len(lat)/2], "p99_ms": lat[len(lat)*99/100], "min_ms": lat[0], "mean_ms": sum / float64(len(lat)),
		"build_s": buildS, "prepare_s": prepareS,
	})
}

// writeCodes writes n Gaussian codes of length dim into a fresh index in dir.
func writeCodes(dir, fp string, n, dim int) error {
	w, err := index.Create(dir, dim, fp)
	if err != nil {
		return err
	}
	defer w.Abort()
	rng := rand.New(rand.NewPCG(1, uint64(dim)))
	code := make([]float32, dim)
	for i := range n {
		for d := range code {
			code[d] = float32(rng.NormFloat64())
		}
		if err := w.Add(index.Entry{Doc: index.Doc{ID: fmt.Sprint("doc", i)}, Text: fmt.Sprint("document ", i), Code: code}); err != nil {
			return err
		}
	}
	return w.Commit()
}
