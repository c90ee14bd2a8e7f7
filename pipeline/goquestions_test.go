package pipeline

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/query"
)

// goQuestion is one entry of testdata/goquestions.json.
type goQuestion struct {
	Q    string   `json:"q"`
	Want []string `json:"want"`
}

// importPath returns the package of a Go docs document id: "net/http" for
// "net/http", "net/http.Client" and "net/http.Client.Do".
func importPath(id string) string {
	dir, last := "", id
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		dir, last = id[:i+1], id[i+1:]
	}
	last, _, _ = strings.Cut(last, ".")
	return dir + last
}

var goIndex = flag.String("goindex", "", "TestGoDocsQuestions: ask this index (built as README's default) instead of building one")

var titleBoost = flag.Float64("title", query.DefaultTitleBoost, "TestGoDocsQuestions: query.Engine.TitleBoost of the searches")

var fbDocs = flag.Int("fbdocs", -1, "TestGoDocsQuestions: query.Engine.FeedbackDocs (-1: the default)")
var fbWeight = flag.Float64("fbweight", -1, "TestGoDocsQuestions: query.Engine.FeedbackWeight (-1: the default)")
var allWords = flag.Float64("allwords", 0, "TestGoDocsQuestions: query.Engine.AllWordsBoost of the searches (0: off, as the product)")

// goQuestionSets are the question files of TestGoDocsQuestions and the
// hybrid success at 5 each must reach: goquestions.json was written before
// any search and is the bar; goquestions-dev.json was written later,
// also before any search, to choose the keyword side's analysis on
// questions the first set had not shaped (RECIPES.md, "Words inside
// identifiers"), and is reported with a lower floor.
var goQuestionSets = []struct {
	file string
	min  float64
}{
	{"goquestions.json", 0.9},
	{"goquestions-dev.json", 0.75},
}

// TestGoDocsQuestions builds README's default index (the Go standard
// library's documentation, paper profile) and asks it the everyday
// questions of testdata/goquestions*.json: each set's share of questions
// answered by a document of a right package in the top 5, hybrid mode, must
// reach its floor (goQuestionSets).
func TestGoDocsQuestions(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the default index: about two minutes")
	}
	sets := make([][]goQuestion, len(goQuestionSets))
	for i, s := range goQuestionSets {
		b, err := os.ReadFile(filepath.Join("..", "testdata", s.file))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &sets[i]); err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
	}
	dir := *goIndex
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "godocs")
		if _, err := Build(Options{Dir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	eng, err := query.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	eng.AllWordsBoost = *allWords
	eng.TitleBoost = *titleBoost
	if *fbDocs >= 0 {
		eng.FeedbackDocs = *fbDocs
	}
	if *fbWeight >= 0 {
		eng.FeedbackWeight = *fbWeight
	}
	for i, qs := range sets {
		file := goQuestionSets[i].file
		success := map[query.Mode]int{}
		for _, q := range qs {
			for _, mode := range query.Modes {
				resp, err := eng.Search(context.Background(), query.Request{Text: q.Q, Mode: mode, K: 5})
				if err != nil {
					t.Errorf("%s: %q (%s): %v", file, q.Q, mode, err)
					continue
				}
				rank := slices.IndexFunc(resp.Results, func(r query.Result) bool { return slices.Contains(q.Want, importPath(r.ID)) })
				if rank >= 0 {
					success[mode]++
				} else if mode == query.Hybrid {
					var got []string
					for _, r := range resp.Results {
						got = append(got, r.ID)
					}
					t.Logf("%s: hybrid misses %q (want %v): %v", file, q.Q, q.Want, got)
				}
			}
		}
		for _, mode := range query.Modes {
			t.Logf("%s: %-8s success at 5: %d of %d = %.3f", file, mode, success[mode], len(qs), float64(success[mode])/float64(len(qs)))
		}
		if s := float64(success[query.Hybrid]) / float64(len(qs)); s < goQuestionSets[i].min {
			t.Errorf("%s: hybrid success at 5 is %.3f, below %.2f", file, s, goQuestionSets[i].min)
		}
	}
}

func TestImportPath(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"net/http": "net/http", "net/http.Client": "net/http", "net/http.Client.Do": "net/http",
		"sort": "sort", "sort.Slice": "sort", "math/rand/v2.IntN": "math/rand/v2", "cmd/go": "cmd/go",
	} {
		if got := importPath(id); got != want {
			t.Errorf("importPath(%q) = %q, want %q", id, got, want)
		}
	}
}
