package ingest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/testenv"
)

// news20Counts are the per-class document counts of 20news-bydate, from
// ../shared/data/README.md (train, test).
var news20Counts = map[string][2]int{
	"alt.atheism":              {480, 319},
	"comp.graphics":            {584, 389},
	"comp.os.ms-windows.misc":  {591, 394},
	"comp.sys.ibm.pc.hardware": {590, 392},
	"comp.sys.mac.hardware":    {578, 385},
	"comp.windows.x":           {593, 395},
	"misc.forsale":             {585, 390},
	"rec.autos":                {594, 396},
	"rec.motorcycles":          {598, 398},
	"rec.sport.baseball":       {597, 397},
	"rec.sport.hockey":         {600, 399},
	"sci.crypt":                {595, 396},
	"sci.electronics":          {591, 393},
	"sci.med":                  {594, 396},
	"sci.space":                {593, 394},
	"soc.religion.christian":   {599, 398},
	"talk.politics.guns":       {546, 364},
	"talk.politics.mideast":    {564, 376},
	"talk.politics.misc":       {465, 310},
	"talk.religion.misc":       {377, 251},
}

func TestWalk20News(t *testing.T) {
	path := testenv.News20(t)
	if testing.Short() {
		t.Skip("reads 18,846 posts; skipped with -short")
	}
	for split, tt := range []struct {
		sub  string
		docs int
	}{
		{"20news-bydate-train", 11314},
		{"20news-bydate-test", 7532},
	} {
		counts := make(map[string]int)
		titled := 0
		st, err := ingest.Walk(path+"#"+tt.sub, ingest.Options{}, func(d ingest.Document) error {
			counts[d.Label]++
			if d.Title != "" {
				titled++
			}
			if !utf8.ValidString(d.Text) {
				return fmt.Errorf("%s: invalid UTF-8", d.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if st.Docs != tt.docs || st.Labeled != tt.docs || len(st.Skipped) != 0 || len(st.Truncated) != 0 {
			t.Errorf("%s: %d docs (%d labeled), skipped %v, truncated %v; want %d", tt.sub, st.Docs, st.Labeled, st.Skipped, st.Truncated, tt.docs)
		}
		if titled != tt.docs {
			t.Errorf("%s: %d of %d docs have a title", tt.sub, titled, tt.docs)
		}
		if len(counts) != 20 {
			t.Errorf("%s: %d classes, want 20", tt.sub, len(counts))
		}
		for class, want := range news20Counts {
			if counts[class] != want[split] {
				t.Errorf("%s: class %s has %d docs, want %d", tt.sub, class, counts[class], want[split])
			}
		}
	}
}

func TestWalk20NewsFirst(t *testing.T) {
	path := testenv.News20(t)
	var first ingest.Document
	_, err := ingest.Walk(path+"#20news-bydate-train", ingest.Options{}, func(d ingest.Document) error {
		first = d
		return errors.New("stop")
	})
	if err == nil || err.Error() != "stop" {
		t.Fatalf("err = %v, want stop", err)
	}
	// The first post of the archive, 20news-bydate-train/alt.atheism/49960.
	if first.ID != "alt.atheism/49960" || first.Label != "alt.atheism" || first.Title != "Alt.Atheism FAQ: Atheist Resources" {
		t.Errorf("first = {ID %q Label %q Title %q}", first.ID, first.Label, first.Title)
	}
}

func BenchmarkWalk20News(b *testing.B) {
	path := testenv.News20(b)
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(info.Size()) // compressed bytes per walk
	docs := 0
	start := time.Now()
	for b.Loop() {
		st, err := ingest.Walk(path, ingest.Options{}, func(ingest.Document) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		docs += st.Docs
	}
	b.ReportMetric(float64(docs)/time.Since(start).Seconds(), "docs/s")
}

func ExampleWalk() {
	dir, err := os.MkdirTemp("", "ingest-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	corpus := filepath.Join(dir, "corpus.jsonl")
	data := `{"id":"a","label":"space","text":"From: x\nSubject: Moon base\n\nWe should go."}
{"label":"med","text":"Flu season\r\nstarts early.\r\n"}
`
	if err := os.WriteFile(corpus, []byte(data), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	st, err := ingest.Walk(corpus, ingest.Options{}, func(d ingest.Document) error {
		fmt.Printf("%s [%s] %q\n", d.ID, d.Label, d.Title)
		return nil
	})
	fmt.Println(st.Docs, err)
	// Output:
	// a [space] "Moon base"
	// line-2 [med] "Flu season"
	// 2 <nil>
}
