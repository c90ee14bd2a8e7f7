package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
)

// selectCorpus writes a JSON Lines corpus of n documents per label over
// three labels, each of 12 words: 6 of its label's 10 words and 6 of 30
// shared ones, drawn by seed 7; with labelled false, the documents carry
// no label.
func selectCorpus(t *testing.T, n int, labelled bool) string {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 0))
	var shared []string
	for i := range 30 {
		shared = append(shared, "common"+letters(i))
	}
	p := filepath.Join(t.TempDir(), "docs.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, label := range []string{"ant", "bee", "cow"} {
		for i := range n {
			var words []string
			for range 6 {
				words = append(words, label+"word"+letters(r.IntN(10)), shared[r.IntN(len(shared))])
			}
			d := map[string]string{"id": fmt.Sprintf("%s-%d", label, i), "text": strings.Join(words, " ")}
			if labelled {
				d["label"] = label
			}
			if err := enc.Encode(d); err != nil {
				t.Fatal(err)
			}
		}
	}
	return p
}

// letters spells i in the letters a-z (the analyzer drops digits).
func letters(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }

// selectOptions trains the paper profile (input auto by default) as small
// as it gets: one layer of 8 units below a 2-D code, two
// epochs.
func selectOptions(corpus, dir string) Options {
	return Options{Corpus: corpus, Dir: dir, Hidden: []int{8}, Code: 2, VocabSize: 60, Epochs: 2, Seed: 3}
}

// TestInputAutoSelects: on a labelled corpus the paper profile trains both
// inputs on nine tenths of the documents, scores them on the held-out
// tenth, keeps the better, and records both scores in the index; the same
// seed gives the same choice, scores and codes.
func TestInputAutoSelects(t *testing.T) {
	t.Parallel()
	corpus := selectCorpus(t, 400, true)
	var sums [2]*Summary
	var codes [2][]float32
	for k := range sums {
		dir := filepath.Join(t.TempDir(), "ix")
		s, err := Build(selectOptions(corpus, dir))
		if err != nil {
			t.Fatal(err)
		}
		sums[k] = s
		eng, err := query.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := range eng.Index.Len() {
			codes[k] = append(codes[k], eng.Index.Code(i)...)
		}
		info, err := Describe(eng, dir)
		eng.Close()
		if err != nil {
			t.Fatal(err)
		}
		// the choice round-trips through the index
		if info.Train.Input != string(s.Input) || !reflect.DeepEqual(info.Train.Selection, s.Selection) {
			t.Errorf("recorded input %q %+v, built %q %+v", info.Train.Input, info.Train.Selection, s.Input, s.Selection)
		}
	}
	s := sums[0]
	sel := s.Selection
	if sel == nil || sel.Reason != "" || len(sel.Scores) != 2 {
		t.Fatalf("no selection: %+v", sel)
	}
	// 1,200 documents: 120 held out, each a query (399 others share its
	// label), at least SelectMinQueries
	if sel.HeldOut != 120 || sel.Queries != 120 || s.TrainDocs != 1080 {
		t.Errorf("held out %d, queries %d, trained on %d; want 120, 120, 1080", sel.HeldOut, sel.Queries, s.TrainDocs)
	}
	counts, logidf := sel.Scores[string(InputCounts)], sel.Scores[string(InputLogIDF)]
	t.Logf("scores: counts %.4f, log-idf %.4f; chose %s", counts, logidf, s.Input)
	want := InputLogIDF // the paper profile's own input wins ties
	if counts > logidf {
		want = InputCounts
	}
	if s.Input != want {
		t.Errorf("chose %s with scores counts %.4f, log-idf %.4f", s.Input, counts, logidf)
	}
	// three labels: chance is about a third; the codes do better
	for in, v := range sel.Scores {
		if !(v > 0.4 && v <= 1) {
			t.Errorf("%s scored %.4f", in, v)
		}
	}
	if !reflect.DeepEqual(sums[0].Selection, sums[1].Selection) || sums[0].Input != sums[1].Input {
		t.Errorf("same seed, another choice: %+v %s and %+v %s", sums[0].Selection, sums[0].Input, sums[1].Selection, sums[1].Input)
	}
	if !reflect.DeepEqual(codes[0], codes[1]) {
		t.Error("same seed, other codes")
	}
}

