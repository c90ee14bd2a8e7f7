package index

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// clusteredCodes returns n codes of width w drawn around a few centres
// (each bit of a centre flipped with probability 0.08), so that addresses
// repeat and distances tie, as a trained model's codes do.
func clusteredCodes(n, w int, seed uint64) []uint64 {
	r := rand.New(rand.NewPCG(seed, 7))
	words := Words(w)
	centres := make([]uint64, 8*words)
	for i := range centres {
		centres[i] = r.Uint64()
	}
	out := make([]uint64, n*words)
	for i := range n {
		c := r.IntN(8)
		for j := range words {
			x := centres[c*words+j]
			for b := range 64 {
				if r.Float64() < 0.08 {
					x ^= 1 << b
				}
			}
			out[i*words+j] = x
		}
		if rem := w % 64; rem != 0 {
			out[i*words+words-1] &= 1<<rem - 1
		}
	}
	return out
}

func hamming(a, b []uint64) int {
	d := 0
	for j := range a {
		d += bits.OnesCount64(a[j] ^ b[j])
	}
	return d
}

// bruteNearest ranks every kept document by distance, then position.
func bruteNearest(h *Hashes, q []uint64, keep func(int) bool) []Hit {
	var all []Hit
	for i := range h.Len() {
		if h.Skipped(i) || (keep != nil && !keep(i)) {
			continue
		}
		all = append(all, Hit{Pos: i, Score: float32(h.Bits() - hamming(q, h.Code(i)))})
	}
	slices.SortFunc(all, CompareHits)
	return all
}

func TestHammingNearestExact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		bits, n int
	}{{32, 3000}, {64, 3000}, {128, 2000}, {20, 2000}, {200, 500}, {32, 2*minHammingPart + 5}} {
		data := clusteredCodes(tc.n, tc.bits, uint64(tc.bits))
		h := NewHashes(tc.bits, data, func(i int) bool { return i%11 == 4 })
		q := slices.Clone(h.Code(17))
		q[0] ^= 0b1011
		keep := func(i int) bool { return i%5 != 1 }
		want := bruteNearest(h, q, keep)
		for _, k := range []int{1, 10, 97, tc.n} {
			got := h.Nearest(q, k, keep)
			if !slices.Equal(got, want[:min(k, len(want))]) {
				t.Fatalf("%d bits, n %d, k %d: Nearest differs from a brute-force scan", tc.bits, tc.n, k)
			}
		}
	}
}

