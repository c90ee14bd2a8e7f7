package index

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testDoc and testCode give the deterministic content of document i of an
// index written with seed; codes include zero rows and repeated rows so that
// searches see ties.
func testDoc(seed uint64, i int) Doc {
	return Doc{
		ID:    fmt.Sprintf("s%d/doc-%06d", seed, i),
		Label: fmt.Sprintf("group-%d", i%20),
		Title: fmt.Sprintf("Title %d of seed %d: ünïcode ✓", i, seed),
		Words: 10 + i%5,
		Known: i % 7,
	}
}

// testWords are the words of the test documents' texts: document i holds
// word i%len and the words of its label's group.
var testWords = strings.Fields("orbit rocket engine brake doctor vaccine galaxy sedan clinic planet")

// testText is the text of document i of seed.
func testText(seed uint64, i int) string {
	return fmt.Sprintf("Document %d of seed %d mentions %s and %s; group %d.",
		i, seed, testWords[i%len(testWords)], testWords[(i/len(testWords))%len(testWords)], i%20)
}

// testEntry is everything writeTest stores for document i.
func testEntry(seed uint64, i, dim int) Entry {
	return Entry{Doc: testDoc(seed, i), Text: testText(seed, i), Code: testCode(seed, i, dim),
		Data: []byte(fmt.Sprintf("data %d/%d", seed, i))}
}

func testCode(seed uint64, i, dim int) []float32 {
	c := make([]float32, dim)
	switch {
	case i%17 == 3: // zero vector
	case i%13 == 5: // repeat of an earlier row: exact ties
		copy(c, testCode(seed, i-5, dim))
	default:
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		for d := range c {
			c[d] = float32(r.NormFloat64())
		}
	}
	return c
}

