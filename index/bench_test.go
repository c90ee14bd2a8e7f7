package index

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// fitIndex names an index whose codes the mixture benchmarks fit a Gaussian
// mixture to (for example one of 20 Newsgroups); without it they draw from
// mixtureCodes' random mixture.
var fitIndex = flag.String("bench.fit", "", "index `dir` whose codes BenchmarkSearch's mixture codes imitate")

// BenchmarkSearch times exact top-10 queries of dim-10 codes, reporting
// the mean, median and 99th percentile milliseconds per query and queries
// per second, for Gaussian codes (path=plain forces the scan of every row)
// and, at a million, for clustered codes: a Gaussian mixture fitted to the
// codes of the index -bench.fit names, or mixtureCodes' synthetic one.
// Queries are fresh draws from the same distribution. The index is built in
// memory and prepared before timing: Open's cost is BenchmarkOpen's, the
// cells' BenchmarkCells'.
func BenchmarkSearch(b *testing.B) {
	const dim = 10
	type bench struct {
		codes string
		n     int
		plain bool
	}
	var bs []bench
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		bs = append(bs, bench{"gauss", n, false})
	}
	bs = append(bs, bench{"gauss", 1_000_000, true}, bench{"mixture", 1_000_000, false}, bench{"mixture", 1_000_000, true})
	for _, bc := range bs {
		name := fmt.Sprintf("n=%d", bc.n)
		if bc.codes != "gauss" || bc.plain {
			path := "cells"
			if bc.plain {
				path = "plain"
			}
			name = fmt.Sprintf("codes=%s/%s/path=%s", benchCodesName(bc.codes), name, path)
		}
		b.Run(name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, uint64(bc.n)))
			draw := benchCodes(b, bc.codes, r)
			ix := memIndex(dim, draw(bc.n))
			s := ix.NewSearcher()
			if bc.plain {
				s.minCells = -1
			} else {
				ix.Prepare()
			}
			qs := make([][]float32, 1000)
			for i := range qs {
				qs[i] = draw(1)
			}
			benchQueries(b, s, qs, bc.n*dim*4)
		})
	}
}

// benchQueries runs b.N queries of qs in turn through s, reporting
// latencies.
func benchQueries(b *testing.B, s *Searcher, qs [][]float32, bytes int) {
	const k = 10
	dst := make([]Hit, 0, k)
	lat := make([]time.Duration, 0, 1<<16)
	var scanned []int
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		dst = s.Search(qs[i%len(qs)], k, -1, dst)
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(t0))
			scanned = append(scanned, s.scanned)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	per := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(per*1e3, "ms/query")
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e6, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e6, "p99-ms")
	b.ReportMetric(1/per, "queries/s")
	if s.ix.cells.Load() != nil {
		// The fraction of the rows scored: the work, whatever the load.
		var sum int
		for _, x := range scanned {
			sum += x
		}
		slices.Sort(scanned)
		n := float64(s.ix.Len())
		b.ReportMetric(float64(sum)/float64(len(scanned))/n, "scanned/n")
		b.ReportMetric(float64(scanned[len(scanned)*99/100])/n, "scanned-p99/n")
	}
}

