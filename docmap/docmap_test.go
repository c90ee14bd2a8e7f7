package docmap

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"testing"

	"github.com/docsearch/docsearch/index"
)

// writeIndex commits an index of the given codes (nil: a document without
// a code) with labels "a" and "b" alternating.
func writeIndex(t *testing.T, codes [][]float32, dim int) *index.Index {
	t.Helper()
	dir := t.TempDir()
	w, err := index.Create(dir, dim, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for i, c := range codes {
		e := index.Entry{Doc: index.Doc{ID: fmt.Sprint(i), Label: string(rune('a' + i%2)), Words: 1, Known: 1}, Text: "word", Code: c}
		if c == nil {
			e.Code, e.NoCode, e.Known = make([]float32, dim), true, 0
		}
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
	t.Cleanup(func() { ix.Close() })
	return ix
}

// TestProjectArc: unit codes on an arc of the x-y plane of 3-D space (the
// z value is 0) lie in a plane, so the two components explain all the
// variance, and the map keeps the order of the points along the first
// axis (an arc of 90 degrees is nearly straight along its chord). Codes
// of other lengths are scaled to unit length first: the third point is
// the second one doubled, and lands on it.
func TestProjectArc(t *testing.T) {
	t.Parallel()
	var codes [][]float32
	for i := range 10 {
		a := math.Pi / 2 * float64(i) / 9
		codes = append(codes, []float32{float32(math.Cos(a)), float32(math.Sin(a)), 0})
	}
	codes = append(codes, []float32{2 * codes[1][0], 2 * codes[1][1], 0}, nil)
	m, err := Project(writeIndex(t, codes, 3))
	if err != nil {
		t.Fatal(err)
	}
	if m.Placed != 11 || !math.IsNaN(m.X[11]) || !math.IsNaN(m.Y[11]) {
		t.Errorf("placed %d; the document without a code at (%g, %g)", m.Placed, m.X[11], m.Y[11])
	}
	if got := m.Explained[0] + m.Explained[1]; math.Abs(got-1) > 1e-9 || m.Explained[0] < m.Explained[1] {
		t.Errorf("explained %v, want two shares summing to 1, the first larger", m.Explained)
	}
	if math.Abs(m.X[10]-m.X[1]) > 1e-6 || math.Abs(m.Y[10]-m.Y[1]) > 1e-6 {
		t.Errorf("a code and its double: (%g, %g) and (%g, %g)", m.X[1], m.Y[1], m.X[10], m.Y[10])
	}
	increasing, decreasing := true, true
	for i := 1; i < 10; i++ {
		increasing = increasing && m.X[i] > m.X[i-1]
		decreasing = decreasing && m.X[i] < m.X[i-1]
	}
	if !increasing && !decreasing {
		t.Errorf("the first axis does not follow the arc: %v", m.X[:10])
	}
	var mean float64
	for _, x := range m.X[:11] {
		mean += x
	}
	if math.Abs(mean/11) > 1e-9 {
		t.Errorf("the projection is not centred: mean x %g", mean/11)
	}
	// The same index gives the same map (the signs are fixed).
	again, err := Project(writeIndex(t, codes, 3))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 11 {
		if again.X[i] != m.X[i] || again.Y[i] != m.Y[i] {
			t.Fatalf("point %d: (%g, %g) then (%g, %g)", i, m.X[i], m.Y[i], again.X[i], again.Y[i])
		}
	}
}

func TestDraw(t *testing.T) {
	t.Parallel()
	codes := [][]float32{{1, 0}, {0, 1}, {1, 1}, {-1, 0.5}, nil}
	m, err := Project(writeIndex(t, codes, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, marked := range [][]int{nil, {0, 2}, {4, -1, 99}} { // out-of-range and code-less marks are skipped
		var buf bytes.Buffer
		if err := m.Draw(&buf, "test", marked); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 900 || b.Dy() != 600 {
			t.Errorf("image %v, want 900x600", b)
		}
	}
}

func TestOnePoint(t *testing.T) {
	t.Parallel()
	m, err := Project(writeIndex(t, [][]float32{{1, 2, 3}}, 3))
	if err != nil || m.Placed != 1 || m.X[0] != 0 || m.Y[0] != 0 {
		t.Errorf("%v, %+v", err, m)
	}
}
