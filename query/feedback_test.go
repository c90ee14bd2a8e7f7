package query

import (
	"fmt"
	"math"
	"testing"

	"github.com/docsearch/docsearch/index"
)

// TestFeedback: the code of a hybrid text query moves to its unit code
// plus FeedbackWeight times the unit mean of the unit codes of its best
// FeedbackDocs keyword hits, the excluded document and documents without a
// code passed over; without feedback it stays.
func TestFeedback(t *testing.T) {
	dir := t.TempDir()
	w, err := index.Create(dir, 2, "fp")
	if err != nil {
		t.Fatal(err)
	}
	codes := [][]float32{{3, 4}, {0, 2}, {1, 0}, {5, 5}, {-1, 0}}
	for i, c := range codes {
		e := index.Entry{Doc: index.Doc{ID: fmt.Sprint(i), Words: 1, Known: 1, NoCode: i == 1}, Text: "t", Code: c}
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	e := &Engine{Index: ix, FeedbackDocs: 2, FeedbackWeight: 2}
	q := []float32{0, -2}
	// Best first: 0 (excluded), 1 (no code), 2 and 4 (the two used), 3.
	hits := []index.Hit{{Pos: 0}, {Pos: 1}, {Pos: 2}, {Pos: 4}, {Pos: 3}}
	got := e.feedback(q, hits, 0)
	// Units of 2 and 4: (1, 0) and (-1, 0): a zero mean, no feedback.
	if got[0] != q[0] || got[1] != q[1] {
		t.Errorf("a zero mean moved the code to %v", got)
	}
	hits = []index.Hit{{Pos: 0}, {Pos: 1}, {Pos: 2}, {Pos: 3}, {Pos: 4}}
	got = e.feedback(q, hits, 0)
	// Units of 2 and 3: (1, 0) and (0.7071, 0.7071); mean (0.8536,
	// 0.3536), unit (0.9239, 0.3827); q's unit (0, -1).
	want := []float64{2 * 0.9238795, -1 + 2*0.3826834}
	for j := range want {
		if math.Abs(float64(got[j])-want[j]) > 1e-5 {
			t.Fatalf("moved code %v, want %v", got, want)
		}
	}
	e.FeedbackDocs = 0
	if got := e.feedback(q, hits, 0); &got[0] != &q[0] {
		t.Errorf("no feedback, yet the code changed to %v", got)
	}
}
