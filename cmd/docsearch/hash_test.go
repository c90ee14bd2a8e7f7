package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestHashFlags(t *testing.T) {
	dir := t.TempDir()
	_, err := run(t, "index", "--quiet", "--index", dir, "--bits", "7", "--corpus", dir)
	if err == nil || !strings.Contains(err.Error(), "--bits") || !strings.Contains(err.Error(), "7") {
		t.Errorf("--bits 7: %v", err)
	}
	_, err = run(t, "query", "--index", dir, "--mode", "semantic", "--radius", "2", "--rerank", "tfidf", "--bits", "32", "hello")
	for _, want := range []string{"--radius", "--rerank", "--bits"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("hashing flags with mode semantic: %v, want %q", err, want)
		}
	}
}

func TestHashQuery(t *testing.T) {
	corpus := writeCorpus(t)
	dir := filepath.Join(t.TempDir(), "ix")
	out, err := run(t, "index", "--quiet", "--corpus", corpus, "--index", dir, "--profile", "quick",
		"--vocab", "100", "--hidden", "20", "--code", "3", "--epochs", "5", "--bits", "32")
	if err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	for _, args := range [][]string{
		{"--mode", "hamming"},
		{"--mode", "hash"},
		{"--mode", "hash", "--radius", "1", "--rerank", "keyword"},
	} {
		out, err = run(t, append(append([]string{"query", "--index", dir, "--k", "3"}, args...), "apple banana")...)
		if err != nil || !strings.Contains(out, "fruit") {
			t.Errorf("query %v: %v\n%s", args, err, out)
		}
	}
	out, err = run(t, "eval", "--index", dir, "--json", "--modes", "", "--baselines", "")
	if err != nil || !strings.Contains(out, `"hamming-32"`) || !strings.Contains(out, `"hash-32-tfidf"`) {
		t.Errorf("eval: %v\n%s", err, out)
	}
}
