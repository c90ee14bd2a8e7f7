package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/query"
)

// run executes the command line and returns its standard output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	app := newApp()
	var out bytes.Buffer
	app.Writer = &out
	app.ErrWriter = &out
	err := app.Run(append([]string{"docsearch"}, args...))
	return out.String(), err
}

func writeCorpus(t *testing.T) string {
	root := t.TempDir()
	words := map[string]string{
		"fruit":  "apple banana cherry grape lemon mango orange peach pear plum",
		"metal":  "iron copper silver gold zinc nickel cobalt titanium bronze steel",
		"animal": "horse tiger zebra eagle shark whale otter camel moose wolf",
	}
	for label, ws := range words {
		f := strings.Fields(ws)
		os.MkdirAll(filepath.Join(root, label), 0o755)
		for i := 0; i < 40; i++ {
			var sb strings.Builder
			for j := 0; j < 40; j++ {
				sb.WriteString(f[(i*7+j*j)%len(f)] + " ")
			}
			os.WriteFile(filepath.Join(root, label, fmt.Sprint(i)), []byte(sb.String()), 0o644)
		}
	}
	return root
}

func TestIndexQueryEval(t *testing.T) {
	corpus := writeCorpus(t)
	dir := filepath.Join(t.TempDir(), "ix")
	out, err := run(t, "index", "--quiet", "--corpus", corpus, "--index", dir, "--profile", "quick",
		"--vocab", "100", "--hidden", "20", "--code", "3", "--epochs", "5")
	if err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	if !strings.Contains(out, "indexed 120 documents") || !strings.Contains(out, "input      counts (given)") {
		t.Errorf("index output: %s", out)
	}
	for _, mode := range []string{"hybrid", "keyword", "semantic"} {
		out, err = run(t, "query", "--index", dir, "--k", "3", "--json", "--mode", mode, "apple banana")
		if err != nil {
			t.Fatal(err)
		}
		var q struct {
			Mode    string
			Results []struct {
				ID      string
				Label   string
				Score   float64
				Snippet string
			}
		}
		if err := json.Unmarshal([]byte(out), &q); err != nil || len(q.Results) != 3 || q.Mode != mode {
			t.Fatalf("query --json --mode %s: %v\n%s", mode, err, out)
		}
		for _, r := range q.Results {
			if r.Label != "fruit" || (mode != "semantic" && !strings.Contains(r.Snippet, "apple")) {
				t.Errorf("%s: %+v", mode, r)
			}
		}
	}
	out, err = run(t, "query", "--index", dir, "--k", "5", "--label", "metal", "--json", "apple")
	if err != nil || strings.Count(out, `"label": "metal"`) != 5 || strings.Contains(out, `"label": "fruit"`) {
		t.Errorf("query --label metal: %v\n%s", err, out)
	}
	plot := filepath.Join(t.TempDir(), "pr.png")
	out, err = run(t, "eval", "--index", dir, "--json", "--short", "--plot", plot, "--baselines", "lsa-3,tfidf,bm25")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Queries int
		Methods map[string]struct {
			PrecisionAtRecall map[string]float64 `json:"precision_at_recall"`
			AccuracyAtK       map[string]float64 `json:"accuracy_at_k"`
		}
		Short struct {
			Queries int
			Methods map[string]struct {
				PrecisionAtK map[string]float64 `json:"precision_at_k"`
				MAP          float64
			}
		} `json:"short_queries"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, out)
	}
	if rep.Queries != 120 {
		t.Errorf("queries = %d", rep.Queries)
	}
	if rep.Short.Queries != 120 || len(rep.Short.Methods) != 3 || rep.Short.Methods["hybrid"].PrecisionAtK["10"] == 0 {
		t.Errorf("short_queries: %+v", rep.Short)
	}
	for _, m := range []string{"autoencoder-3", "keyword", "hybrid", "autoencoder-3-pretrained", "lsa-3", "tfidf", "bm25"} {
		c, ok := rep.Methods[m]
		if !ok {
			t.Errorf("method %s missing from %v", m, rep.Methods)
			continue
		}
		if _, ok := c.PrecisionAtRecall["0.1"]; !ok {
			t.Errorf("%s lacks precision_at_recall[0.1]", m)
		}
		if _, ok := c.AccuracyAtK["15"]; !ok {
			t.Errorf("%s lacks accuracy_at_k[15]", m)
		}
	}
	if st, err := os.Stat(plot); err != nil || st.Size() < 1000 {
		t.Errorf("plot: %v", err)
	}
	// A second model of the same documents joins the report with --with.
	dir2 := filepath.Join(t.TempDir(), "ix2")
	if out, err := run(t, "index", "--quiet", "--corpus", corpus, "--index", dir2, "--profile", "quick",
		"--vocab", "100", "--hidden", "20", "--code", "2", "--epochs", "2"); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	out, err = run(t, "eval", "--index", dir, "--json", "--baselines", "", "--with", dir2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"autoencoder-2"`) || !strings.Contains(out, `"autoencoder-2-pretrained"`) || !strings.Contains(out, `"autoencoder-3"`) {
		t.Errorf("eval --with: %s", out)
	}
	if _, err := run(t, "eval", "--index", dir, "--with", filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("eval --with a missing index succeeded")
	}
	out, err = run(t, "version")
	if err != nil || !strings.Contains(out, "backend") {
		t.Errorf("version: %v %s", err, out)
	}
}

func TestBadFlagsListEveryProblem(t *testing.T) {
	dir := t.TempDir()
	_, err := run(t, "index", "--quiet", "--index", dir, "--profile", "fast", "--vocab", "0", "--code", "-1", "--corpus", "/no/such/path",
		"--input", "tfidf")
	if err == nil {
		t.Fatal("bad flags accepted")
	}
	for _, want := range []string{"--profile", "--vocab", "--code", "--corpus", `--input: must be auto, counts or log-idf, got "tfidf"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
	_, err = run(t, "query", "--index", dir, "--k", "0")
	if err == nil || !strings.Contains(err.Error(), "--k") || !strings.Contains(err.Error(), "exactly one") {
		t.Errorf("query with k=0 and no text: %v", err)
	}
	_, err = run(t, "query", "--index", filepath.Join(dir, "missing"), "hello")
	if err == nil {
		t.Error("query on a missing index succeeded")
	}
	_, err = run(t, "query", "--index", dir, "--mode", "magic", "--snippets", "pdf", "hello", "--k", "3")
	for _, want := range []string{"--mode", "--snippets", "--k after the query text"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("query with a bad mode, style and a late flag: %v, want %q", err, want)
		}
	}
}

// TestPrintInput: the index summary and info say which input the model
// took and how: given, taken by default for want of labels, or chosen
// with both scores.
func TestPrintInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		input string
		sel   *query.InputSelection
		want  string
	}{
		{"", nil, "input      not recorded"},
		{"counts", nil, "input      counts (given)"},
		{"log-idf", &query.InputSelection{Reason: "no labels"}, "input      log-idf (auto, no choice: no labels)"},
		{"counts", &query.InputSelection{Measure: "m", HeldOut: 200, Queries: 150, Scores: map[string]float64{"log-idf": 0.25, "counts": 0.5}},
			"input      counts (auto: counts 0.5000, log-idf 0.2500; m, 150 queries of 200 held out)"},
	} {
		var b strings.Builder
		printInput(&b, c.input, c.sel)
		if !strings.HasPrefix(b.String(), c.want) {
			t.Errorf("%s %+v: %q, want %q", c.input, c.sel, b.String(), c.want)
		}
	}
}
