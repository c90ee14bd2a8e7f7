package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/query"
)

// tiny trains the smallest possible model, for tests of the plumbing.
func tiny(corpus, dir string) Options {
	return Options{Corpus: corpus, Dir: dir, Profile: "quick", Hidden: []int{8}, Code: 2, VocabSize: 50, Epochs: 1}
}

func writeFiles(t *testing.T, files map[string]string) string {
	root := t.TempDir()
	for name, text := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestEmptyCorpus(t *testing.T) {
	t.Parallel()
	root := writeFiles(t, map[string]string{"a/empty": "", "a/blank": "  \n\n", "b/bin": "\x00\x01\x02"})
	_, err := Build(tiny(root, filepath.Join(t.TempDir(), "ix")))
	if err == nil || !strings.Contains(err.Error(), root) {
		t.Fatalf("err = %v, want an error naming %s", err, root)
	}
}

func TestNoVocabularyWords(t *testing.T) {
	t.Parallel()
	root := writeFiles(t, map[string]string{"a/1": "the and of", "a/2": "123 456 !!!"})
	_, err := Build(tiny(root, filepath.Join(t.TempDir(), "ix")))
	if err == nil {
		t.Fatal("a corpus of stop words and digits was accepted")
	}
}

func TestFewTermsOneClassUnlabeledEval(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for i := 0; i < 20; i++ {
		files[fmt.Sprintf("doc%02d", i)] = strings.Repeat("apple banana cherry ", i%3+1) + "date"
	}
	root := writeFiles(t, files)
	dir := filepath.Join(t.TempDir(), "ix")
	s, err := Build(tiny(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	if s.VocabLen != 4 {
		t.Errorf("vocabulary of %d terms, want the 4 there are", s.VocabLen)
	}
	_, err = Evaluate(dir, EvalOptions{Baselines: []string{"tfidf"}})
	if err == nil || !strings.Contains(err.Error(), "label") {
		t.Errorf("eval on an unlabeled index: %v", err)
	}
	if _, err := Evaluate(dir, EvalOptions{Baselines: []string{"lsa-x", "magic"}}); err == nil {
		t.Error("unknown baselines accepted")
	}

	// The same documents in one class: every document is relevant to every
	// query, so precision is 1 at every recall.
	one := map[string]string{}
	for name, text := range files {
		one["only/"+name] = text
	}
	dir1 := filepath.Join(t.TempDir(), "ix")
	if _, err := Build(tiny(writeFiles(t, one), dir1)); err != nil {
		t.Fatal(err)
	}
	ev, err := Evaluate(dir1, EvalOptions{Baselines: []string{"tfidf"}})
	if err != nil {
		t.Fatal(err)
	}
	for m, c := range ev.Report.Methods {
		if p := c.PrecisionAtRecall["0.5"]; p != 0 && p != 1 {
			t.Errorf("%s: precision %g with a single class", m, p)
		}
		if p := c.PrecisionAtRecall["1.0"]; p != 1 {
			t.Errorf("%s: precision at recall 1 is %g with a single class", m, p)
		}
	}
}

func TestRebuildKeepsOldIndexUntilCommit(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for i := 0; i < 30; i++ {
		files[fmt.Sprintf("c%d/doc%02d", i%2, i)] = strings.Repeat(fmt.Sprintf("word%c other%c ", 'a'+i%2, 'a'+i%5), 5)
	}
	root := writeFiles(t, files)
	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := Build(tiny(root, dir)); err != nil {
		t.Fatal(err)
	}
	// A writer that dies before committing leaves the first index as it was.
	w, err := index.Create(dir, 2, "x")
	if err != nil {
		t.Fatal(err)
	}
	w.Add(index.Entry{Doc: index.Doc{ID: "zzz"}, Text: "zzz", Code: []float32{1, 1}})
	if _, err := query.Open(dir); err != nil {
		t.Fatalf("index unreadable while a writer is open: %v", err)
	}
	// and a second writer is refused while the first holds the lock.
	if _, err := Build(tiny(root, dir)); !errors.Is(err, index.ErrLocked) {
		t.Errorf("second writer: err = %v, want ErrLocked", err)
	}
	w.Abort()
	eng, err := query.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Index.Len() != 30 {
		t.Errorf("index has %d documents after an aborted writer", eng.Index.Len())
	}
}

// TestReproducibleBuild trains the same small model twice with one seed:
// the stored models must be identical, and another seed must differ.
func TestReproducibleBuild(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for i := 0; i < 40; i++ {
		files[fmt.Sprintf("c%d/d%02d", i%2, i)] = strings.Repeat(fmt.Sprintf("alpha%c beta%c gamma%c ", 'a'+i%2, 'a'+i%3, 'a'+i%5), 4)
	}
	root := writeFiles(t, files)
	fp := func(seed uint64) string {
		dir := filepath.Join(t.TempDir(), "ix")
		o := tiny(root, dir)
		o.Seed, o.Epochs, o.Hidden = seed, 3, []int{12, 6}
		if _, err := Build(o); err != nil {
			t.Fatal(err)
		}
		ix, err := index.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		return ix.Meta().Fingerprint
	}
	a, b, c := fp(7), fp(7), fp(8)
	if a != b {
		t.Errorf("seed 7 twice gave models %.12s and %.12s", a, b)
	}
	if a == c {
		t.Error("seeds 7 and 8 gave the same model")
	}
}

// TestTruncatedListed: a document cut at the size limit is listed in the
// summary (issue 13 item 2: ingest recorded it, the summary dropped it).
func TestTruncatedListed(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for i := 0; i < 12; i++ {
		files[fmt.Sprintf("c%d/doc%02d", i%2, i)] = strings.Repeat(fmt.Sprintf("word%c other%c ", 'a'+i%2, 'a'+i%3), 8)
	}
	files["c0/huge"] = strings.Repeat("worda othera ", 1000)
	o := tiny(writeFiles(t, files), filepath.Join(t.TempDir(), "ix"))
	o.MaxDocBytes = 2000
	s, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Truncated) != 1 || s.Truncated[0] != "c0/huge" {
		t.Errorf("truncated documents in the summary: %q, want [c0/huge]", s.Truncated)
	}
}

// TestNoCodeDocuments: documents without a vocabulary word (issue 13 item
// 4) are indexed for keyword search only and listed, and a query in
// their own script finds them by keywords but never by codes.
func TestNoCodeDocuments(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for i := 0; i < 20; i++ {
		files[fmt.Sprintf("c%d/doc%02d", i%2, i)] = strings.Repeat(fmt.Sprintf("alpha%c beta%c gamma ", 'a'+i%2, 'a'+i%3), 6)
	}
	train := writeFiles(t, files) // the model learns from these alone
	files["c0/cjk"] = "日本語のテキストです。漢字とひらがな。"
	files["c1/emoji"] = "🚀🚀 🌍 ✨✨✨"
	dir := filepath.Join(t.TempDir(), "ix")
	o := tiny(writeFiles(t, files), dir)
	o.Train = train
	s, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.NoCode, ",") != "c0/cjk,c1/emoji" || s.IndexedDocs != 22 {
		t.Fatalf("indexed %d, without a code %q", s.IndexedDocs, s.NoCode)
	}
	eng, err := query.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ctx := context.Background()
	for _, mode := range []query.Mode{query.Hybrid, query.Semantic} {
		resp, err := eng.Search(ctx, query.Request{Text: "alphaa gamma", Mode: mode, K: 30})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resp.Results {
			if r.ID == "c0/cjk" || r.ID == "c1/emoji" {
				t.Errorf("%s: an unrelated query returned %s", mode, r.ID)
			}
		}
	}
	resp, err := eng.Search(ctx, query.Request{Text: "日本語"})
	if err != nil || len(resp.Results) != 1 || resp.Results[0].ID != "c0/cjk" {
		t.Errorf("a Japanese query: %+v, %v", resp, err)
	}
}

// TestCheckSpecDeb822: a "deb822:FILE" corpus names FILE
// (bench/corpora/debian.sh's command line).
func TestCheckSpecDeb822(t *testing.T) {
	t.Parallel()
	if err := checkSpec("deb822:bad_input_test.go"); err != nil {
		t.Errorf("deb822:bad_input_test.go: %v", err)
	}
	if err := checkSpec("deb822:no-such-file"); err == nil {
		t.Error("deb822:no-such-file passed")
	}
}
