package server

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/pipeline"
)

// TestHashModes: the API passes modes hamming and hash to the engine; on an
// index without binary codes they are a 400 that says how to build them.
func TestHashModes(t *testing.T) {
	t.Parallel()
	_, plain := newTest(t, Options{Dir: builtIndex(t)})
	r := get(t, plain.URL+"/api/search?q=rocket+launch&mode=hash")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "--bits") {
		t.Fatalf("hash mode without binary codes: status %d: %s", r.status, r.body)
	}

	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := pipeline.Build(pipeline.Options{Corpus: writeCorpus(t, 40, 2), Dir: dir, Profile: "quick",
		Hidden: []int{30, 20}, Code: 4, VocabSize: 200, Epochs: 10, Seed: 1, Bits: []int{32}}); err != nil {
		t.Fatal(err)
	}
	_, ts := newTest(t, Options{Dir: dir})
	// The page offers the binary codes' modes only where they exist.
	if r := get(t, plain.URL+"/?q=rocket"); strings.Contains(string(r.body), `value="hamming"`) {
		t.Error("the page offers mode hamming on an index without binary codes")
	}
	if r := get(t, ts.URL+"/?q=rocket+launch&mode=hash"); r.status != http.StatusOK ||
		!strings.Contains(string(r.body), `value="hamming"`) || !strings.Contains(string(r.body), `value="hash" selected`) {
		t.Errorf("page in mode hash: status %d, modes offered or selected wrong:\n%s", r.status, r.body)
	}
	for _, mode := range []string{"hamming", "hash"} {
		r := get(t, ts.URL+"/api/search?q=rocket+launch+orbit&k=5&mode="+mode)
		if r.status != http.StatusOK {
			t.Fatalf("mode %s: status %d: %s", mode, r.status, r.body)
		}
		var sr searchResponse
		r.decode(t, &sr)
		if sr.Mode.String() != mode || len(sr.Results) != 5 {
			t.Fatalf("mode %s: %+v", mode, sr)
		}
		space := 0
		for _, res := range sr.Results {
			if res.Label == "space" {
				space++
			}
		}
		if space < 3 {
			t.Errorf("mode %s: %d of 5 results in space: %+v", mode, space, sr.Results)
		}
	}
}
