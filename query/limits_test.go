package query_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

// TestExpansionLimits: wildcard, fuzzy and regular-expression terms that
// would expand to too many words of the index are bad requests, answered
// at once, and ordinary ones still work.
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
		{"zq*", "matches more than 4096 words"},
		{"/zq.*/", "matches more than 4096 words"},
		{"orbit o* r* l* m* d*", "5 wildcard, fuzzy or regular-expression terms, at most 4"},
		{"x~1", `the fuzzy term "x~1" is too short`},
		{"moon~2", `the fuzzy term "moon~2" is too short`},
	} {
		for _, mode := range []query.Mode{query.Keyword, query.Hybrid} {
			_, err := eng.Search(context.Background(), query.Request{Text: c.text, Mode: mode})
			if !errors.Is(err, query.ErrBadRequest) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %q: %v, want a bad request with %q", mode, c.text, err, c.want)
			}
		}
	}
	for _, text := range []string{"zqaa*", "orb*", "rocket~1", "launch~2", "/roc.*/"} {
		resp, err := eng.Search(context.Background(), query.Request{Text: text, Mode: query.Keyword})
		if err != nil || resp.Total == 0 {
			t.Errorf("%q: %v, %+v", text, err, resp)
		}
	}
}
