package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/testenv"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/vocab"
)

// EnvBenchIndex names an index for BenchmarkQuery20News to search instead
// of building one (e.g. README's /tmp/ix20 of the 20 Newsgroups test posts).
const EnvBenchIndex = "DOCSEARCH_BENCH_INDEX"

// untrainedModel is a 2000-500-250-125-10 model over the vocabulary of
// spec with random weights: encoding and ranking cost what they cost with
// a trained one.
func untrainedModel(b *testing.B, spec string) *query.Model {
	vb, _ := vocab.NewBuilder(vocab.Options{})
	if _, err := ingest.Walk(spec, ingest.Options{}, func(d ingest.Document) error { vb.Add(d.Text); return nil }); err != nil {
		b.Fatal(err)
	}
	v, err := vb.Build()
	if err != nil {
		b.Fatal(err)
	}
	net, err := autoencoder.New([]int{v.Len(), 500, 250, 125, 10, 125, 250, 500, v.Len()},
		[]autoencoder.Act{autoencoder.Sigmoid, autoencoder.Sigmoid, autoencoder.Sigmoid, autoencoder.Linear,
			autoencoder.Sigmoid, autoencoder.Sigmoid, autoencoder.Sigmoid, autoencoder.Softmax}, autoencoder.SoftmaxCE, 0.05, 1)
	if err != nil {
		b.Fatal(err)
	}
	net.InputLen, net.Code = 100, 3
	return &query.Model{Vocab: v, Net: net, Mean: make([]float32, 10)}
}

// buildUntrained writes the documents of spec into a new index in dir with
// m, as `docsearch index` stores them.
func buildUntrained(b *testing.B, dir, spec string, m *query.Model) {
	w, err := index.Create(dir, m.Dim(), m.Fingerprint())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	blobs, err := m.Blobs()
	if err != nil {
		b.Fatal(err)
	}
	for name, data := range blobs {
		if err := w.PutBlob(name, data); err != nil {
			b.Fatal(err)
		}
	}
	w.SetExtra(extraModelGen, fmt.Sprint(w.Generation()))
	if _, err := encodeCorpus(spec, m, ingest.Options{}, "bench", nil, w.Add); err != nil {
		b.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkQuery20News times single queries on the 7,532 20 Newsgroups
// test posts, one query at a time, in each mode: every post's Subject line
// in turn (as in the short-query protocol), top 10 with highlighted
// snippets, as the search page asks. It reports the mean, median and 99th
// percentile latency and queries per second.
func BenchmarkQuery20News(b *testing.B) {
	dir := os.Getenv(EnvBenchIndex)
	if dir == "" {
		archive := testenv.News20(b)
		dir = filepath.Join(b.TempDir(), "ix")
		buildUntrained(b, dir, archive+"#20news-bydate-test", untrainedModel(b, archive+"#20news-bydate-train"))
	}
	eng, err := query.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	var texts []string
	for i := range eng.Index.Len() {
		if s := subject(eng.Index.Doc(i).Title); s != "" {
			texts = append(texts, s)
		}
	}
	for _, mode := range query.Modes {
		b.Run(mode.String(), func(b *testing.B) {
			lat := make([]time.Duration, 0, 1<<16)
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				_, err := eng.Search(ctx, query.Request{Text: texts[i%len(texts)], Mode: mode, K: 10, Snippets: query.SnippetsHTML})
				if err != nil && !isNoAnswer(err) {
					b.Fatal(err)
				}
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(t0))
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			per := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(per*1e3, "ms/query")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1e3, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1e3, "p99-ms")
			b.ReportMetric(1/per, "queries/s")
		})
	}
}

// BenchmarkAdd1000 times `docsearch add` of 1,000 documents to an index of
// 100,000 (the 18,846 20 Newsgroups posts, train and test, five times over
// under distinct ids, plus 5,770 more): a new generation sharing the old
// one's files, the new documents encoded with the index's model and
// written to both stores, and the commit. Every iteration adds 1,000 new
// documents to the index the previous one left.
func BenchmarkAdd1000(b *testing.B) {
	archive := testenv.News20(b)
	tmp := b.TempDir()
	var texts []ingest.Document
	for _, split := range []string{"20news-bydate-train", "20news-bydate-test"} {
		if _, err := ingest.Walk(archive+"#"+split, ingest.Options{}, func(d ingest.Document) error {
			texts = append(texts, d)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	// jsonl writes documents [lo, hi) of the endless repetition of texts.
	jsonl := func(name string, lo, hi int) string {
		p := filepath.Join(tmp, name)
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		enc := json.NewEncoder(f)
		for i := lo; i < hi; i++ {
			d := texts[i%len(texts)]
			enc.Encode(map[string]string{"id": fmt.Sprintf("%s#%d", d.ID, i/len(texts)), "label": d.Label, "text": d.Text})
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		return p
	}
	const base, batch = 100_000, 1_000
	dir := filepath.Join(tmp, "ix")
	t0 := time.Now()
	buildUntrained(b, dir, jsonl("base.jsonl", 0, base), untrainedModel(b, archive+"#20news-bydate-train"))
	b.Logf("built the %d-document index in %s", base, time.Since(t0).Round(time.Second))
	files := make([]string, 0, 64)
	for i := range cap(files) {
		files = append(files, jsonl(fmt.Sprintf("add%d.jsonl", i), base+i*batch, base+(i+1)*batch))
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i == len(files) {
			b.Fatal("out of prepared batches")
		}
		s, err := Add(AddOptions{Dir: dir, Corpus: files[i]})
		if err != nil {
			b.Fatal(err)
		}
		if s.Added != batch {
			b.Fatalf("added %d", s.Added)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "docs/s")
}
