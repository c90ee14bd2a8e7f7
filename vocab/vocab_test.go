package vocab

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
)

// knownDocs are three training documents whose statistics are worked out
// by hand in TestBuild.
var knownDocs = []string{
	// cat toys cats like dogs dog likes cats
	"The cat's toys. Cats don't like dogs; the dog likes cats!",
	// dog cats cats cats ("a", "and", "in" are stop words; 3, 2024 digits)
	"A dog and 3 cats in 2024: cats, cats.",
	// email bob cs cmu edu server ("about", "the" stop words; x11 has a
	// digit; x, y, z are too short)
	"Email bob@cs.cmu.edu about the x11 server, x y z",
}

func buildKnown(t *testing.T, o Options) *Vocab {
	t.Helper()
	b, err := NewBuilder(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range knownDocs {
		b.Add(d)
	}
	v, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBuild(t *testing.T) {
	t.Parallel()
	v := buildKnown(t, Options{Size: 100})
	// cats: 2 + 3 = 5 times in 2 documents; dog: 1 + 1 in 2; the other
	// eleven terms once each, in term order.
	wantTerms := []string{"cats", "dog", "bob", "cat", "cmu", "cs", "dogs", "edu", "email", "like", "likes", "server", "toys"}
	wantDF := []int{2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	wantCount := []int64{5, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	if !slices.Equal(v.Terms, wantTerms) {
		t.Errorf("Terms = %q, want %q", v.Terms, wantTerms)
	}
	if !slices.Equal(v.DF, wantDF) {
		t.Errorf("DF = %v, want %v", v.DF, wantDF)
	}
	if !slices.Equal(v.Count, wantCount) {
		t.Errorf("Count = %v, want %v", v.Count, wantCount)
	}
	if v.Docs != 3 || v.Len() != 13 {
		t.Errorf("Docs, Len = %d, %d, want 3, 13", v.Docs, v.Len())
	}
	if !v.Short() {
		t.Error("Short() = false with 13 terms for Size 100")
	}
	if want := (Options{Size: 100, MinLength: 2}); v.Opts != want {
		t.Errorf("Opts = %+v, want %+v", v.Opts, want)
	}
	for i, term := range wantTerms {
		if j, ok := v.Index(term); !ok || j != i {
			t.Errorf("Index(%q) = %d, %v, want %d, true", term, j, ok, i)
		}
	}
	for _, term := range []string{"the", "don't", "x11", "2024", "Cats", "x", "cs.cmu.edu"} {
		if j, ok := v.Index(term); ok {
			t.Errorf("Index(%q) = %d, true, want absent", term, j)
		}
	}

	// Size 4 keeps the first four of the same order.
	v4 := buildKnown(t, Options{Size: 4})
	if want := wantTerms[:4]; !slices.Equal(v4.Terms, want) {
		t.Errorf("Size 4: Terms = %q, want %q", v4.Terms, want)
	}
	if v4.Short() {
		t.Error("Size 4: Short() = true with 4 terms")
	}
}

func TestBuildOptions(t *testing.T) {
	t.Parallel()
	// Stemming merges cat/cats, dog/dogs, like/likes, toys: cat 1+2+3 = 6
	// in 2 documents, dog 2+1 = 3 in 2, like 2 in 1, then the rest.
	v := buildKnown(t, Options{Stem: true})
	want := []string{"cat", "dog", "like", "bob", "cmu", "cs", "edu", "email", "server", "toy"}
	if !slices.Equal(v.Terms, want) {
		t.Errorf("Stem: Terms = %q, want %q", v.Terms, want)
	}
	if wantDF := []int{2, 2, 1, 1, 1, 1, 1, 1, 1, 1}; !slices.Equal(v.DF, wantDF) {
		t.Errorf("Stem: DF = %v, want %v", v.DF, wantDF)
	}
	// KeepDigits: 2024, x11 and cs.cmu.edu are terms; 3 is too short.
	v = buildKnown(t, Options{KeepDigits: true})
	for _, term := range []string{"2024", "x11", "cs.cmu.edu"} {
		if _, ok := v.Index(term); !ok {
			t.Errorf("KeepDigits: %q is not a term of %q", term, v.Terms)
		}
	}
	if _, ok := v.Index("cmu"); ok {
		t.Errorf("KeepDigits: cs.cmu.edu was split: %q", v.Terms)
	}
}

func TestBuildEmpty(t *testing.T) {
	t.Parallel()
	b, err := NewBuilder(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(); !errors.Is(err, ErrEmpty) {
		t.Errorf("Build with no documents: err = %v, want ErrEmpty", err)
	}
	b.Add("the and of 1234 x")
	b.Add("")
	if _, err := b.Build(); !errors.Is(err, ErrEmpty) {
		t.Errorf("Build with stop words only: err = %v, want ErrEmpty", err)
	}
	if b.Docs() != 2 {
		t.Errorf("Docs() = %d, want 2", b.Docs())
	}
	b.Add("finally a word")
	v, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Terms, []string{"finally", "word"}) || v.Docs != 3 || !v.Short() {
		t.Errorf("after a third document: Terms %q, Docs %d, Short %v", v.Terms, v.Docs, v.Short())
	}
}

func TestAddTokens(t *testing.T) {
	t.Parallel()
	a, err := NewAnalyzer(Options{Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBuilder(Options{Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range knownDocs {
		b.AddTokens(a.Tokens(d))
	}
	v, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	want := buildKnown(t, Options{Size: 100})
	if !slices.Equal(v.Terms, want.Terms) || !slices.Equal(v.DF, want.DF) || !slices.Equal(v.Count, want.Count) {
		t.Errorf("AddTokens gives %q %v %v, Add gives %q %v %v", v.Terms, v.DF, v.Count, want.Terms, want.DF, want.Count)
	}
}

func TestBuilderConcurrent(t *testing.T) {
	t.Parallel()
	docs := syntheticDocs(60)
	serial, err := NewBuilder(Options{Size: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		serial.Add(d)
	}
	want, err := serial.Build()
	if err != nil {
		t.Fatal(err)
	}
	conc, _ := NewBuilder(Options{Size: 500})
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			for i := g; i < len(docs); i += 3 {
				conc.Add(docs[i])
			}
		})
	}
	wg.Wait()
	got, err := conc.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Terms, want.Terms) || !slices.Equal(got.DF, want.DF) ||
		!slices.Equal(got.Count, want.Count) || got.Docs != want.Docs {
		t.Error("concurrent Add built another vocabulary than serial Add")
	}
	if got.Fingerprint() != want.Fingerprint() {
		t.Error("concurrent and serial vocabularies differ in Fingerprint")
	}
}

func TestVectorize(t *testing.T) {
	t.Parallel()
	v := buildKnown(t, Options{Size: 100})
	// Terms: cats 0, dog 1, bob 2, cat 3, cmu 4, cs 5, dogs 6, edu 7,
	// email 8, like 9, likes 10, server 11, toys 12.
	cases := []struct {
		text string
		idx  []int32
		val  []float32
	}{
		{"", []int32{}, []float32{}},
		{"nothing known here", []int32{}, []float32{}},
		{"Cats, CATS and dogs. Unknown words; the cat's owner is Bob",
			[]int32{0, 2, 3, 6}, []float32{2, 1, 1, 1}},
		{"toys toys toys like email@cs.cmu.edu", []int32{4, 5, 7, 8, 9, 12}, []float32{1, 1, 1, 1, 1, 3}},
	}
	for _, c := range cases {
		got := v.Vectorize(c.text)
		if !slices.Equal(got.Idx, c.idx) || !slices.Equal(got.Val, c.val) {
			t.Errorf("Vectorize(%q) = %v %v, want %v %v", c.text, got.Idx, got.Val, c.idx, c.val)
		}
	}

	// With stemming the analysis runs through the whole chain.
	vs := buildKnown(t, Options{Stem: true})
	got := vs.Vectorize("Cats' cat likes liking dogs")
	// cat 0, dog 1, like 2
	if want := []int32{0, 1, 2}; !slices.Equal(got.Idx, want) || !slices.Equal(got.Val, []float32{2, 1, 2}) {
		t.Errorf("stemmed Vectorize = %v %v, want %v [2 1 2]", got.Idx, got.Val, want)
	}
}

// TestVectorizeMatchesTokens checks Vectorize, which skips the last filters
// when it can, against counting the Analyzer's tokens.
func TestVectorizeMatchesTokens(t *testing.T) {
	t.Parallel()
	docs, _ := newsDocs(t, 120)
	for _, o := range []Options{{Size: 3000}, {Stem: true}, {KeepDigits: true, MinLength: 3}} {
		b, err := NewBuilder(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs[:60] {
			b.Add(d)
		}
		v, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			checkVector(t, v, d)
		}
		// A vocabulary assembled by hand with a stop word and a short
		// term: Vectorize must not count them, as the analysis drops them.
		h := &Vocab{Terms: []string{"the", "x", "windows"}, DF: []int{1, 1, 1}, Count: []int64{1, 1, 1}, Docs: 1, Opts: o}
		for _, d := range docs[:20] {
			checkVector(t, h, d)
		}
	}
}

// checkVector compares v.Vectorize(text) with counts of the analyzer's
// tokens.
func checkVector(t *testing.T, v *Vocab, text string) {
	t.Helper()
	counts := map[int32]float32{}
	for _, term := range v.Analyzer().Tokens(text) {
		if j, ok := v.Index(term); ok {
			counts[int32(j)]++
		}
	}
	got := v.Vectorize(text)
	if len(got.Idx) != len(counts) || len(got.Val) != len(counts) {
		t.Fatalf("Vectorize: %d/%d entries, want %d", len(got.Idx), len(got.Val), len(counts))
	}
	for k, j := range got.Idx {
		if k > 0 && j <= got.Idx[k-1] {
			t.Fatalf("Vectorize indices not increasing: %v", got.Idx)
		}
		if got.Val[k] != counts[j] {
			t.Fatalf("Vectorize: term %q counted %v, want %v", v.Terms[j], got.Val[k], counts[j])
		}
	}
}

func TestVectorizeConcurrent(t *testing.T) {
	t.Parallel()
	docs, _ := newsDocs(t, 80)
	for _, stem := range []bool{false, true} {
		b, _ := NewBuilder(Options{Stem: stem})
		for _, d := range docs {
			b.Add(d)
		}
		v, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		want := make([]Vector, len(docs))
		for i, d := range docs {
			want[i] = v.Vectorize(d)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 4)
		for g := range 4 {
			wg.Go(func() {
				for k := range docs {
					i := (k*5 + g*11) % len(docs)
					got := v.Vectorize(docs[i])
					if !slices.Equal(got.Idx, want[i].Idx) || !slices.Equal(got.Val, want[i].Val) {
						errs <- "concurrent Vectorize differs from serial"
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		m := v.VectorizeAll(docs)
		if r, c := m.Dims(); r != len(docs) || c != v.Len() {
			t.Fatalf("VectorizeAll: dims %d x %d, want %d x %d", r, c, len(docs), v.Len())
		}
		for i := range docs {
			idx, val := m.Row(i)
			if !slices.Equal(idx, want[i].Idx) || !slices.Equal(val, want[i].Val) {
				t.Fatalf("VectorizeAll row %d differs from Vectorize", i)
			}
		}
	}
}

func TestVocabLiteral(t *testing.T) {
	t.Parallel()
	// A Vocab assembled by hand works, its options defaulted.
	v := &Vocab{Terms: []string{"alpha", "beta"}, DF: []int{1, 2}, Count: []int64{3, 4}, Docs: 2, Opts: Options{Size: 2}}
	got := v.Vectorize("Beta, beta; ALPHA gamma")
	if !slices.Equal(got.Idx, []int32{0, 1}) || !slices.Equal(got.Val, []float32{1, 2}) {
		t.Errorf("Vectorize = %v %v, want [0 1] [1 2]", got.Idx, got.Val)
	}
	if v.Short() {
		t.Error("Short() = true with 2 terms for Size 2")
	}
}

func TestIDF(t *testing.T) {
	t.Parallel()
	v := buildKnown(t, Options{Size: 3})
	// Docs 3; DF 2, 2, 1: ln(4/3)+1 twice, ln(4/2)+1.
	want := []float64{math.Log(4.0/3) + 1, math.Log(4.0/3) + 1, math.Log(2) + 1}
	got := v.IDF()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("IDF()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	base := buildKnown(t, Options{Size: 100})
	fp := base.Fingerprint()
	if len(fp) != 64 {
		t.Fatalf("Fingerprint %q is not hex SHA-256", fp)
	}
	if again := buildKnown(t, Options{Size: 100}).Fingerprint(); again != fp {
		t.Error("the same vocabulary built twice differs in Fingerprint")
	}
	clone := func(change func(v *Vocab)) *Vocab {
		v := &Vocab{
			Terms: slices.Clone(base.Terms), DF: slices.Clone(base.DF),
			Count: slices.Clone(base.Count), Docs: base.Docs, Opts: base.Opts,
		}
		change(v)
		return v
	}
	// Training statistics are not part of it.
	same := clone(func(v *Vocab) { v.DF[0]++; v.Count[1]++; v.Docs++ })
	if same.Fingerprint() != fp {
		t.Error("Fingerprint changed with DF, Count, Docs")
	}
	differ := map[string]*Vocab{
		"Stem":       clone(func(v *Vocab) { v.Opts.Stem = true }),
		"KeepDigits": clone(func(v *Vocab) { v.Opts.KeepDigits = true }),
		"MinLength":  clone(func(v *Vocab) { v.Opts.MinLength = 3 }),
		"Size":       clone(func(v *Vocab) { v.Opts.Size = 101 }),
		"order":      clone(func(v *Vocab) { v.Terms[0], v.Terms[1] = v.Terms[1], v.Terms[0] }),
		"term":       clone(func(v *Vocab) { v.Terms[5] = "cz" }),
		"fewer":      clone(func(v *Vocab) { v.Terms = v.Terms[:12] }),
		// Length prefixes keep term boundaries apart.
		"boundary": clone(func(v *Vocab) { v.Terms[2], v.Terms[3] = "bobc", "at" }),
	}
	seen := map[string]string{fp: "base"}
	for name, v := range differ {
		f := v.Fingerprint()
		if other, dup := seen[f]; dup {
			t.Errorf("Fingerprint of %s equals that of %s", name, other)
		}
		seen[f] = name
	}
}
