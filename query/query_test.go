package query_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

var topics = map[string][]string{
	"space":  strings.Fields("orbit rocket launch satellite planet moon shuttle nasa astronaut telescope galaxy star mission"),
	"cars":   strings.Fields("engine wheel brake tire dealer sedan mileage transmission clutch gasoline highway driver"),
	"health": strings.Fields("doctor patient disease treatment medicine symptom hospital therapy diagnosis vaccine clinic"),
}

// writeCorpus writes a folder corpus of n documents per topic; each
// document draws 30 to 80 words, 85% from its topic, the rest from a
// shared pool.
func writeCorpus(t testing.TB, n int, seed uint64) string {
	root := t.TempDir()
	r := rand.New(rand.NewPCG(seed, 1))
	common := strings.Fields("the people think about time year good make know work first well")
	for label, words := range topics {
		os.MkdirAll(filepath.Join(root, label), 0o755)
		for i := 0; i < n; i++ {
			var sb strings.Builder
			fmt.Fprintf(&sb, "Subject: %s note %d\n\n", label, i)
			for w := 0; w < 30+r.IntN(50); w++ {
				if r.Float64() < 0.85 {
					sb.WriteString(words[r.IntN(len(words))])
				} else {
					sb.WriteString(common[r.IntN(len(common))])
				}
				sb.WriteByte(' ')
			}
			os.WriteFile(filepath.Join(root, label, fmt.Sprint(1000+i)), []byte(sb.String()), 0o644)
		}
	}
	return root
}

var (
	once   sync.Once
	ixDir  string
	ixErr  error
	corpus string
)

// sharedIndex builds one small index for the tests of this file.
func sharedIndex(t *testing.T) string {
	once.Do(func() {
		dir, err := os.MkdirTemp("", "docsearch-query-test")
		if err != nil {
			ixErr = err
			return
		}
		corpus = writeCorpus(t, 60, 1)
		ixDir = filepath.Join(dir, "ix")
		_, ixErr = pipeline.Build(pipeline.Options{Corpus: corpus, Dir: ixDir, Profile: "quick", Hidden: []int{30, 20}, Code: 4, VocabSize: 200, Epochs: 10, Seed: 1})
	})
	if ixErr != nil {
		t.Fatal(ixErr)
	}
	return ixDir
}

