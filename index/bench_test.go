package index

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkSearch times exact top-10 queries of dim-10 codes, reporting
// the mean and median milliseconds per query and queries per second. The
// index is built in memory: Open's cost is BenchmarkOpen's.
func BenchmarkSearch(b *testing.B) {
	const dim, k = 10, 10
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, uint64(n)))
			ix := memIndex(dim, randCodes(r, n, dim, false))
			qs := make([][]float32, 64)
			for i := range qs {
				qs[i] = randCodes(r, 1, dim, false)
			}
			s := ix.NewSearcher()
			dst := make([]Hit, 0, k)
			lat := make([]time.Duration, 0, 1<<16)
			b.SetBytes(int64(n * dim * 4))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				dst = s.Search(qs[i%len(qs)], k, -1, dst)
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(t0))
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			per := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(per*1e3, "ms/query")
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e6, "p50-ms")
			b.ReportMetric(1/per, "queries/s")
		})
	}
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
