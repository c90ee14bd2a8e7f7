package index

import (
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
)

// Hashes holds the binary codes of one width of every document (semantic
// hashing, Salakhutdinov & Hinton 2009) and ranks them two ways: by
// Hamming distance to a query code over every document (Nearest), and by
// address (Near): the documents whose address, the code's first
// AddressBits bits, lies within a Hamming radius of the query's, found
// through a table from address to documents without reading the others.
// It is safe for concurrent use; the address table is built on first use.
type Hashes struct {
	bits, words int
	data        []uint64 // Len x words, row-major
	skip        []uint64 // bit i set: document i has no code (Doc.NoCode); nil if none

	once  sync.Once
	table *addressTable
}

// NewHashes returns the Hashes of n = len(data)/Words(bits) codes of width
// bits, data row-major as Entry.Bits holds one width (it is not copied),
// with the documents for which skip returns true (nil: none) left out of
// every ranking. It serves callers that hold codes outside an Index, such
// as benchmarks of collections larger than an index on this machine.
func NewHashes(bits int, data []uint64, skip func(pos int) bool) *Hashes {
	if bits < 1 || bits > MaxBits || len(data)%Words(bits) != 0 {
		panic(fmt.Sprintf("index: NewHashes: %d words of width %d", len(data), bits))
	}
	h := &Hashes{bits: bits, words: Words(bits), data: data}
	n := h.Len()
	if skip != nil {
		for i := range n {
			if skip(i) {
				if h.skip == nil {
					h.skip = make([]uint64, (n+63)/64)
				}
				h.skip[i/64] |= 1 << (i % 64)
			}
		}
	}
	return h
}

// Bits returns the width of the codes.
func (h *Hashes) Bits() int { return h.bits }

// Len returns the number of documents.
func (h *Hashes) Len() int { return len(h.data) / h.words }

// Code returns the code of document pos (it aliases the Hashes' memory).
func (h *Hashes) Code(pos int) []uint64 {
	return h.data[pos*h.words : (pos+1)*h.words : (pos+1)*h.words]
}

// Skipped reports whether document pos has no code.
func (h *Hashes) Skipped(pos int) bool {
	return h.skip != nil && h.skip[pos/64]&(1<<(pos%64)) != 0
}

// Distance returns the Hamming distance between q and the code of pos.
func (h *Hashes) Distance(q []uint64, pos int) int {
	d := 0
	for j, w := range h.Code(pos) {
		d += bits.OnesCount64(w ^ q[j])
	}
	return d
}

// Score of a Hamming hit: the number of bits in which the codes agree,
// Bits - distance, so that higher is better as for the cosine.
func (h *Hashes) score(d int) float32 { return float32(h.bits - d) }

// Nearest returns the k documents whose codes are nearest q in Hamming
// distance, nearest first, ties broken by lower position, leaving out the
// documents without a code and those for which keep (nil: none) returns
// false. A Hit's Score is Bits minus the distance. It reads every code
// once, counting matches by distance (a counting sort that keeps at most
// k documents at each distance), on all CPUs for large collections. It
// panics if len(q) is not Words(Bits).
func (h *Hashes) Nearest(q []uint64, k int, keep func(pos int) bool) []Hit {
	if len(q) != h.words {
		panic(fmt.Sprintf("index: Nearest: query of %d words, codes of %d", len(q), h.words))
	}
	n := h.Len()
	if k <= 0 || n == 0 {
		return nil
	}
	np := 1
	if n >= 2*minHammingPart {
		np = min(runtime.GOMAXPROCS(0), n/minHammingPart)
	}
	parts := make([]hamPart, np)
	step := (n + np - 1) / np
	var wg sync.WaitGroup
	for i := range parts {
		lo, hi := min(i*step, n), min((i+1)*step, n)
		if i == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i].scan(h, q, k, lo, hi, keep)
		}()
	}
	parts[0].scan(h, q, k, 0, min(step, n), keep)
	wg.Wait()
	// Merge: distance by distance, parts in position order.
	out := make([]Hit, 0, k)
	for d := 0; d <= h.bits && len(out) < k; d++ {
		for i := range parts {
			if d >= len(parts[i].buckets) {
				continue
			}
			for _, pos := range parts[i].buckets[d] {
				if len(out) == k {
					break
				}
				out = append(out, Hit{Pos: int(pos), Score: h.score(d)})
			}
		}
	}
	return out
}

