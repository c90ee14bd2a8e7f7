package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/docsearch/docsearch/internal/blas"
	"github.com/docsearch/docsearch/query"
)

var update = flag.Bool("update", false, "rewrite the expected.json of every case in ../testdata/golden")

// goldenBuild is a case's build.json: the training recipe of its index.
type goldenBuild struct {
	Profile Profile `json:"profile"`
	Hidden  []int   `json:"hidden"`
	Code    int     `json:"code"`
	Vocab   int     `json:"vocab"`
	Epochs  int     `json:"epochs"`
	Seed    uint64  `json:"seed"`
}

// goldenSearch is one search of a case's searches.json.
type goldenSearch struct {
	Text  string     `json:"text,omitempty"`
	Doc   string     `json:"doc,omitempty"` // more like this document
	Mode  query.Mode `json:"mode"`
	Label string     `json:"label,omitempty"`
	K     int        `json:"k"`
}

// goldenExpected is a case's expected.json: the ranked ids of every
// search, in the order of searches.json, and the matrix kernels that the
// ids of the trained modes were made with.
type goldenExpected struct {
	Backend string         `json:"backend"`
	Results []goldenResult `json:"results"`
}

type goldenResult struct {
	Search goldenSearch `json:"search"`
	IDs    []string     `json:"ids"`
}

// marshal writes e with a result a line.
func (e goldenExpected) marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n  \"backend\": %q,\n  \"results\": [\n", e.Backend)
	for i, r := range e.Results {
		line, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		b.WriteString("    ")
		b.Write(line)
		if i < len(e.Results)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("  ]\n}\n")
	return b.Bytes()
}

// TestGolden builds the index of every case folder in ../testdata/golden
// (see its README) and compares the ranked ids of its searches with
// expected.json. Keyword ids are checked on every backend; semantic and
// hybrid ids, which depend on training, only with the kernels expected.json
// names. go test -run TestGolden ./pipeline/ -update rewrites expected.json.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "*", "searches.json"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) { runGolden(t, dir) })
	}
}

func runGolden(t *testing.T, dir string) {
	var b goldenBuild
	var searches []goldenSearch
	readJSONFile(t, filepath.Join(dir, "build.json"), &b)
	readJSONFile(t, filepath.Join(dir, "searches.json"), &searches)
	ix := filepath.Join(t.TempDir(), "ix")
	_, err := Build(Options{Corpus: filepath.Join(dir, "data"), Dir: ix, Profile: b.Profile, Hidden: b.Hidden,
		Code: b.Code, VocabSize: b.Vocab, Epochs: b.Epochs, Seed: b.Seed})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := query.Open(ix)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	got := goldenExpected{Backend: blas.Backend()}
	for _, s := range searches {
		resp, err := eng.Search(context.Background(), query.Request{Text: s.Text, DocID: s.Doc, Mode: s.Mode, Label: s.Label, K: s.K})
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		ids := []string{}
		for _, r := range resp.Results {
			ids = append(ids, r.ID)
		}
		got.Results = append(got.Results, goldenResult{Search: s, IDs: ids})
	}
	path := filepath.Join(dir, "expected.json")
	if *update {
		if err := os.WriteFile(path, got.marshal(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (backend %s)", path, got.Backend)
		return
	}
	var want goldenExpected
	readJSONFile(t, path, &want)
	if len(want.Results) != len(got.Results) {
		t.Fatalf("%s has %d results for %d searches; run with -update", path, len(want.Results), len(got.Results))
	}
	trained := blas.Backend() == want.Backend
	if !trained {
		t.Logf("backend %s: semantic and hybrid ids are logged, not checked (expected.json is of %s)", blas.Backend(), want.Backend)
	}
	for i, g := range got.Results {
		w := want.Results[i]
		switch {
		case g.Search != w.Search:
			t.Errorf("search %d is %+v, expected.json has %+v; run with -update", i, g.Search, w.Search)
		case slices.Equal(g.IDs, w.IDs):
		case g.Search.Mode == query.Keyword || trained:
			t.Errorf("%+v:\n got  %q\n want %q", g.Search, g.IDs, w.IDs)
		default:
			t.Logf("%+v: %q (%s: %q)", g.Search, g.IDs, want.Backend, w.IDs)
		}
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
