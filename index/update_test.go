package index

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	badger "github.com/dgraph-io/badger/v4"
)

// treeHashes maps every file below root to the SHA-256 of its content.
func treeHashes(t *testing.T, root string) map[string][32]byte {
	t.Helper()
	out := make(map[string][32]byte)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out[rel] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustOpen(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func keywordIDs(t *testing.T, ix *Index, qs string) []string {
	t.Helper()
	hits, total, err := ix.Keyword(context.Background(), bleve.NewQueryStringQuery(qs), 1000, NormTokens)
	if err != nil {
		t.Fatal(err)
	}
	if total != uint64(len(hits)) {
		t.Fatalf("%q: %d hits of %d", qs, len(hits), total)
	}
	var ids []string
	for _, h := range hits {
		if !(h.Score > 0) {
			t.Fatalf("%q: hit %+v has no positive score", qs, h)
		}
		ids = append(ids, ix.Doc(h.Pos).ID)
	}
	slices.Sort(ids)
	return ids
}

// TestUpdateAddRemove adds and removes documents in place: the new
// generation holds exactly the survivors and the additions, in the code
// store and the full-text index alike, and the old one is gone.
func TestUpdateAddRemove(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n, dim = 60, 4
	writeTest(t, dir, n, dim, 1, map[string][]byte{"vocab": []byte("v")})
	w, err := Update(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	removed := []string{testDoc(1, 0).ID, testDoc(1, 17).ID, testDoc(1, 59).ID}
	for _, id := range removed {
		if err := w.Remove(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Remove("nope"); !errors.Is(err, ErrUnknownID) {
		t.Errorf("Remove(nope): %v, want ErrUnknownID", err)
	}
	if err := w.Add(testEntry(1, 5, dim)); !errors.Is(err, ErrExists) {
		t.Errorf("Add of a present id: %v, want ErrExists", err)
	}
	added := make([]Entry, 5)
	for i := range added {
		added[i] = testEntry(2, i, dim)
		added[i].Text = fmt.Sprintf("zeppelin number %d", i)
		if err := w.Add(added[i]); err != nil {
			t.Fatal(err)
		}
	}
	// A removed id may come back, as a new document.
	back := testEntry(1, 17, dim)
	back.Text = "returned zeppelin"
	if err := w.Add(back); err != nil {
		t.Fatal(err)
	}
	if err := w.PutBlob("vocab", nil); err == nil {
		t.Error("an update overwrote the blob of the live generation")
	}
	if w.Len() != n-3+6 {
		t.Errorf("writer holds %d documents, want %d", w.Len(), n-3+6)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	ix := mustOpen(t, dir)
	m := ix.Meta()
	if m.Count != n+3 || ix.Len() != n+3 || m.NextSlot != n+6 || m.Generation != 2 || m.Fingerprint != "fp-1" || m.Extra["seed"] != "1" {
		t.Fatalf("meta after update: %+v", m)
	}
	if got, want := entries(t, dir), []string{"CURRENT", "LOCK", "gen-000002"}; !slices.Equal(got, want) {
		t.Errorf("dir holds %v, want %v", got, want)
	}
	// Positions follow slots: survivors, then additions in order.
	var want []string
	for i := range n {
		if i != 0 && i != 17 && i != 59 {
			want = append(want, testDoc(1, i).ID)
		}
	}
	for _, e := range added {
		want = append(want, e.ID)
	}
	want = append(want, back.ID)
	for i, id := range want {
		if ix.Doc(i).ID != id {
			t.Fatalf("position %d holds %q, want %q", i, ix.Doc(i).ID, id)
		}
	}
	if d := ix.Doc(n - 3); d.Gen != 2 {
		t.Errorf("added document has generation %d, want 2", d.Gen)
	}
	if d := ix.Doc(0); d.Gen != 1 {
		t.Errorf("kept document has generation %d, want 1", d.Gen)
	}
	if p, _ := ix.Find(added[2].ID); !slices.Equal(ix.Code(p), added[2].Code) {
		t.Error("added code differs")
	}
	var data []string
	if err := ix.ReadData(func(pos int, p []byte) error {
		if pos != len(data) {
			return fmt.Errorf("position %d after %d", pos, len(data))
		}
		data = append(data, string(p))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(data) != ix.Len() || data[n-3] != "data 2/0" || data[0] != "data 1/1" {
		t.Errorf("data: %d entries, %q ... %q", len(data), data[0], data[n-3])
	}
	// The full-text index agrees.
	wantZ := []string{added[0].ID, added[1].ID, added[2].ID, added[3].ID, added[4].ID, back.ID}
	slices.Sort(wantZ)
	if got := keywordIDs(t, ix, "zeppelin"); !slices.Equal(got, wantZ) {
		t.Errorf("zeppelin: %v, want %v", got, wantZ)
	}
	if got := keywordIDs(t, ix, `"seed 1 mentions"`); slices.Contains(got, testDoc(1, 0).ID) || len(got) != n-3 {
		t.Errorf("removed document still found, or survivors missing: %d hits", len(got))
	}
}

// TestUpdateLeavesLiveIntact checks what sharing files relies on: writing
// the copy, compacting it and dropping what it removed change no byte of
// the live generation, and Abort keeps it live.
func TestUpdateLeavesLiveIntact(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTest(t, dir, 300, 6, 1, map[string][]byte{"model": make([]byte, 3*blobChunk)})
	live := filepath.Join(dir, genName(1))
	before := treeHashes(t, live)
	for round := range 2 {
		w, err := Update(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			if i%3 == 0 {
				if err := w.Remove(testDoc(1, i).ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := range 2500 { // several text batches, several memtables
			if err := w.Add(testEntry(uint64(10+round), i, 6)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.closeText(); err != nil {
			t.Fatal(err)
		}
		if err := w.wb.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := w.db.Flatten(2); err != nil { // force compactions in the copy
			t.Fatal(err)
		}
		if err := w.db.DropPrefix([]byte(prefixData)); err != nil { // and table deletions
			t.Fatal(err)
		}
		after := treeHashes(t, live)
		if len(after) != len(before) {
			t.Fatalf("live generation has %d files, had %d", len(after), len(before))
		}
		for f, h := range before {
			if after[f] != h {
				t.Fatalf("round %d: live file %s changed", round, f)
			}
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
	}
	ix := mustOpen(t, dir)
	checkIndex(t, ix, 300, 6, 1)
}

func TestUpdateNeedsIndex(t *testing.T) {
	t.Parallel()
	if _, err := Update(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update of an empty dir: %v, want ErrNotFound", err)
	}
	dir := t.TempDir()
	writeTest(t, dir, 3, 2, 1, nil)
	w, err := Update(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := Update(dir); !errors.Is(err, ErrLocked) {
		t.Errorf("second Update: %v, want ErrLocked", err)
	}
}

func TestKeywordSnippetsText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const dim = 3
	w, err := Create(dir, dim, "fp")
	if err != nil {
		t.Fatal(err)
	}
	docs := []Entry{
		{Doc: Doc{ID: "a", Label: "sci.space", Title: "Orbits"}, Text: "The shuttle reached orbit. <b>Orbital</b> mechanics & rockets."},
		{Doc: Doc{ID: "b", Label: "sci.space", Title: "Rockets"}, Text: "Rockets burn fuel to reach orbit quickly."},
		{Doc: Doc{ID: "c", Label: "rec.autos", Title: "Engines"}, Text: strings.Repeat("The engine of a car needs fuel. ", 20)},
		{Doc: Doc{ID: "d", Label: "misc", Title: "空"}, Text: "日本語のテキスト 🚀"},
	}
	for i := range docs {
		docs[i].Code = []float32{1, float32(i), 0}
		if err := w.Add(docs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	ix := mustOpen(t, dir)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"orbit", []string{"a", "b"}},
		{"fuel", []string{"b", "c"}},
		{"fuel -car", []string{"b"}},
		{"+orbit +shuttle", []string{"a"}},
		{`"reach orbit"`, []string{"a", "b"}}, // "reached orbit" stems to the same phrase
		{`"burn fuel"`, []string{"b"}},
		{"label:rec.autos", []string{"c"}},
		{"title:rockets", []string{"b"}},
		{"orbits", []string{"a", "b"}}, // stemming: orbits -> orbit
		{"日本語", []string{"d"}},
		{"submarine", nil},
	} {
		if got := keywordIDs(t, ix, tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.q, got, tc.want)
		}
	}
	ctx := context.Background()
	q := bleve.NewQueryStringQuery("orbit")
	sn, err := ix.Snippets(ctx, q, []int{0, 2}, StyleHTML)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sn[0], "<mark>orbit</mark>") || strings.Contains(sn[0], "<b>") || !strings.Contains(sn[0], "&lt;b&gt;") {
		t.Errorf("snippet of a: %q, want the match marked and the text escaped", sn[0])
	}
	if !strings.HasPrefix(sn[1], "The engine of a car") || strings.Contains(sn[1], "<mark>") || len([]rune(sn[1])) > SnippetRunes+1 {
		t.Errorf("snippet of c (no match): %q, want the beginning of the text", sn[1])
	}
	if sn, err := ix.Snippets(ctx, q, []int{1}, StyleANSI); err != nil || !strings.Contains(sn[0], "\x1b[") {
		t.Errorf("ANSI snippet: %q, %v", sn, err)
	}
	if sn, err := ix.Snippets(ctx, nil, []int{1}, StylePlain); err != nil || sn[0] != docs[1].Text {
		t.Errorf("plain snippet without query: %q, %v", sn, err)
	}
	if text, err := ix.Text(3); err != nil || text != docs[3].Text {
		t.Errorf("Text(3) = %q, %v", text, err)
	}
	mlt, err := ix.MoreLikeThis(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	hits, _, err := ix.Keyword(ctx, mlt, 10, NormBleve)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, ix.Doc(h.Pos).ID)
	}
	// b shares orbit with a and fuel with c; each term is in 2 documents.
	if !slices.Contains(ids, "a") || !slices.Contains(ids, "c") || slices.Contains(ids, "d") {
		t.Errorf("more like b: %v", ids)
	}
}

func TestNoCode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := Create(dir, 2, "fp")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range []Entry{
		{Doc: Doc{ID: "words", Words: 3, Known: 3}, Text: "alpha beta gamma", Code: []float32{1, 0}},
		{Doc: Doc{ID: "emoji", Words: 2, Known: 0, NoCode: true}, Text: "🚀 日本", Code: []float32{0, 0}},
		{Doc: Doc{ID: "other", Words: 1, Known: 1}, Text: "delta", Code: []float32{0.5, 0.5}},
	} {
		if err := w.Add(e); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	ix := mustOpen(t, dir)
	for _, q := range [][]float32{{1, 0}, {0, 1}, {-1, -1}} {
		for _, h := range ix.Search(q, 10, -1) {
			if h.Pos == 1 {
				t.Errorf("query %v returned the document without a code", q)
			}
		}
	}
	cos := make([]float32, 3)
	if !ix.CosinesTo(cos, []float32{1, 0}) || cos[0] != 1 || !math.IsNaN(float64(cos[1])) || cos[2] <= 0.7 || cos[2] >= 0.71 {
		t.Errorf("cosines %v", cos)
	}
	if got := keywordIDs(t, ix, "日本"); !slices.Equal(got, []string{"emoji"}) {
		t.Errorf("keyword search for the document without a code: %v", got)
	}
}

func TestReadDataMissing(t *testing.T) {
	t.Parallel()
	dir := template(t)
	editGen(t, dir, func(txn *badger.Txn) error { return txn.Delete(slotKey(prefixData, 7)) })
	ix := mustOpen(t, dir) // data are read on demand
	err := ix.ReadData(func(int, []byte) error { return nil })
	if !IsCorrupt(err) || !strings.Contains(err.Error(), "x/7 missing") {
		t.Fatalf("ReadData: %v, want ErrCorrupt naming x/7", err)
	}
	stop := errors.New("stop")
	if err := mustOpen(t, template(t)).ReadData(func(int, []byte) error { return stop }); err != stop {
		t.Errorf("ReadData returned %v, want the callback's error as is", err)
	}
}

// TestTextIndexOutOfStep puts the full-text index of another index in a
// generation: Open must refuse it.
func TestTextIndexOutOfStep(t *testing.T) {
	t.Parallel()
	dir, other := template(t), t.TempDir()
	writeTest(t, other, 7, 6, 3, nil)
	gen, _ := readCurrent(dir)
	text := filepath.Join(dir, gen, dirText)
	if err := os.RemoveAll(text); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(text, os.DirFS(filepath.Join(other, genName(1), dirText))); err != nil {
		t.Fatal(err)
	}
	if err := writeSums(filepath.Join(dir, gen)); err != nil { // past the file checksums
		t.Fatal(err)
	}
	_, err := Open(dir)
	if !IsCorrupt(err) || !strings.Contains(err.Error(), "full-text index") {
		t.Fatalf("Open: %v, want ErrCorrupt about the full-text index", err)
	}
}
