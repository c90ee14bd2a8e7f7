package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/query"
)

// topicCorpus writes n documents of each of three topics as a folder
// corpus; prefix makes the ids and a word unique to the batch.
func topicCorpus(t *testing.T, n int, prefix string) string {
	t.Helper()
	words := map[string][]string{
		"space":  strings.Fields("orbit rocket launch satellite planet moon shuttle"),
		"cars":   strings.Fields("engine wheel brake tire dealer sedan clutch"),
		"health": strings.Fields("doctor patient disease treatment medicine vaccine clinic"),
	}
	files := map[string]string{}
	for label, ws := range words {
		for i := range n {
			var sb strings.Builder
			fmt.Fprintf(&sb, "Subject: %s %s %d\n\n", prefix, label, i)
			for j := range 30 {
				sb.WriteString(ws[(i+j*j)%len(ws)] + " ")
			}
			files[fmt.Sprintf("%s/%s%03d", label, prefix, i)] = sb.String()
		}
	}
	return writeFiles(t, files)
}

// TestAddQueriedMeanwhile adds documents while readers open the index and
// search it without pause: every reader sees the index before or after the
// add, with its codes and its full-text index in step, never between.
// CI runs it under the race detector.
func TestAddQueriedMeanwhile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ix")
	o := tiny(topicCorpus(t, 20, "base"), dir)
	o.Hidden, o.Code, o.VocabSize = []int{10}, 3, 40
	if _, err := Build(o); err != nil {
		t.Fatal(err)
	}
	extra := topicCorpus(t, 10, "zebra")
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads atomic.Int64
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				eng, err := query.Open(dir)
				if err != nil {
					t.Errorf("open during add: %v", err)
					return
				}
				n := eng.Index.Len()
				resp, err := eng.Search(context.Background(), query.Request{Text: "zebra", Mode: query.Keyword, K: 100})
				eng.Close()
				if err != nil {
					t.Errorf("search during add: %v", err)
					return
				}
				switch {
				case n == 60 && len(resp.Results) == 0, n == 90 && len(resp.Results) == 30:
				default:
					t.Errorf("a reader saw %d documents and %d keyword matches of the added ones", n, len(resp.Results))
					return
				}
				reads.Add(1)
			}
		}()
	}
	s, err := Add(AddOptions{Dir: dir, Corpus: extra})
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if s.Added != 30 || s.Total != 90 {
		t.Errorf("added %d, total %d", s.Added, s.Total)
	}
	t.Logf("%d reads during the add", reads.Load())
}

func TestAddRemoveErrors(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ix")
	corpus := topicCorpus(t, 10, "base")
	o := tiny(corpus, dir)
	o.Hidden, o.Code, o.VocabSize = []int{10}, 3, 40
	if _, err := Add(AddOptions{Dir: dir, Corpus: corpus}); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("add to no index: %v, want ErrNotFound", err)
	}
	if _, err := Build(o); err != nil {
		t.Fatal(err)
	}
	if err := (AddOptions{}).Validate(); err == nil || !strings.Contains(err.Error(), "Dir") || !strings.Contains(err.Error(), "Corpus") {
		t.Errorf("empty options: %v", err)
	}
	if _, err := Add(AddOptions{Dir: dir, Corpus: corpus}); !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), "30 documents") {
		t.Errorf("adding the indexed corpus again: %v, want ErrDuplicate for 30", err)
	}
	empty := writeFiles(t, map[string]string{"a/1": "", "a/2": "\x00bin"})
	if _, err := Add(AddOptions{Dir: dir, Corpus: empty}); err == nil || !strings.Contains(err.Error(), "no readable document") {
		t.Errorf("adding nothing: %v", err)
	}
	if _, err := Remove(dir, []string{"space/base000", "no/such"}); !errors.Is(err, index.ErrUnknownID) || !strings.Contains(err.Error(), `"no/such"`) {
		t.Errorf("remove of an unknown id: %v", err)
	}
	if _, err := Remove(dir, nil); err == nil {
		t.Error("remove of nothing accepted")
	}
	// Nothing changed through all of that.
	eng, err := query.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Index.Len() != 30 || eng.Index.Meta().Generation != 1 {
		t.Errorf("index of %d documents, generation %d, after failed changes", eng.Index.Len(), eng.Index.Meta().Generation)
	}
	if st, err := os.Stat(filepath.Join(dir, "gen-000001")); err != nil || !st.IsDir() {
		t.Errorf("the live generation moved: %v", err)
	}
}