func TestAddressLookupExact(t *testing.T) {
	t.Parallel()
	for _, w := range []int{32, 64, 128, 12} {
		n := 4000
		h := NewHashes(w, clusteredCodes(n, w, uint64(w)+100), func(i int) bool { return i%9 == 2 })
		abits := min(w, AddressBits)
		for qi, q := range [][]uint64{h.Code(5), h.Code(333), clusteredCodes(1, w, 999)} {
			keep := func(i int) bool { return i != 333 }
			for radius := 0; radius <= 3; radius++ {
				got, reached, scanned := h.Near(q, radius, 10, keep)
				if scanned || reached != radius {
					t.Fatalf("%d bits, query %d, radius %d: reached %d, scanned %v", w, qi, radius, reached, scanned)
				}
				var want []Hit
				for _, x := range bruteNearest(h, q, keep) {
					a := uint32(h.Code(x.Pos)[0]) & (1<<abits - 1)
					if bits.OnesCount32(a^h.Address(q)) <= radius {
						want = append(want, x)
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%d bits, query %d, radius %d: %d hits, a brute-force scan finds %d", w, qi, radius, len(got), len(want))
				}
			}
			// Grown: the smallest ball with k documents, or an exact scan.
			for _, k := range []int{1, 10, 300} {
				got, reached, scanned := h.Near(q, -1, k, keep)
				if scanned {
					if want := bruteNearest(h, q, keep); !slices.Equal(got, want[:k]) {
						t.Fatalf("%d bits, k %d: the fallback scan differs from Nearest", w, k)
					}
					continue
				}
				inner, _, _ := h.Near(q, reached-1, k, keep)
				if len(got) < k || (reached > 0 && len(inner) >= k) {
					t.Fatalf("%d bits, k %d: radius %d gives %d, radius %d gives %d", w, k, reached, len(got), reached-1, len(inner))
				}
			}
		}
	}
}

func TestBitsRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ix")
	widths := []int{32, 64, 128}
	w, err := Create(dir, 4, "fp")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetBits([]int{64, 32}); err == nil {
		t.Fatal("SetBits took descending widths")
	}
	if err := w.SetBits(widths); err != nil {
		t.Fatal(err)
	}
	const n = 50
	codes := map[int][]uint64{}
	for _, b := range widths {
		codes[b] = clusteredCodes(n+1, b, uint64(b))
	}
	entry := func(i int) Entry {
		e := testEntry(1, i, 4)
		for _, b := range widths {
			e.Bits = append(e.Bits, codes[b][i*Words(b):(i+1)*Words(b)]...)
		}
		return e
	}
	for i := range n {
		if err := w.Add(entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	bad := entry(n)
	bad.Bits = bad.Bits[:3]
	if err := w.Add(bad); err == nil {
		t.Fatal("Add took binary codes of the wrong length")
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	check := func(ix *Index, pos []int) {
		t.Helper()
		if !slices.Equal(ix.Bits(), widths) {
			t.Fatalf("Bits %v, want %v", ix.Bits(), widths)
		}
		for _, b := range widths {
			h := ix.Hashes(b)
			for p, i := range pos {
				if !slices.Equal(h.Code(p), codes[b][i*Words(b):(i+1)*Words(b)]) {
					t.Fatalf("%d bits, position %d: code differs", b, p)
				}
			}
		}
	}
	ix := mustOpen(t, dir)
	check(ix, seq(0, n))
	ix.Close()

	// An update removes and adds with the same widths.
	u, err := Update(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.SetBits([]int{32}); err == nil {
		t.Fatal("an update changed the widths")
	}
	if err := u.Remove(testDoc(1, 3).ID); err != nil {
		t.Fatal(err)
	}
	e := entry(7)
	e.ID = "new"
	if err := u.Add(e); err != nil {
		t.Fatal(err)
	}
	if err := u.Commit(); err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	defer ix.Close()
	check(ix, append(append(seq(0, 3), seq(4, n)...), 7))
}

// TestNoBitsOpens: an index written without binary codes (as every index
// of format 2 before them) opens, has none, and adds documents without.
func TestNoBitsOpens(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ix")
	writeTest(t, dir, 30, 5, 1, nil)
	ix := mustOpen(t, dir)
	if len(ix.Bits()) != 0 || ix.Hashes(32) != nil {
		t.Fatalf("an index without binary codes reports %v", ix.Bits())
	}
	ix.Close()
	u, err := Update(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := testEntry(2, 0, 5)
	e.Bits = []uint64{1}
	if err := u.Add(e); err == nil {
		t.Fatal("an index without binary codes took some")
	}
	e.Bits = nil
	if err := u.Add(e); err != nil {
		t.Fatal(err)
	}
	if err := u.Commit(); err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	defer ix.Close()
	if ix.Len() != 31 {
		t.Fatalf("%d documents, want 31", ix.Len())
	}
}

func TestBitsMetaChecked(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`[0]`, `[64,32]`, `[2000]`} {
		_, err := decodeMeta([]byte(`{"format_version":2,"dim":3,"count":0,"next_slot":0,"generation":1,"bits":` + bad + `}`))
		if err == nil || errors.Is(err, ErrVersion) {
			t.Errorf("bits %s: %v", bad, err)
		}
	}
}

func seq(lo, hi int) []int {
	var s []int
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}