// writeTest writes n documents of dim with seed into dir and commits.
func writeTest(tb testing.TB, dir string, n, dim int, seed uint64, blobs map[string][]byte) {
	tb.Helper()
	w, err := Create(dir, dim, fmt.Sprintf("fp-%d", seed))
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Abort()
	for name, b := range blobs {
		if err := w.PutBlob(name, b); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range n {
		if err := w.Add(testEntry(seed, i, dim)); err != nil {
			tb.Fatal(err)
		}
	}
	w.SetExtra("seed", fmt.Sprint(seed))
	if err := w.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// checkIndex verifies that ix holds exactly what writeTest wrote.
func checkIndex(tb testing.TB, ix *Index, n, dim int, seed uint64) {
	tb.Helper()
	m := ix.Meta()
	if m.FormatVersion != FormatVersion || m.Dim != dim || m.Count != n || m.NextSlot != uint64(n) ||
		m.Fingerprint != fmt.Sprintf("fp-%d", seed) || m.Extra["seed"] != fmt.Sprint(seed) {
		tb.Fatalf("meta %+v, want dim %d count %d seed %d", m, dim, n, seed)
	}
	if ix.Len() != n || ix.Dim() != dim {
		tb.Fatalf("Len %d Dim %d, want %d %d", ix.Len(), ix.Dim(), n, dim)
	}
	for i := range n {
		if d, want := ix.Doc(i), testDoc(seed, i); d.Gen != m.Generation || (d != Doc{}) && func() bool { d.Gen = 0; return d != want }() {
			tb.Fatalf("Doc(%d) = %+v, want %+v of generation %d", i, ix.Doc(i), want, m.Generation)
		}
		if c := ix.Code(i); !slices.Equal(c, testCode(seed, i, dim)) {
			tb.Fatalf("Code(%d) = %v, want %v", i, c, testCode(seed, i, dim))
		}
		if p, ok := ix.Find(testDoc(seed, i).ID); !ok || p != i {
			tb.Fatalf("Find(%q) = %d, %v", testDoc(seed, i).ID, p, ok)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := make([]byte, 2*blobChunk+12345) // three chunks, the last short
	for i := range big {
		big[i] = byte(i * 7)
	}
	blobs := map[string][]byte{
		"vocab": []byte("the\nof\nand\n"),
		"model": big,
		"empty": {},
		"exact": make([]byte, blobChunk), // exactly one full chunk
	}
	const n, dim = 1000, 10
	writeTest(t, dir, n, dim, 1, blobs)
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkIndex(t, ix, n, dim, 1)
	for name, want := range blobs {
		got, err := ix.Blob(name)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Blob(%q): %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
	}
	if _, err := ix.Blob("nope"); !errors.Is(err, ErrNoBlob) {
		t.Errorf("Blob(nope) error %v, want ErrNoBlob", err)
	}
	if _, ok := ix.Find("nope"); ok {
		t.Error("Find(nope) found something")
	}
	if ix.Meta().Created.IsZero() {
		t.Error("Meta.Created is zero")
	}
	// Codes returned are copies.
	c := ix.Code(0)
	c[0] = 99
	if ix.Code(0)[0] == 99 {
		t.Error("Code aliases the index")
	}
}

func TestEmptyIndex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTest(t, dir, 0, 3, 2, nil)
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 0 || len(ix.Search([]float32{1, 0, 0}, 10, -1)) != 0 {
		t.Fatal("empty index not empty")
	}
}

func TestAddErrors(t *testing.T) {
	t.Parallel()
	w, err := Create(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.Add(Entry{Doc: Doc{ID: "a"}, Code: []float32{1, 2}}); err == nil {
		t.Error("short code accepted")
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		err := w.Add(Entry{Doc: Doc{ID: "bad-doc"}, Code: []float32{1, bad, 3}})
		if err == nil || !strings.Contains(err.Error(), "bad-doc") {
			t.Errorf("code with %v: error %v, want one naming the doc", bad, err)
		}
	}
	for _, id := range []string{"", "\xff\xfe", strings.Repeat("x", MaxIDBytes+1)} {
		if err := w.Add(Entry{Doc: Doc{ID: id}, Code: []float32{1, 2, 3}}); err == nil {
			t.Errorf("id %q accepted", id)
		}
	}
	if err := w.Add(Entry{Doc: Doc{ID: "w", Words: 2, Known: 3}, Code: []float32{1, 2, 3}}); err == nil {
		t.Error("more known words than words accepted")
	}
	if err := w.Add(Entry{Doc: Doc{ID: "a"}, Code: []float32{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(Entry{Doc: Doc{ID: "a"}, Code: []float32{1, 2, 3}}); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate id: %v, want ErrExists", err)
	}
	for _, name := range []string{"", "a\x00b", strings.Repeat("x", maxBlobName+1)} {
		if err := w.PutBlob(name, nil); err == nil {
			t.Errorf("blob name %q accepted", name)
		}
	}
	if err := w.PutBlob("v", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.PutBlob("v", nil); err == nil {
		t.Error("blob stored twice")
	}
	if _, err := Create(t.TempDir(), 0, ""); err == nil {
		t.Error("dim 0 accepted")
	}
}

func TestLocked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := Create(dir, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Create(dir, 2, "")
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir+" is locked by another process") {
		t.Fatalf("second Create: %v, want ErrLocked naming %s", err, dir)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	w2, err := Create(dir, 2, "") // lock released by Commit
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Abort(); err != nil {
		t.Fatal(err)
	}
}

// entries lists the names in dir, sorted.
func entries(tb testing.TB, dir string) []string {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestAbortKeepsOld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTest(t, dir, 50, 4, 1, nil)
	w, err := Create(dir, 4, "other")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if err := w.Add(testEntry(9, i, 4)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkIndex(t, ix, 50, 4, 1)
	if got, want := entries(t, dir), []string{"CURRENT", "LOCK", "gen-000001"}; !slices.Equal(got, want) {
		t.Errorf("after Abort dir holds %v, want %v", got, want)
	}
}

// TestUncommittedWriter drops a writer as a kill would: its generation
// half-written, badger closed, lock released, no Commit or Abort.
func TestUncommittedWriter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTest(t, dir, 40, 5, 1, nil)
	w, err := Create(dir, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if err := w.Add(testEntry(2, i, 5)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.wb.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Close(); err != nil {
		t.Fatal(err)
	}
	w.lock.Close() // as the kernel would on exit; the text builder is left as it is
	// A stray CURRENT.tmp as from a kill inside writeCurrent.
	if err := os.WriteFile(filepath.Join(dir, fileTmp), []byte("gen-0"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); !slices.Contains(got, "gen-000002") {
		t.Fatalf("half-written generation missing: %v", got)
	}

	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkIndex(t, ix, 40, 5, 1)

	writeTest(t, dir, 30, 5, 3, nil)
	ix, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkIndex(t, ix, 30, 5, 3)
	if got, want := entries(t, dir), []string{"CURRENT", "LOCK", "gen-000003"}; !slices.Equal(got, want) {
		t.Errorf("after next commit dir holds %v, want %v", got, want)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	if _, err := Open(filepath.Join(t.TempDir(), "none")); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing dir: %v, want ErrNotFound", err)
	}
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty dir: %v, want ErrNotFound", err)
	}

	for _, tc := range []struct {
		name, current, want string
	}{
		{"missing generation", "gen-000042\n", "names gen-000042, which is incomplete or missing"},
		{"garbage", "\x00\xffhello", "not a generation name"},
		{"empty", "", "not a generation name"},
		{"path escape", "../gen-000001\n", "not a generation name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTest(t, dir, 5, 2, 1, nil)
			if err := os.WriteFile(filepath.Join(dir, fileCurrent), []byte(tc.current), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir)
			if !IsCorrupt(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want ErrCorrupt saying %q", err, tc.want)
			}
			// A writer still works and repairs the directory.
			writeTest(t, dir, 7, 2, 4, nil)
			ix, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			checkIndex(t, ix, 7, 2, 4)
		})
	}
}