func openShared(t *testing.T) *query.Engine {
	t.Helper()
	eng, err := query.Open(sharedIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

func search(t *testing.T, eng *query.Engine, r query.Request) *query.Response {
	t.Helper()
	resp, err := eng.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("%+v: %v", r, err)
	}
	return resp
}

func TestTextQueryFindsTopic(t *testing.T) {
	eng := openShared(t)
	for _, mode := range query.Modes {
		for label, words := range topics {
			resp := search(t, eng, query.Request{Text: strings.Join(words[:5], " "), Mode: mode, K: 10})
			res := resp.Results
			if len(res) != 10 {
				t.Fatalf("%s: %d results", mode, len(res))
			}
			same := 0
			for i, r := range res {
				if r.Rank != i+1 || (i > 0 && r.Score > res[i-1].Score) {
					t.Fatalf("%s: results not ranked: %+v", mode, res)
				}
				if r.Label == label {
					same++
				}
			}
			if same < 8 {
				t.Errorf("%s: query about %s: %d of 10 results in the topic: %+v", mode, label, same, res)
			}
		}
	}
}

func TestDocQueryExcludesItself(t *testing.T) {
	eng := openShared(t)
	for _, mode := range query.Modes {
		resp := search(t, eng, query.Request{DocID: "space/1003", Mode: mode, K: 5})
		if len(resp.Results) != 5 {
			t.Errorf("%s: %d results", mode, len(resp.Results))
		}
		for _, r := range resp.Results {
			if r.ID == "space/1003" {
				t.Errorf("%s: the query document is among its own results", mode)
			}
			if r.Label != "space" {
				t.Errorf("%s: more like a space note: %+v", mode, r)
			}
		}
		_, err := eng.Search(context.Background(), query.Request{DocID: "nope/1", Mode: mode})
		if !errors.Is(err, query.ErrUnknownDoc) || !strings.Contains(err.Error(), "nope/1") {
			t.Errorf("%s: unknown id: err = %v", mode, err)
		}
	}
}

func TestBadQueries(t *testing.T) {
	eng := openShared(t)
	ctx := context.Background()
	for _, tc := range []struct {
		r    query.Request
		want error
	}{
		{query.Request{Text: "zzzz qqqq"}, query.ErrNoWords},
		{query.Request{Text: "the and of"}, query.ErrNoWords},
		{query.Request{Text: "zzzz", Mode: query.Semantic}, query.ErrNoCode},
		{query.Request{Text: "   "}, query.ErrBadRequest},
		{query.Request{}, query.ErrBadRequest},
		{query.Request{Text: "rocket", DocID: "space/1003"}, query.ErrBadRequest},
		{query.Request{Text: "rocket", K: -1}, query.ErrBadRequest},
		{query.Request{Text: "rocket", K: 1_000_000_000}, query.ErrBadRequest},
		{query.Request{Text: "rocket", Offset: -3}, query.ErrBadRequest},
		{query.Request{Text: "rocket", Offset: query.MaxK}, query.ErrBadRequest},
		{query.Request{Text: "rocket\xff"}, query.ErrBadRequest},
		{query.Request{Text: strings.Repeat("rocket ", 20000)}, query.ErrBadRequest},
		{query.Request{Text: "rocket", Mode: 7}, query.ErrBadRequest},
		{query.Request{Text: "rocket", Snippets: "pdf"}, query.ErrBadRequest},
	} {
		if _, err := eng.Search(ctx, tc.r); !errors.Is(err, tc.want) {
			t.Errorf("%.60q: err = %v, want %v", fmt.Sprintf("%+v", tc.r), err, tc.want)
		}
	}
	// Keyword mode answers a query that matches nothing with no results
	// and says why.
	resp := search(t, eng, query.Request{Text: "zzzz", Mode: query.Keyword})
	if len(resp.Results) != 0 || len(resp.Notes) == 0 {
		t.Errorf("keyword query matching nothing: %+v", resp)
	}
	// Broken syntax is searched as words, with a note.
	resp = search(t, eng, query.Request{Text: `rocket "orbit`, Mode: query.Keyword})
	if len(resp.Results) == 0 || len(resp.Notes) == 0 {
		t.Errorf("unbalanced quote: %+v", resp)
	}
}

// TestKeywordSideFindsWordsOutsideVocabulary: a word that the model's
// vocabulary lacks still finds its documents through the full-text index,
// in hybrid mode too.
func TestKeywordSideFindsWordsOutsideVocabulary(t *testing.T) {
	eng := openShared(t)
	// Every document has "Subject: <label> note <n>"; "note" is common, so
	// the vocabulary (200 terms) has it; the numbers are not words.
	if _, ok := eng.Model.Vocab.Index("subject"); !ok {
		t.Skip("the vocabulary lacks the probe word")
	}
	for _, mode := range []query.Mode{query.Hybrid, query.Keyword} {
		resp := search(t, eng, query.Request{Text: "17", Mode: mode, K: 5})
		if len(resp.Results) != 3 {
			t.Fatalf("%s: %d results for a number that three notes carry: %+v", mode, len(resp.Results), resp)
		}
		for _, r := range resp.Results {
			if !strings.HasSuffix(r.ID, "/1017") {
				t.Errorf("%s: %s", mode, r.ID)
			}
		}
	}
}

func TestLabelFilterAndPaging(t *testing.T) {
	eng := openShared(t)
	for _, mode := range query.Modes {
		all := search(t, eng, query.Request{Text: "engine wheel doctor", Mode: mode, K: 12, Label: "cars"})
		if len(all.Results) != 12 {
			t.Fatalf("%s: %d results", mode, len(all.Results))
		}
		for _, r := range all.Results {
			if r.Label != "cars" {
				t.Errorf("%s: label filter let %s through", mode, r.ID)
			}
		}
		page := search(t, eng, query.Request{Text: "engine wheel doctor", Mode: mode, K: 4, Offset: 4, Label: "cars"})
		if fmt.Sprint(page.Results) != fmt.Sprint(all.Results[4:8]) || page.Total != all.Total {
			t.Errorf("%s: page 2 of 4 differs:\n%v\n%v", mode, page.Results, all.Results[4:8])
		}
	}
}

// TestScoresAgreeWithSearch: evaluation ranks by Scores; its ranking must
// be the one Search returns.
func TestScoresAgreeWithSearch(t *testing.T) {
	eng := openShared(t)
	ctx := context.Background()
	n := eng.Index.Len()
	for _, mode := range query.Modes {
		for _, r := range []query.Request{{Text: "orbit rocket", Mode: mode}, {DocID: "cars/1004", Mode: mode}} {
			scores := make([]float32, n)
			if err := eng.Scores(ctx, r, scores); err != nil {
				t.Fatal(err)
			}
			r.K = 20
			resp := search(t, eng, r)
			for _, res := range resp.Results {
				p, _ := eng.Index.Find(res.ID)
				if scores[p] != res.Score {
					t.Errorf("%s %+v: %s scored %v by Scores, %v by Search", mode, r, res.ID, scores[p], res.Score)
				}
				for q, s := range scores {
					if s > res.Score || (s == res.Score && q < p && !slices.ContainsFunc(resp.Results, func(x query.Result) bool { return x.ID == eng.Index.Doc(q).ID })) {
						t.Fatalf("%s %+v: %s (%v) outranks result %s (%v) but is not above it", mode, r, eng.Index.Doc(q).ID, s, res.ID, res.Score)
					}
				}
				scores[p] = float32(math.Inf(-1)) // counted
			}
		}
	}
}

func TestSnippets(t *testing.T) {
	eng := openShared(t)
	resp := search(t, eng, query.Request{Text: "galaxy", Mode: query.Keyword, K: 3, Snippets: query.SnippetsHTML})
	for _, r := range resp.Results {
		if !strings.Contains(r.Snippet, "<mark>galaxy</mark>") {
			t.Errorf("snippet of %s: %q", r.ID, r.Snippet)
		}
	}
	resp = search(t, eng, query.Request{Text: "galaxy", Mode: query.Keyword, K: 3, Snippets: query.SnippetsPlain})
	for _, r := range resp.Results {
		if strings.Contains(r.Snippet, "<mark>") || !strings.Contains(r.Snippet, "galaxy") {
			t.Errorf("plain snippet of %s: %q", r.ID, r.Snippet)
		}
	}
}

func TestConcurrentQueries(t *testing.T) {
	eng := openShared(t)
	want := search(t, eng, query.Request{Text: "engine brake", K: 7})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				got, err := eng.Search(context.Background(), query.Request{Text: "engine brake", K: 7})
				if err != nil || fmt.Sprint(got.Results) != fmt.Sprint(want.Results) {
					t.Errorf("concurrent query differs: %v %v", err, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestModelIndexMismatch writes an index whose codes claim another model:
// opening it must fail clearly instead of ranking with the wrong model.
func TestModelIndexMismatch(t *testing.T) {
	src := openShared(t).Index
	dir := filepath.Join(t.TempDir(), "ix")
	w, err := index.Create(dir, src.Dim(), "0123456789abcdef-some-other-model")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{query.BlobVocab, query.BlobNet, query.BlobMean} {
		b, err := src.Blob(name)
		if err != nil {
			t.Fatal(err)
		}
		w.PutBlob(name, b)
	}
	w.Add(index.Entry{Doc: src.Doc(0), Text: "text", Code: src.Code(0)})
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := query.Open(dir); !errors.Is(err, query.ErrMismatch) {
		t.Errorf("err = %v, want ErrMismatch", err)
	}
}

// TestFeedbackHybridOnly: the feedback of the keyword hits changes the
// hybrid ranking of a text query and nothing else: semantic mode and
// document queries rank the same with and without it.
func TestFeedbackHybridOnly(t *testing.T) {
	eng := openShared(t)
	if eng.FeedbackDocs != query.DefaultFeedbackDocs || eng.FeedbackWeight != query.DefaultFeedbackWeight {
		t.Fatalf("Open set feedback %d x %g", eng.FeedbackDocs, eng.FeedbackWeight)
	}
	off := *eng
	off.FeedbackDocs = 0
	ctx := context.Background()
	scores := func(e *query.Engine, r query.Request) []float32 {
		dst := make([]float32, e.Index.Len())
		if err := e.Scores(ctx, r, dst); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	doc := eng.Index.Doc(0).ID
	for _, r := range []query.Request{
		{Text: "rocket doctor", Mode: query.Semantic},
		{DocID: doc, Mode: query.Hybrid},
		{DocID: doc, Mode: query.Semantic},
	} {
		if !slices.Equal(scores(eng, r), scores(&off, r)) {
			t.Errorf("%+v: feedback changed the scores", r)
		}
	}
	r := query.Request{Text: "rocket doctor", Mode: query.Hybrid}
	if slices.Equal(scores(eng, r), scores(&off, r)) {
		t.Errorf("%+v: feedback changed nothing", r)
	}
}
