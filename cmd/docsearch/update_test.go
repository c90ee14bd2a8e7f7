package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAddRemoveInfo adds documents to an index, finds them at once,
// refuses duplicates without --replace, removes them and reports coverage.
func TestAddRemoveInfo(t *testing.T) {
	corpus := writeCorpus(t)
	dir := filepath.Join(t.TempDir(), "ix")
	if out, err := run(t, "index", "--quiet", "--corpus", corpus, "--index", dir, "--profile", "quick",
		"--vocab", "100", "--hidden", "20", "--code", "3", "--epochs", "3"); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	extra := filepath.Join(t.TempDir(), "new.jsonl")
	var lines []string
	for i := range 4 {
		lines = append(lines, fmt.Sprintf(`{"id": "new-%d", "label": "fruit", "text": "quinoa kumquat pomelo apple %d"}`, i, i))
	}
	lines = append(lines, `{"id": "cjk", "text": "日本語のテキスト"}`)
	if err := os.WriteFile(extra, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "add", "--quiet", "--index", dir, "--corpus", extra)
	if err != nil || !strings.Contains(out, "added 5 documents (0 replaced)") || !strings.Contains(out, "125 documents") ||
		!strings.Contains(out, "keyword search only 1") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	// The new words are outside the vocabulary: the keyword side finds them.
	out, err = run(t, "query", "--index", dir, "--snippets", "none", "kumquat")
	if err != nil || strings.Count(out, "new-") != 4 {
		t.Errorf("query for an added word: %v\n%s", err, out)
	}
	out, err = run(t, "query", "--index", dir, "--snippets", "none", "日本語")
	if err != nil || !strings.Contains(out, "cjk") {
		t.Errorf("query for the code-less document: %v\n%s", err, out)
	}
	// A duplicate id is refused, and nothing is added.
	if _, err := run(t, "add", "--quiet", "--index", dir, "--corpus", extra); err == nil || !strings.Contains(err.Error(), `"new-0"`) || !strings.Contains(err.Error(), "--replace") {
		t.Errorf("second add: %v", err)
	}
	out, err = run(t, "add", "--quiet", "--index", dir, "--corpus", extra, "--replace")
	if err != nil || !strings.Contains(out, "added 5 documents (5 replaced)") || !strings.Contains(out, "125 documents") {
		t.Errorf("add --replace: %v\n%s", err, out)
	}
	out, err = run(t, "info", "--index", dir, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Documents, Added int
		NoCode           int `json:"no_code"`
		Labels           map[string]int
		AddedCoverage    float64 `json:"added_coverage"`
		IndexedCoverage  float64 `json:"indexed_coverage"`
		Advice           string
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Documents != 125 || info.Added != 5 || info.NoCode != 1 || info.Labels["fruit"] != 44 ||
		info.IndexedCoverage < 0.99 || info.AddedCoverage > 0.3 || !strings.Contains(info.Advice, "retrain") {
		t.Errorf("info: %+v", info)
	}
	if _, err := run(t, "remove", "--index", dir, "new-1", "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("remove of an unknown id: %v", err)
	}
	out, err = run(t, "remove", "--index", dir, "new-0", "new-1", "new-2", "new-3", "cjk")
	if err != nil || !strings.Contains(out, "removed 5 documents") || !strings.Contains(out, "120 documents") {
		t.Fatalf("remove: %v\n%s", err, out)
	}
	out, err = run(t, "query", "--index", dir, "--mode", "keyword", "kumquat")
	if err != nil || strings.Contains(out, "new-") {
		t.Errorf("removed documents still found: %v\n%s", err, out)
	}
	out, err = run(t, "info", "--index", dir)
	if err != nil || !strings.Contains(out, "120 in 3 labels") || !strings.Contains(out, "input      counts (given)") ||
		!strings.Contains(out, "analyzed by docsearch_en") {
		t.Errorf("info: %v\n%s", err, out)
	}
	// reanalyze rewrites the full-text index in a new generation; searches
	// find what they found.
	before, err := run(t, "query", "--index", dir, "--mode", "keyword", "-k", "100", "--snippets", "none", "--json", "fruit")
	if err != nil {
		t.Fatal(err)
	}
	out, err = run(t, "reanalyze", "--index", dir)
	if err != nil || !strings.Contains(out, "with docsearch_en") {
		t.Fatalf("reanalyze: %v\n%s", err, out)
	}
	after, err := run(t, "query", "--index", dir, "--mode", "keyword", "-k", "100", "--snippets", "none", "--json", "fruit")
	if err != nil || len(hitSet(before)) != 40 || !slices.Equal(hitSet(after), hitSet(before)) {
		t.Errorf("keyword search after reanalyze: %v\n%s\nbefore:\n%s", err, after, before)
	}
	if _, err := run(t, "reanalyze", "--index", filepath.Join(dir, "nope")); err == nil {
		t.Error("reanalyze of a missing index succeeded")
	}
}

// hitSet returns the (id, score) pairs of a query's JSON, sorted: equal
// scores may come in another order from a rewritten full-text index.
func hitSet(s string) []string {
	var r struct {
		Results []struct {
			ID    string
			Score float64
		}
	}
	if json.Unmarshal([]byte(s), &r) != nil {
		return []string{s}
	}
	var out []string
	for _, h := range r.Results {
		out = append(out, fmt.Sprintf("%s %.6g", h.ID, h.Score))
	}
	slices.Sort(out)
	return out
}