// minHammingPart is the fewest codes worth a goroutine of their own: a
// popcount takes about a nanosecond, a goroutine's start a microsecond.
const minHammingPart = 1 << 18

// hamPart is one goroutine's share of Nearest: buckets[d] holds, in
// position order, up to k documents at distance d; max is the largest
// distance that can still enter the best k.
type hamPart struct {
	buckets [][]int32
}

func (p *hamPart) scan(h *Hashes, q []uint64, k, lo, hi int, keep func(int) bool) {
	p.buckets = make([][]int32, h.bits+1)
	maxD, count := h.bits, 0
	add := func(i, d int) {
		if h.skip != nil && h.skip[i/64]&(1<<(i%64)) != 0 {
			return
		}
		if keep != nil && !keep(i) {
			return
		}
		b := p.buckets[d]
		if len(b) == k { // later positions at d rank below these k
			return
		}
		if b == nil {
			b = make([]int32, 0, min(k, 64))
		}
		p.buckets[d] = append(b, int32(i))
		count++
		// Lower maxD while the buckets below it hold k documents.
		for maxD > 0 && count-len(p.buckets[maxD]) >= k {
			count -= len(p.buckets[maxD])
			p.buckets[maxD] = p.buckets[maxD][:0]
			maxD--
		}
	}
	switch h.words {
	case 1:
		q0 := q[0]
		for i, w := range h.data[lo:hi] {
			if d := bits.OnesCount64(w ^ q0); d <= maxD {
				add(lo+i, d)
			}
		}
	case 2:
		q0, q1 := q[0], q[1]
		data := h.data[2*lo : 2*hi]
		for i := 0; i+1 < len(data); i += 2 {
			if d := bits.OnesCount64(data[i]^q0) + bits.OnesCount64(data[i+1]^q1); d <= maxD {
				add(lo+i/2, d)
			}
		}
	default:
		for i := lo; i < hi; i++ {
			if d := h.Distance(q, i); d <= maxD {
				add(i, d)
			}
		}
	}
}

// AddressBits is the width of an address: a code's first 32 bits (the
// whole code when it is shorter).
const AddressBits = 32

// Address returns the address of code q: its first min(Bits, 32) bits.
func (h *Hashes) Address(q []uint64) uint32 { return uint32(q[0]) & h.addrMask() }

func (h *Hashes) addrMask() uint32 {
	if h.bits >= AddressBits {
		return ^uint32(0)
	}
	return 1<<h.bits - 1
}

func (h *Hashes) addrBits() int { return min(h.bits, AddressBits) }

// addressTable maps an address to the documents that have it: a hash
// table in one piece, its buckets the top p bits of a multiplicative hash
// of the address (a bijection, so equal addresses share a bucket and
// distinct ones rarely do), the documents of bucket b at
// keys/pos[dir[b]:dir[b+1]] in position order. It costs 8 bytes a
// document and 4 a bucket, with about one bucket a document.
type addressTable struct {
	shift uint
	dir   []uint32
	keys  []uint32
	pos   []int32
}

func mixAddress(a uint32) uint32 { return a * 0x9e3779b1 }

// Table builds the address table now, if it is not built yet (Near builds
// it on first use), and returns its size in bytes.
func (h *Hashes) Table() int {
	t := h.addresses()
	return 4*len(t.dir) + 4*len(t.keys) + 4*len(t.pos)
}

func (h *Hashes) addresses() *addressTable {
	h.once.Do(func() { h.table = buildTable(h) })
	return h.table
}

