package index_test

import (
	"fmt"
	"log"
	"os"

	"github.com/docsearch/docsearch/index"
)

func Example() {
	dir, err := os.MkdirTemp("", "index-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	w, err := index.Create(dir, 2, "model-v1+vocab-2000")
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // no-op after Commit
	docs := []struct {
		doc  index.Doc
		code []float32
	}{
		{index.Doc{ID: "a", Label: "sci.space", Title: "Orbits"}, []float32{1, 0}},
		{index.Doc{ID: "b", Label: "sci.space", Title: "Rockets"}, []float32{2, 0.5}},
		{index.Doc{ID: "c", Label: "rec.autos", Title: "Engines"}, []float32{0, 1}},
	}
	for _, d := range docs {
		if err := w.Add(index.Entry{Doc: d.doc, Text: d.doc.Title, Code: d.code}); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		log.Fatal(err)
	}

	ix, err := index.Open(dir)
	if err != nil {
		log.Fatal(err)
	}
	q, _ := ix.Find("a")
	for _, h := range ix.Search(ix.Code(q), 2, q) {
		fmt.Printf("%s %.3f\n", ix.Doc(h.Pos).Title, h.Score)
	}
	// Output:
	// Rockets 0.970
	// Engines 0.000
}
