package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/query"
)

// hashOptions builds the three-topics golden case (36 documents) with
// binary codes of widths bits, as its build.json trains it.
func hashOptions(dir string, bits []int) Options {
	return Options{Corpus: filepath.Join("..", "testdata", "golden", "three-topics", "data"), Dir: dir, Profile: Quick,
		Hidden: []int{30, 20}, Code: 4, VocabSize: 150, Epochs: 40, Seed: 1, Bits: bits}
}

func TestHashIndex(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := Build(hashOptions(dir, []int{32, 64})); err != nil {
		t.Fatal(err)
	}
	eng, err := query.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix := eng.Index
	if !slices.Equal(ix.Bits(), []int{32, 64}) || len(eng.Model.Hash) != 2 {
		t.Fatalf("index has bits %v and %d hashers", ix.Bits(), len(eng.Model.Hash))
	}
	// The binary codes separate the topics: a document's nearest
	// neighbours in Hamming distance share its label more often than not.
	for _, bits := range ix.Bits() {
		hs := ix.Hashes(bits)
		same := 0
		for q := range ix.Len() {
			for _, h := range hs.Nearest(hs.Code(q), 3, func(p int) bool { return p != q }) {
				if ix.Doc(h.Pos).Label == ix.Doc(q).Label {
					same++
				}
			}
		}
		// chance is 11 of 35 (a third); 0.6 is well above it.
		if frac := float64(same) / float64(3*ix.Len()); frac < 0.6 {
			t.Errorf("%d bits: %.2f of the 3 nearest share the label", bits, frac)
		}
	}
	ctx := context.Background()
	zero := 0
	for _, r := range []query.Request{
		{Text: "telescope galaxy nebula", Mode: query.Hamming, K: 5},
		{Text: "telescope galaxy nebula", Mode: query.Hamming, Bits: 32, K: 5, Label: "astronomy"},
		{Text: "butter oven flour", Mode: query.Hash, K: 3},
		{DocID: "cooking/risotto", Mode: query.Hash, Radius: &zero},
		{Text: "butter oven flour", Mode: query.Hash, K: 3, Rerank: query.RerankKeyword, Snippets: query.SnippetsPlain},
		{Text: "butter oven flour", Mode: query.Hash, K: 3, Rerank: query.RerankSemantic},
	} {
		resp, err := eng.Search(ctx, r)
		if err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		if r.Radius == nil && len(resp.Results) != r.K {
			t.Fatalf("%+v: %d results", r, len(resp.Results))
		}
		for _, res := range resp.Results {
			if res.ID == r.DocID || (r.Label != "" && res.Label != r.Label) {
				t.Fatalf("%+v: result %s", r, res.ID)
			}
		}
	}
	if _, err := eng.Search(ctx, query.Request{Text: "moon", Mode: query.Hamming, Bits: 128}); !errors.Is(err, query.ErrNoBits) {
		t.Fatalf("128 bits of an index of 32 and 64: %v", err)
	}
	ev, err := Evaluate(dir, EvalOptions{Modes: []query.Mode{}, Pretrained: false})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"hamming-32", "hamming-64", "hash-32-tfidf"} {
		if _, ok := ev.Report.Methods[k]; !ok {
			t.Errorf("eval lacks %s: %v", k, ev.Order)
		}
	}
	want := slices.Clone(ix.Hashes(64).Code(0))
	id := ix.Doc(0).ID
	eng.Close()

	// Add encodes the binary codes of new documents: a copy of document 0
	// gets its codes.
	text, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "three-topics", "data", id))
	if err != nil {
		t.Fatal(err)
	}
	add := filepath.Join(t.TempDir(), "add.jsonl")
	line := `{"id":"copy","label":"x","text":` + quoteJSON(string(text)) + "}\n"
	if err := os.WriteFile(add, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Add(AddOptions{Dir: dir, Corpus: add}); err != nil {
		t.Fatal(err)
	}
	ix2, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	pos, _ := ix2.Find("copy")
	if got := ix2.Hashes(64).Code(pos); !slices.Equal(got, want) {
		t.Fatalf("the added copy of %s has code %x, the original %x", id, got, want)
	}
}

func quoteJSON(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}

// TestHashReproducible: the same seed trains the same binary codes.
func TestHashReproducible(t *testing.T) {
	t.Parallel()
	var nets [2][]byte
	for i := range nets {
		dir := filepath.Join(t.TempDir(), "ix")
		if _, err := Build(hashOptions(dir, []int{32})); err != nil {
			t.Fatal(err)
		}
		ix, err := index.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if nets[i], err = ix.Blob(query.BlobHashNet(32)); err != nil {
			t.Fatal(err)
		}
		ix.Close()
	}
	if !slices.Equal(nets[0], nets[1]) {
		t.Fatal("two builds with seed 1 trained different 32-bit models")
	}
}

// TestNoHashIndex: an index without binary codes (every index built before
// them) opens and answers every other mode; the hashing modes say what is
// missing.
func TestNoHashIndex(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := Build(hashOptions(dir, nil)); err != nil {
		t.Fatal(err)
	}
	eng, err := query.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for _, m := range query.Modes {
		if _, err := eng.Search(context.Background(), query.Request{Text: "moon", Mode: m}); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	_, err = eng.Search(context.Background(), query.Request{Text: "moon", Mode: query.Hash})
	if !errors.Is(err, query.ErrNoBits) || !strings.Contains(err.Error(), "--bits") {
		t.Fatalf("hash mode on an index without binary codes: %v", err)
	}
}

func TestBadBits(t *testing.T) {
	t.Parallel()
	o := hashOptions(t.TempDir(), []int{7})
	o.EnsureDefaults()
	var fe *FieldError
	if err := o.Validate(); !errors.As(err, &fe) || fe.Field != "Bits" {
		t.Fatalf("bits 7: %v", err)
	}
}
