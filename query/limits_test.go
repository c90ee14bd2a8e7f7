package query_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

// TestExpansionLimits: a query whose wildcard, fuzzy or regular-expression
// terms would expand to too many words of the index is searched as plain
// words, with a note saying why; ordinary such terms still work.
func TestExpansionLimits(t *testing.T) {
	// One document holds 3 x MaxTermExpansion distinct words starting
	// with "zq" (more than MaxTermExpansion terms after stemming merges
	// some), so that "zq*" expands past the bound; the others are
	// ordinary.
	root := t.TempDir()
	var many strings.Builder
	for i := range 3 * query.MaxTermExpansion {
		fmt.Fprintf(&many, "zq%c%c%c ", 'a'+i/676%26, 'a'+i/26%26, 'a'+i%26)
	}
	files := map[string]string{"big/0": many.String()}
	for i := range 20 {
		files[fmt.Sprintf("small/%d", i)] = strings.Repeat("orbit rocket launch moon ", i%3+1) + "doctor"
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := pipeline.Build(pipeline.Options{Corpus: root, Dir: dir, Profile: "quick", Hidden: []int{8}, Code: 2, VocabSize: 50, Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	eng, err := query.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for _, c := range []struct{ text, want string }{
		{"orbit zq*", "matches more than 4096 words of the index; its words were searched as plain text"},
		{"orbit /zq.*/", "matches more than 4096 words of the index"},
		{"orbit o* r* l* m* d*", "5 wildcard, fuzzy or regular-expression terms, at most 4 are searched as such"},
		{"orbit x~1", `the fuzzy term "x~1" is too short`},
		{"orbit moon~2", `the fuzzy term "moon~2" is too short`},
	} {
		for _, mode := range []query.Mode{query.Keyword, query.Hybrid} {
			resp, err := eng.Search(context.Background(), query.Request{Text: c.text, Mode: mode})
			if err != nil {
				t.Errorf("%s %q: %v", mode, c.text, err)
				continue
			}
			if len(resp.Notes) == 0 || !strings.Contains(strings.Join(resp.Notes, "; "), c.want) {
				t.Errorf("%s %q: notes %q, want one with %q", mode, c.text, resp.Notes, c.want)
			}
			found := false
			for _, r := range resp.Results {
				found = found || r.Label == "small"
			}
			if !found {
				t.Errorf("%s %q: the plain word orbit found none of its documents: %+v", mode, c.text, resp.Results)
			}
		}
	}
	for _, text := range []string{"zqaa*", "orb*", "rocket~1", "launch~2", "/roc.*/"} {
		resp, err := eng.Search(context.Background(), query.Request{Text: text, Mode: query.Keyword})
		if err != nil || resp.Total == 0 || len(resp.Notes) != 0 {
			t.Errorf("%q: %v, %+v", text, err, resp)
		}
	}
}
