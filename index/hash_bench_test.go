package index

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hashSizes are the collection sizes of the hashing benchmarks: 1 million
// by default; go test -bench Hash ./index/ -hashn 10000000,100000000 runs
// the simulated large collections (about 24 bytes a document of 32 bits).
var hashSizes = flag.String("hashn", "1000000", "comma-separated collection sizes of the hashing benchmarks")

func benchSizes(b *testing.B) []int {
	var out []int
	for _, f := range strings.Split(*hashSizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("-hashn %q: %v", *hashSizes, err)
		}
		out = append(out, n)
	}
	return out
}

// uniformCodes returns n codes of width bits with independent fair bits:
// the simulated collection. Random codes are the honest stand-in for the
// memory, the build time and the Hamming scan, which do not depend on the
// codes; for address lookup they are the even case, where every address
// holds about n/2^32 documents (a trained model's codes crowd some
// addresses, which lengthens their short lists: BenchmarkAddressLookup's
// "clustered" codes show that case).
func uniformCodes(n, bits int, seed uint64) []uint64 {
	r := rand.New(rand.NewPCG(seed, 1))
	w := Words(bits)
	out := make([]uint64, n*w)
	for i := range out {
		out[i] = r.Uint64()
	}
	if rem := bits % 64; rem != 0 {
		for i := w - 1; i < len(out); i += w {
			out[i] &= 1<<rem - 1
		}
	}
	return out
}

// BenchmarkHashTable times building the address table of n 32-bit codes
// and reports the bytes a document takes: its code and its share of the
// table.
func BenchmarkHashTable(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			data := uniformCodes(n, 32, 1)
			b.ResetTimer()
			var h *Hashes
			for b.Loop() {
				h = NewHashes(32, data, nil)
				h.Table()
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/build")
			b.ReportMetric(float64(8*len(data)+h.Table())/float64(n), "bytes/doc")
		})
	}
}

// BenchmarkHamming times Hamming ranking (top 10 over every code) of 32,
// 64 and 128-bit codes.
func BenchmarkHamming(b *testing.B) {
	for _, n := range benchSizes(b) {
		for _, bits := range []int{32, 64, 128} {
			b.Run(fmt.Sprintf("n=%d/bits=%d", n, bits), func(b *testing.B) {
				h := NewHashes(bits, uniformCodes(n, bits, 2), nil)
				qs := uniformCodes(64, bits, 3)
				w := Words(bits)
				b.SetBytes(int64(8 * w * n))
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					j := i % 64
					h.Nearest(qs[j*w:(j+1)*w], 10, nil)
				}
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/query")
			})
		}
	}
}

// BenchmarkAddressLookup times address lookup top 10 (the radius grown
// until 10 documents are found) over n 32-bit codes, reporting the mean
// and the 99th percentile of a query and the mean short list. Queries are
// codes of the collection with 3 bits flipped (a document near others).
// Codes are uniform, or "clustered": drawn around 1,000 centres with each
// bit flipped with probability 0.1, so that some addresses crowd.
func BenchmarkAddressLookup(b *testing.B) {
	for _, n := range benchSizes(b) {
		for _, kind := range []string{"uniform", "clustered"} {
			b.Run(fmt.Sprintf("n=%d/%s", n, kind), func(b *testing.B) {
				var data []uint64
				if kind == "uniform" {
					data = uniformCodes(n, 32, 4)
				} else {
					data = centredCodes(n, 1000, 0.1, 4)
				}
				h := NewHashes(32, data, nil)
				t0 := time.Now()
				h.Table()
				build := time.Since(t0)
				r := rand.New(rand.NewPCG(5, 6))
				qs := make([]uint64, 1024)
				for i := range qs {
					qs[i] = data[r.IntN(n)] ^ 1<<r.IntN(32) ^ 1<<r.IntN(32) ^ 1<<r.IntN(32)
				}
				lat := make([]time.Duration, 0, 1<<16)
				found := 0
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					t := time.Now()
					hits, _, _ := h.Near(qs[i%len(qs):i%len(qs)+1], -1, 10, nil)
					if len(lat) < cap(lat) {
						lat = append(lat, time.Since(t))
					}
					found += len(hits)
				}
				b.StopTimer()
				slices.Sort(lat)
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/query")
				b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e6, "p99-ms")
				b.ReportMetric(float64(found)/float64(b.N), "shortlist")
				b.ReportMetric(build.Seconds(), "build-s")
			})
		}
	}
}

// centredCodes returns n 32-bit codes, each a random one of centres
// random centres with every bit flipped with probability p.
func centredCodes(n, centres int, p float64, seed uint64) []uint64 {
	r := rand.New(rand.NewPCG(seed, 2))
	cs := make([]uint32, centres)
	for i := range cs {
		cs[i] = r.Uint32()
	}
	// Flip masks: each bit set with probability p, from 8 random bytes
	// compared with the threshold.
	thr := uint8(p * 256)
	out := make([]uint64, n)
	for i := range out {
		x := cs[r.IntN(centres)]
		u := r.Uint64()
		v := r.Uint64()
		u2 := r.Uint64()
		v2 := r.Uint64()
		for j, w := range [4]uint64{u, v, u2, v2} {
			for k := range 8 {
				if uint8(w>>(8*k)) < thr {
					x ^= 1 << (8*j + k)
				}
			}
		}
		out[i] = uint64(x)
	}
	return out
}
