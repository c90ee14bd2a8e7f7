package pipeline

import (
	"path/filepath"
	"testing"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/testenv"
)

// BenchmarkIndex20News measures the indexing phase of `docsearch index` on
// the 7,532 test posts: read the archive, analyse, encode with a
// 2000-500-250-125-10 net, store the codes in badger and the text in
// bleve. Training is left out (the
// net is untrained; encoding costs the same).
func BenchmarkIndex20News(b *testing.B) {
	archive := testenv.News20(b)
	spec := archive + "#20news-bydate-test"
	model := untrainedModel(b, archive+"#20news-bydate-train")
	b.ReportAllocs()
	docs := 0
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "ix")
		w, err := index.Create(dir, 10, model.Fingerprint())
		if err != nil {
			b.Fatal(err)
		}
		in, err := encodeCorpus(spec, model, ingest.Options{}, "bench", nil, w.Add)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Commit(); err != nil {
			b.Fatal(err)
		}
		docs += in.Docs
	}
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
}
