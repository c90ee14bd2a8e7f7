package vocab

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkVectorize measures analysis plus counting, one op being a pass
// over a sample of posts (real 20 Newsgroups posts when the archive is
// present, synthetic ones otherwise), on one goroutine and, for
// VectorizeAll, on all of GOMAXPROCS.
func BenchmarkVectorize(b *testing.B) {
	docs, real := newsDocs(b, 400)
	if !real {
		b.Log("20 Newsgroups archive absent: synthetic posts")
	}
	var bytes int64
	for _, d := range docs {
		bytes += int64(len(d))
	}
	for _, stem := range []bool{false, true} {
		bld, err := NewBuilder(Options{Stem: stem})
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range docs {
			bld.Add(d)
		}
		v, err := bld.Build()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("stem=%v", stem), func(b *testing.B) {
			b.SetBytes(bytes)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				for _, d := range docs {
					v.Vectorize(d)
				}
			}
			reportDocs(b, len(docs), cpuTime()-cpu0)
		})
		b.Run(fmt.Sprintf("all/stem=%v", stem), func(b *testing.B) {
			b.SetBytes(bytes)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				v.VectorizeAll(docs)
			}
			reportDocs(b, len(docs), cpuTime()-cpu0)
		})
	}
}

// BenchmarkBuilderAdd measures the collection of training statistics.
func BenchmarkBuilderAdd(b *testing.B) {
	docs, _ := newsDocs(b, 400)
	var bytes int64
	for _, d := range docs {
		bytes += int64(len(d))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		bld, err := NewBuilder(Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range docs {
			bld.Add(d)
		}
	}
	reportDocs(b, len(docs), cpuTime()-cpu0)
}

// reportDocs reports docs/s, wall clock, and cpu-docs/s, documents per
// second of the process's CPU time, which a loaded machine disturbs less.
func reportDocs(b *testing.B, docsPerOp int, cpu time.Duration) {
	n := float64(docsPerOp * b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "docs/s")
	if cpu > 0 {
		b.ReportMetric(n/cpu.Seconds(), "cpu-docs/s")
	}
}
