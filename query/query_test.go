package query_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

func init() { progress.SetOutput(nil) }

var topics = map[string][]string{
	"space":  strings.Fields("orbit rocket launch satellite planet moon shuttle nasa astronaut telescope galaxy star mission"),
	"cars":   strings.Fields("engine wheel brake tire dealer sedan mileage transmission clutch gasoline highway driver"),
	"health": strings.Fields("doctor patient disease treatment medicine symptom hospital therapy diagnosis vaccine clinic"),
}

// writeCorpus writes a folder corpus of n documents per topic; each
// document draws 30 to 80 words, 85% from its topic, the rest from a
// shared pool.
func writeCorpus(t testing.TB, n int, seed uint64) string {
	root := t.TempDir()
	r := rand.New(rand.NewPCG(seed, 1))
	common := strings.Fields("the people think about time year good make know work first well")
	for label, words := range topics {
		os.MkdirAll(filepath.Join(root, label), 0o755)
		for i := 0; i < n; i++ {
			var sb strings.Builder
			fmt.Fprintf(&sb, "Subject: %s note %d\n\n", label, i)
			for w := 0; w < 30+r.IntN(50); w++ {
				if r.Float64() < 0.85 {
					sb.WriteString(words[r.IntN(len(words))])
				} else {
					sb.WriteString(common[r.IntN(len(common))])
				}
				sb.WriteByte(' ')
			}
			os.WriteFile(filepath.Join(root, label, fmt.Sprint(1000+i)), []byte(sb.String()), 0o644)
		}
	}
	return root
}

var (
	once   sync.Once
	ixDir  string
	ixErr  error
	corpus string
)

// sharedIndex builds one small index for the tests of this file.
func sharedIndex(t *testing.T) string {
	once.Do(func() {
		dir, err := os.MkdirTemp("", "docsearch-query-test")
		if err != nil {
			ixErr = err
			return
		}
		corpus = writeCorpus(t, 60, 1)
		ixDir = filepath.Join(dir, "ix")
		_, ixErr = pipeline.Build(pipeline.Options{Corpus: corpus, Dir: ixDir, Profile: "quick", Hidden: []int{30, 20}, Code: 4, VocabSize: 200, Epochs: 10, Seed: 1})
	})
	if ixErr != nil {
		t.Fatal(ixErr)
	}
	return ixDir
}

func TestTextQueryFindsTopic(t *testing.T) {
	eng, err := query.Open(sharedIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	for label, words := range topics {
		res, err := eng.Text(strings.Join(words[:5], " "), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 10 {
			t.Fatalf("%d results", len(res))
		}
		same := 0
		for i, r := range res {
			if r.Rank != i+1 || (i > 0 && r.Score > res[i-1].Score) {
				t.Fatalf("results not ranked: %+v", res)
			}
			if r.Label == label {
				same++
			}
		}
		if same < 8 {
			t.Errorf("query about %s: %d of 10 results in the topic: %+v", label, same, res)
		}
	}
}

func TestDocQueryExcludesItself(t *testing.T) {
	eng, err := query.Open(sharedIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Doc("space/1003", 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.ID == "space/1003" {
			t.Error("the query document is among its own results")
		}
	}
	if _, err := eng.Doc("nope/1", 5); err == nil || !strings.Contains(err.Error(), "nope/1") {
		t.Errorf("unknown id: err = %v", err)
	}
}

func TestBadQueries(t *testing.T) {
	eng, err := query.Open(sharedIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Text("zzzz qqqq", 5); !errors.Is(err, query.ErrNoWords) {
		t.Errorf("unknown words: err = %v", err)
	}
	if _, err := eng.Text("   ", 5); err == nil {
		t.Error("empty text accepted")
	}
	if _, err := eng.Text("rocket", 0); err == nil {
		t.Error("k = 0 accepted")
	}
}

func TestConcurrentQueries(t *testing.T) {
	eng, err := query.Open(sharedIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := eng.Text("engine brake", 7)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				got, err := eng.Text("engine brake", 7)
				if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("concurrent query differs: %v %v", err, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestModelIndexMismatch writes an index whose codes claim another model:
// opening it must fail clearly instead of ranking with the wrong model.
func TestModelIndexMismatch(t *testing.T) {
	src, err := index.Open(sharedIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ix")
	w, err := index.Create(dir, src.Dim(), "0123456789abcdef-some-other-model")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{query.BlobVocab, query.BlobNet, query.BlobMean} {
		b, err := src.Blob(name)
		if err != nil {
			t.Fatal(err)
		}
		w.PutBlob(name, b)
	}
	w.Add(src.Doc(0), src.Code(0))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := query.Open(dir); !errors.Is(err, query.ErrMismatch) {
		t.Errorf("err = %v, want ErrMismatch", err)
	}
}
