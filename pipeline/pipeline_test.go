package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/testenv"
	"github.com/docsearch/docsearch/query"
)

// slice20News writes every step-th document of one split of 20 Newsgroups
// as JSON Lines and returns the file's path.
func slice20News(t *testing.T, archive, split string, step int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), split+".jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	i := 0
	_, err = ingest.Walk(archive+"#"+split, ingest.Options{}, func(d ingest.Document) error {
		i++
		if i%step != 0 {
			return nil
		}
		return enc.Encode(map[string]string{"id": d.ID, "text": d.Text, "label": d.Label, "title": d.Title})
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEndToEnd20NewsSlice trains on a fifth of the 20 Newsgroups training
// split, indexes a fifth of the test split, and checks that the codes
// retrieve far better than chance and better than LSA with as many
// dimensions, at recall 0.1 (the paper's headline comparison).
func TestEndToEnd20NewsSlice(t *testing.T) {
	archive := testenv.News20(t)
	if testing.Short() {
		t.Skip("end-to-end training takes about a minute")
	}
	train := slice20News(t, archive, "20news-bydate-train", 5)
	test := slice20News(t, archive, "20news-bydate-test", 5)
	dir := filepath.Join(t.TempDir(), "ix")
	// The pins are of the log-idf input trained on every training
	// document; the default, auto, would hold a tenth out and train twice
	// (TestInputAutoSelects covers it on a small corpus).
	o := Options{Corpus: test, Train: train, Dir: dir, Profile: "paper", Seed: 1,
		Hidden: []int{250, 100}, Code: 10, FineTune: "adam", Input: InputLogIDF}
	s, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	if s.IndexedDocs < 1400 || s.TrainDocs < 2200 {
		t.Fatalf("indexed %d, trained on %d documents", s.IndexedDocs, s.TrainDocs)
	}
	ev, err := Evaluate(dir, EvalOptions{Baselines: []string{"lsa-10", "tfidf"}, Pretrained: true, Short: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ev.Order {
		c := ev.Report.Methods[m]
		t.Logf("%-26s P@R 0.01 %.3f 0.1 %.3f 0.4 %.3f 0.8 %.3f  acc@1 %.3f acc@15 %.3f  MAP %.3f", m,
			c.PrecisionAtRecall["0.01"], c.PrecisionAtRecall["0.1"], c.PrecisionAtRecall["0.4"], c.PrecisionAtRecall["0.8"],
			c.AccuracyAtK["1"], c.AccuracyAtK["15"], c.MAP)
	}
	for m, c := range ev.Short.Methods {
		t.Logf("short queries, %-8s P@1 %.3f P@10 %.3f MAP %.3f", m, c.PrecisionAtK["1"], c.PrecisionAtK["10"], c.MAP)
	}
	p := func(m string) float64 { return ev.Report.Methods[m].PrecisionAtRecall["0.1"] }
	checkPinned20News(t, ev.Report)
	if p("autoencoder-10") < 3*0.05 {
		t.Errorf("autoencoder codes retrieve at %.3f, not clearly above chance", p("autoencoder-10"))
	}
	// The hybrid ranking is better over the whole list than either ranking
	// it combines (the slice's codes are weak, so at the very top it only
	// matches keyword search; README's figures are of the full model).
	mp := func(m string) float64 { return ev.Report.Methods[m].MAP }
	if mp("hybrid") <= max(mp("keyword"), mp("autoencoder-10")) {
		t.Errorf("hybrid MAP %.3f does not beat keyword %.3f and autoencoder-10 %.3f", mp("hybrid"), mp("keyword"), mp("autoencoder-10"))
	}
	if sm := ev.Short.Methods; sm["hybrid"].MAP <= max(sm["keyword"].MAP, sm["semantic"].MAP) {
		t.Errorf("short queries: hybrid MAP %.3f does not beat keyword %.3f and semantic %.3f", sm["hybrid"].MAP, sm["keyword"].MAP, sm["semantic"].MAP)
	}

	// The index answers queries with the stored model.
	eng, err := query.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	resp, err := eng.Search(context.Background(), query.Request{Text: "the goalie made a great save in the third period of the hockey game", Mode: query.Semantic})
	if err != nil {
		t.Fatal(err)
	}
	res := resp.Results
	hockey := 0
	for _, r := range res {
		if strings.Contains(r.Label, "hockey") || strings.Contains(r.Label, "sport") {
			hockey++
		}
	}
	if hockey < 5 {
		t.Errorf("a hockey query returned %d sports documents in its top 10: %+v", hockey, res)
	}
}