// buildTable counts the documents of each bucket, then places them: two
// passes over the codes, no sort.
func buildTable(h *Hashes) *addressTable {
	n := h.Len()
	p := uint(4)
	for p < 30 && 1<<p < n {
		p++
	}
	t := &addressTable{shift: 32 - p, dir: make([]uint32, 1<<p+1)}
	mask, w := h.addrMask(), h.words
	valid := 0
	for i := range n {
		if h.Skipped(i) {
			continue
		}
		t.dir[mixAddress(uint32(h.data[i*w])&mask)>>t.shift+1]++
		valid++
	}
	for b := 1; b < len(t.dir); b++ {
		t.dir[b] += t.dir[b-1]
	}
	t.keys = make([]uint32, valid)
	t.pos = make([]int32, valid)
	next := slices.Clone(t.dir[:len(t.dir)-1])
	for i := range n {
		if h.Skipped(i) {
			continue
		}
		a := uint32(h.data[i*w]) & mask
		b := mixAddress(a) >> t.shift
		j := next[b]
		next[b]++
		t.keys[j], t.pos[j] = a, int32(i)
	}
	return t
}

// lookup calls fn with every document whose address is a.
func (t *addressTable) lookup(a uint32, fn func(pos int32)) {
	b := mixAddress(a) >> t.shift
	for j := t.dir[b]; j < t.dir[b+1]; j++ {
		if t.keys[j] == a {
			fn(t.pos[j])
		}
	}
}

// sphere calls fn with every address at Hamming distance exactly r from
// a, flipping r of the low nbits bits (in lexicographic order of the
// flipped bit positions).
func sphere(a uint32, r, nbits int, fn func(uint32)) {
	var rec func(a uint32, from, left int)
	rec = func(a uint32, from, left int) {
		if left == 0 {
			fn(a)
			return
		}
		for b := from; b <= nbits-left; b++ {
			rec(a^1<<b, b+1, left-1)
		}
	}
	rec(a, 0, r)
}

// probeCost is about what a probe of the address table costs in codes
// read by a scan: a probe misses the cache two or three times (45 ns on
// the 2-core machine of BENCHMARKS.md), a scan reads a 32-bit code in
// about 2 ns.
const probeCost = 32

// binom returns C(n, r), saturating at 1<<62.
func binom(n, r int) int {
	c := 1
	for i := 1; i <= r; i++ {
		c = c * (n - r + i) / i
		if c > 1<<62/n {
			return 1 << 62
		}
	}
	return c
}

// Near is address lookup: it returns the documents whose address lies
// within Hamming distance radius of q's (a short list), nearest first by
// the distance between whole codes, ties broken by lower position,
// leaving out the documents without a code and those for which keep (nil:
// none) returns false. It probes the table once for every address of the
// ball and reads no other document. With radius < 0 the radius grows from
// 0 until the short list holds at least k documents, or until probing
// the next sphere of addresses would cost more than reading every code
// (C(32, r) > Len/probeCost):
// then Near ranks by Nearest (exactly, over every code) and reports
// scanned. It returns the radius reached. The address table is built on
// the first call.
func (h *Hashes) Near(q []uint64, radius, k int, keep func(pos int) bool) (hits []Hit, reached int, scanned bool) {
	if len(q) != h.words {
		panic(fmt.Sprintf("index: Near: query of %d words, codes of %d", len(q), h.words))
	}
	t := h.addresses()
	a, nbits := h.Address(q), h.addrBits()
	n := h.Len()
	fixed := radius >= 0
	if fixed {
		radius = min(radius, nbits)
	}
	var found []int32
	collect := func(pos int32) {
		if keep == nil || keep(int(pos)) {
			found = append(found, pos)
		}
	}
	r := 0
	for ; ; r++ {
		if fixed && r > radius {
			r--
			break
		}
		if !fixed && r > 0 && (len(found) >= k || r > nbits || binom(nbits, r) > n/probeCost) {
			if len(found) >= k || r > nbits {
				r--
				break
			}
			// The next sphere costs more than reading every code.
			return h.Nearest(q, k, keep), r - 1, true
		}
		sphere(a, r, nbits, func(x uint32) { t.lookup(x, collect) })
	}
	hits = make([]Hit, len(found))
	for i, pos := range found {
		hits[i] = Hit{Pos: int(pos), Score: h.score(h.Distance(q, int(pos)))}
	}
	slices.SortFunc(hits, CompareHits)
	return hits, r, false
}