// BenchmarkCells times building the cells of a million dim-10 codes and
// reports the memory they take per document.
func BenchmarkCells(b *testing.B) {
	const dim, n = 10, 1_000_000
	for _, codes := range []string{"gauss", "mixture"} {
		b.Run(fmt.Sprintf("codes=%s/n=%d", benchCodesName(codes), n), func(b *testing.B) {
			ix := memIndex(dim, benchCodes(b, codes, rand.New(rand.NewPCG(1, n)))(n))
			var c *cells
			for b.Loop() {
				c = buildCells(ix.unit, dim, int(math.Sqrt(n)), 1)
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/build")
			b.ReportMetric(float64(c.bytes())/n, "B/doc")
			b.ReportMetric(float64(len(c.cosR)), "cells")
		})
	}
}

func benchCodesName(codes string) string {
	if codes == "mixture" && *fitIndex != "" {
		return "fitted"
	}
	return codes
}

// benchCodes returns a function drawing n codes of dim 10 of the named
// distribution: "gauss" (isotropic), or "mixture" (see BenchmarkSearch).
func benchCodes(b *testing.B, codes string, r *rand.Rand) func(n int) []float32 {
	const dim = 10
	switch {
	case codes == "gauss":
		return func(n int) []float32 { return randCodes(r, n, dim, false) }
	case *fitIndex == "":
		seed := r.Uint64()
		return func(n int) []float32 {
			// One mixture: the same seed for its centres, r for the draws.
			return mixtureCodesFrom(rand.New(rand.NewPCG(seed, 0)), r, n, dim, 20)
		}
	}
	ix, err := Open(*fitIndex)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	if ix.Dim() != dim {
		b.Fatalf("-bench.fit %s: codes of dim %d, want %d", *fitIndex, ix.Dim(), dim)
	}
	var x []float64
	for i := range ix.Len() {
		if !ix.Doc(i).NoCode {
			for _, v := range ix.Code(i) {
				x = append(x, float64(v))
			}
		}
	}
	g := fitMixture(x, dim, 20, rand.New(rand.NewPCG(3, 4)))
	return func(n int) []float32 { return g.draw(r, n) }
}

// mixture is a Gaussian mixture with diagonal covariances.
type mixture struct {
	dim    int
	weight []float64 // per component
	mean   []float64 // components x dim
	sd     []float64 // components x dim
}

// fitMixture fits m components to the rows of x (n x dim) by 100
// iterations of EM from m random rows, with variances floored at 1e-4 of
// the overall variance.
func fitMixture(x []float64, dim, m int, r *rand.Rand) *mixture {
	n := len(x) / dim
	g := &mixture{dim: dim, weight: make([]float64, m), mean: make([]float64, m*dim), sd: make([]float64, m*dim)}
	var all float64
	for _, v := range x {
		all += v * v
	}
	all /= float64(len(x))
	for c, i := range r.Perm(n)[:m] {
		copy(g.mean[c*dim:(c+1)*dim], x[i*dim:(i+1)*dim])
		g.weight[c] = 1 / float64(m)
		for d := range dim {
			g.sd[c*dim+d] = math.Sqrt(all)
		}
	}
	resp := make([]float64, n*m)
	norm := make([]float64, m) // log weight - sum of log sd, per component
	for range 100 {
		for c := range m {
			norm[c] = math.Log(g.weight[c])
			for d := range dim {
				norm[c] -= math.Log(g.sd[c*dim+d])
			}
		}
		for i := range n {
			row, rr := x[i*dim:(i+1)*dim], resp[i*m:(i+1)*m]
			top := math.Inf(-1)
			for c := range m {
				l := norm[c]
				for d, v := range row {
					z := (v - g.mean[c*dim+d]) / g.sd[c*dim+d]
					l -= 0.5 * z * z
				}
				rr[c] = l
				top = max(top, l)
			}
			var sum float64
			for c := range rr {
				rr[c] = math.Exp(rr[c] - top)
				sum += rr[c]
			}
			for c := range rr {
				rr[c] /= sum
			}
		}
		for c := range m {
			var w float64
			mu, va := make([]float64, dim), make([]float64, dim)
			for i := range n {
				p := resp[i*m+c]
				w += p
				for d := range dim {
					mu[d] += p * x[i*dim+d]
				}
			}
			for d := range mu {
				mu[d] /= max(w, 1e-300)
			}
			for i := range n {
				p := resp[i*m+c]
				for d := range dim {
					z := x[i*dim+d] - mu[d]
					va[d] += p * z * z
				}
			}
			g.weight[c] = max(w/float64(n), 1e-12)
			for d := range dim {
				g.mean[c*dim+d] = mu[d]
				g.sd[c*dim+d] = math.Sqrt(max(va[d]/max(w, 1e-300), 1e-4*all))
			}
		}
	}
	return g
}

// draw returns n codes drawn from g.
func (g *mixture) draw(r *rand.Rand, n int) []float32 {
	out := make([]float32, n*g.dim)
	for i := range n {
		u, c := r.Float64(), 0
		for c < len(g.weight)-1 && u >= g.weight[c] {
			u -= g.weight[c]
			c++
		}
		for d := range g.dim {
			out[i*g.dim+d] = float32(g.mean[c*g.dim+d] + g.sd[c*g.dim+d]*r.NormFloat64())
		}
	}
	return out
}

// BenchmarkWrite times Create, n Adds and Commit of dim-10 codes.
func BenchmarkWrite(b *testing.B) {
	const dim = 10
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			docs := make([]Doc, n)
			for i := range docs {
				docs[i] = testDoc(1, i)
			}
			codes := randCodes(rand.New(rand.NewPCG(1, 2)), n, dim, false)
			root := b.TempDir()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				w, err := Create(filepath.Join(root, fmt.Sprint(i)), dim, "fp")
				if err != nil {
					b.Fatal(err)
				}
				for j := range docs {
					if err := w.Add(Entry{Doc: docs[j], Text: testText(1, j), Code: codes[j*dim : (j+1)*dim]}); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// BenchmarkOpen times loading a committed index into memory.
func BenchmarkOpen(b *testing.B) {
	const dim, n = 10, 100_000
	dir := b.TempDir()
	writeTest(b, dir, n, dim, 1, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
}