// TestInputAutoUnlabelled: without labels there is nothing to score, so
// the paper profile takes log-idf on every document and says why; so with
// labels too few for SelectMinQueries (90 held-out documents).
func TestInputAutoUnlabelled(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n        int
		labelled bool
	}{{400, false}, {300, true}} {
		dir := filepath.Join(t.TempDir(), "ix")
		s, err := Build(selectOptions(selectCorpus(t, c.n, c.labelled), dir))
		if err != nil {
			t.Fatal(err)
		}
		if s.Input != InputLogIDF || s.Selection == nil || s.Selection.Reason == "" || s.Selection.Scores != nil || s.TrainDocs != 3*c.n {
			t.Fatalf("%+v: input %s, selection %+v, trained on %d", c, s.Input, s.Selection, s.TrainDocs)
		}
		info, err := Inspect(dir)
		if err != nil {
			t.Fatal(err)
		}
		if info.Train.Input != string(InputLogIDF) || !reflect.DeepEqual(info.Train.Selection, s.Selection) {
			t.Errorf("%+v: recorded %q %+v", c, info.Train.Input, info.Train.Selection)
		}
	}
}

// TestInputGiven: a given input trains on every document, without a
// selection, in either profile.
func TestInputGiven(t *testing.T) {
	t.Parallel()
	corpus := selectCorpus(t, 40, true)
	for _, o := range []Options{
		{Input: InputCounts},
		{Input: InputLogIDF, Profile: Quick},
	} {
		dir := filepath.Join(t.TempDir(), "ix")
		opts := selectOptions(corpus, dir)
		opts.Input, opts.Profile = o.Input, o.Profile
		s, err := Build(opts)
		if err != nil {
			t.Fatal(err)
		}
		if s.Input != o.Input || s.Selection != nil || s.TrainDocs != 120 {
			t.Errorf("%s: input %s, selection %+v, trained on %d", o.Input, s.Input, s.Selection, s.TrainDocs)
		}
	}
}

// TestInputOption: the paper profile chooses by default, the quick one
// keeps the counts its pinned figures were measured with, and a bad value
// is an error naming the field.
func TestInputOption(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		profile Profile
		want    Input
	}{{Paper, InputAuto}, {Quick, InputCounts}, {"", InputAuto}} {
		o := Options{Profile: c.profile}
		o.EnsureDefaults()
		if o.Input != c.want {
			t.Errorf("profile %q: input %q, want %q", c.profile, o.Input, c.want)
		}
	}
	o := Options{Dir: t.TempDir(), Input: "tfidf"}
	o.EnsureDefaults()
	err := o.Validate()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "Input" || !strings.Contains(err.Error(), `"tfidf"`) {
		t.Errorf("input tfidf: %v", err)
	}
}

// TestInputAutoResume: a selection killed while training its second
// candidate resumes from the checkpoints of both to the choice and the
// scores (equal to the last bit) of an uninterrupted run.
func TestInputAutoResume(t *testing.T) {
	t.Parallel()
	corpus := selectCorpus(t, 400, true)
	want, err := Build(selectOptions(corpus, filepath.Join(t.TempDir(), "ix")))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ix")
	o := selectOptions(corpus, dir)
	o.Observer = func(e rbmstack.Event) error {
		if e.Saved && strings.HasPrefix(e.Stage, "counts: fine-tune") {
			return errKilled
		}
		return nil
	}
	if _, err := Build(o); !errors.Is(err, errKilled) {
		t.Fatalf("killed run: %v", err)
	}
	for _, stage := range []string{"index.stack-log-idf", "index.finetune-log-idf", "index.stack-counts", "index.finetune-counts"} {
		if _, err := os.Stat(filepath.Join(checkpointDir(dir), stage)); err != nil {
			t.Errorf("checkpoint of the killed run: %v", err)
		}
	}
	o.Resume, o.Observer = true, nil
	got, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	if got.Input != want.Input || !reflect.DeepEqual(got.Selection, want.Selection) {
		t.Errorf("resumed %s %+v, uninterrupted %s %+v", got.Input, got.Selection, want.Input, want.Selection)
	}
}
