package query_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

// Build a small index with pipeline.Build (a folder corpus, one subfolder
// per label), then search it in each mode: the keyword mode ranks the
// documents that hold the query's words (three here), the semantic mode
// every document by the cosine between its code and the query's, the
// hybrid mode by both. The document ids of a folder corpus are
// "<label>/<file>".
func ExampleEngine_Search() {
	tmp, err := os.MkdirTemp("", "docsearch-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	corpus, dir := filepath.Join(tmp, "corpus"), filepath.Join(tmp, "index")
	for label, docs := range map[string][]string{
		"space": {
			"rocket launch carries a satellite into orbit around the earth",
			"the astronaut crew of the space station orbits the earth",
			"a telescope shows the moon planets and distant galaxy stars",
			"the rocket engine burns fuel on the launch pad before orbit",
		},
		"kitchen": {
			"bake the bread dough in a hot oven with flour and yeast",
			"simmer the soup with onion garlic and fresh herbs in a pot",
			"whisk eggs milk and flour into a batter for the pancakes",
			"roast the chicken in the oven with butter garlic and lemon",
		},
	} {
		os.MkdirAll(filepath.Join(corpus, label), 0o755)
		for i, text := range docs {
			os.WriteFile(filepath.Join(corpus, label, fmt.Sprint(i+1)), []byte(text), 0o644)
		}
	}
	_, err = pipeline.Build(pipeline.Options{Corpus: corpus, Dir: dir, Profile: pipeline.Quick,
		VocabSize: 50, Hidden: []int{20}, Code: 3, Epochs: 50})
	if err != nil {
		panic(err)
	}

	eng, err := query.Open(dir)
	if err != nil {
		panic(err)
	}
	defer eng.Close()
	for _, mode := range []query.Mode{query.Keyword, query.Semantic, query.Hybrid} {
		resp, err := eng.Search(context.Background(), query.Request{Text: "rocket orbit", Mode: mode, K: 3})
		if err != nil {
			panic(err)
		}
		var ids []string
		for _, r := range resp.Results {
			ids = append(ids, r.ID)
		}
		fmt.Printf("%-8s %d ranked, top %d: %s\n", mode, resp.Total, len(ids), strings.Join(ids, " "))
	}
	// Output:
	// keyword  3 ranked, top 3: space/1 space/4 space/2
	// semantic 8 ranked, top 3: space/4 space/1 space/2
	// hybrid   8 ranked, top 3: space/4 space/1 space/2
}
