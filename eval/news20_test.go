package eval

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"

	"github.com/docsearch/docsearch/internal/testenv"
	"github.com/docsearch/docsearch/vocab"
)

// news20 holds 20 Newsgroups counts built by a deliberately simple analyzer
// (package vocab has the real one): lowercase runs of at least two ASCII
// letters, minus the Snowball English stop words, over the 2000 most
// frequent words of the training split.
type news20 struct {
	train, test             *vocab.Matrix
	trainLabels, testLabels []string
}

func loadNews20(t *testing.T) *news20 {
	t.Helper()
	path := testenv.News20(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(map[string]bool)
	for line := range strings.Lines(string(en.EnglishStopWords)) {
		line, _, _ = strings.Cut(line, "|")
		for _, w := range strings.Fields(line) {
			stop[w] = true
		}
	}
	type doc struct {
		split, label, name string
		words              []string
	}
	var docs []doc
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(h.Name, "./"), "/")
		if len(parts) != 3 {
			continue
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %s: %v", path, h.Name, err)
		}
		docs = append(docs, doc{split: parts[0], label: parts[1], name: parts[2], words: tokens(body, stop)})
	}
	// Archive order is not guaranteed; fix one.
	slices.SortFunc(docs, func(a, b doc) int {
		return cmp.Or(cmp.Compare(a.split, b.split), cmp.Compare(a.label, b.label), cmp.Compare(a.name, b.name))
	})

	freq := make(map[string]int)
	for _, d := range docs {
		if strings.HasSuffix(d.split, "train") {
			for _, w := range d.words {
				freq[w]++
			}
		}
	}
	words := make([]string, 0, len(freq))
	for w := range freq {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, b string) int { return cmp.Or(freq[b]-freq[a], strings.Compare(a, b)) })
	const size = 2000
	col := make(map[string]int32, size)
	for i, w := range words[:size] {
		col[w] = int32(i)
	}

	n := &news20{train: vocab.NewMatrix(size), test: vocab.NewMatrix(size)}
	counts := make(map[int32]float32)
	for _, d := range docs {
		clear(counts)
		for _, w := range d.words {
			if j, ok := col[w]; ok {
				counts[j]++
			}
		}
		var v vocab.Vector
		for j := range counts {
			v.Idx = append(v.Idx, j)
		}
		slices.Sort(v.Idx)
		for _, j := range v.Idx {
			v.Val = append(v.Val, counts[j])
		}
		switch {
		case strings.HasSuffix(d.split, "train"):
			n.train.Append(v)
			n.trainLabels = append(n.trainLabels, d.label)
		case strings.HasSuffix(d.split, "test"):
			n.test.Append(v)
			n.testLabels = append(n.testLabels, d.label)
		}
	}
	return n
}

// tokens returns the lowercase runs of two or more ASCII letters of b that
// are not stop words.
func tokens(b []byte, stop map[string]bool) []string {
	var out []string
	b = bytes.ToLower(b)
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] >= 'a' && b[i] <= 'z' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= 2 {
			if w := string(b[start:i]); !stop[w] {
				out = append(out, w)
			}
		}
		start = -1
	}
	return out
}

// TestNews20Baselines evaluates LSA-10, LSA-50, TF-IDF and BM25 on the 20
// Newsgroups test split. The analyzer here is not the project's, but the
// full-strength recipes give about the same precision at recall 0.1 with
// either: 0.371, 0.489, 0.378, 0.325 here; 0.371, 0.490, 0.379, 0.330 with
// the project's (eval's package documentation). The floors sit 0.011 to
// 0.014 below and above the figures of the weaker recipes used before (smoothed idf,
// raw tf for TF-IDF: 0.316, 0.443, 0.345 with the project's analyzer), so
// that a baseline weakened again fails here; chance is about 0.05.
// EVAL_PLOT=dir writes fig4.png and table.txt there.
func TestNews20Baselines(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the 20 Newsgroups archive")
	}
	start := time.Now()
	d := loadNews20(t)
	if d.train.Rows() != 11314 || d.test.Rows() != 7532 {
		t.Fatalf("read %d training and %d test documents, want 11314 and 7532", d.train.Rows(), d.test.Rows())
	}
	t.Logf("read and counted in %v", time.Since(start).Round(time.Millisecond))

	scorers := map[string]Scorer{}
	for _, k := range []int{10, 50} {
		start := time.Now()
		l, err := FitLSA(d.train, k)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("FitLSA k=%d: %v", k, time.Since(start).Round(time.Millisecond))
		scorers[[]string{10: "LSA-10", 50: "LSA-50"}[k]] = CosineScorer(l.Transform(d.test), k)
	}
	scorers["TF-IDF"] = TFIDF(d.train, d.test)
	scorers["BM25"] = BM25(d.test, BM25K1, BM25B)

	order := []string{"LSA-10", "LSA-50", "TF-IDF", "BM25"}
	floors := map[string]float64{"LSA-10": 0.36, "LSA-50": 0.475, "TF-IDF": 0.365, "BM25": 0.31}
	r := Report{Methods: map[string]Curve{}}
	var total time.Duration
	var totalCPU float64
	for _, name := range order {
		start, cpu := time.Now(), cpuSeconds()
		c, nq := Evaluate(scorers[name], d.testLabels)
		el, elCPU := time.Since(start), cpuSeconds()-cpu
		total += el
		totalCPU += elCPU
		r.Queries = nq
		r.Methods[name] = c
		p := c.PrecisionAtRecall["0.1"]
		t.Logf("%-6s precision at recall 0.1 = %.3f  (evaluated in %v, %.2f s CPU)", name, p, el.Round(time.Millisecond), elCPU)
		if floor := floors[name]; p < floor {
			t.Errorf("%s: precision at recall 0.1 = %.3f, want > %.3f", name, p, floor)
		}
	}
	t.Logf("4 evaluations in %v, %.2f s CPU", total.Round(time.Millisecond), totalCPU)
	if r.Queries != 7532 {
		t.Errorf("queries = %d, want 7532", r.Queries)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, order); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", buf.String())
	if dir := os.Getenv("EVAL_PLOT"); dir != "" {
		if err := Plot(filepath.Join(dir, "fig4.png"), "20 Newsgroups (test set)", r, order); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "table.txt"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
