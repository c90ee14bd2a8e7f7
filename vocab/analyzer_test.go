package vocab

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	// Expected terms worked out by hand from the chain in the Analyzer doc:
	// bleve's English stop list holds "the", "a", "and", "in", "of", "was",
	// "about" and the contractions "don't", "isn't"; "like" is not on it.
	cases := []struct {
		name string
		opts Options
		text string
		want []string
	}{
		{"empty", Options{}, "", nil},
		{"stop words and possessives", Options{},
			"The cat's toys. Cats don't like dogs; the dog likes cats!",
			[]string{"cat", "toys", "cats", "like", "dogs", "dog", "likes", "cats"}},
		{"possessive kept name", Options{}, "Hinton's autoencoder", []string{"hinton", "autoencoder"}},
		{"inner apostrophe stays", Options{}, "O'Reilly's books", []string{"o'reilly", "books"}},
		{"contractions, curly and upper case", Options{}, "don’t DON'T isn't", nil},
		{"digits dropped", Options{}, "version 2.0 of mp3 player in 1993", []string{"version", "player"}},
		{"digits kept", Options{KeepDigits: true}, "version 2.0 of mp3 player in 1993",
			[]string{"version", "2.0", "mp3", "player", "1993"}},
		{"compounds split", Options{}, "e.g. mail bob@cs.cmu.edu re: snake_case", // "re" is no stop word
			[]string{"mail", "bob", "cs", "cmu", "edu", "re", "snake", "case"}},
		{"compounds whole with digits", Options{KeepDigits: true}, "e.g. mail bob@cs.cmu.edu",
			[]string{"e.g", "mail", "bob", "cs.cmu.edu"}},
		{"short tokens", Options{}, "x y z an ox", []string{"ox"}},
		{"MinLength 1", Options{MinLength: 1}, "x y z an ox", []string{"x", "y", "z", "ox"}},
		{"MinLength 3", Options{MinLength: 3}, "an ox ate big figs", []string{"ate", "big", "figs"}},
		{"MinLength counts runes", Options{MinLength: 3}, "né née", []string{"née"}},
		{"unicode lowercase", Options{}, "Ünïcödé CAFÉ ΣΊΣΥΦΟΣ", []string{"ünïcödé", "café", "σίσυφος"}},
		{"unstemmed", Options{}, "The runner was running and runs", []string{"runner", "running", "runs"}},
		{"stemmed", Options{Stem: true}, "The runner was running and runs; cats' toys",
			[]string{"runner", "run", "run", "cat", "toy"}},
		{"windows-1252 bytes", Options{}, "caf\xe9 na\xefve \x93quoted\x94 it\x92s", []string{"café", "naïve", "quoted"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, err := NewAnalyzer(c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Tokens(c.text); !slices.Equal(got, c.want) {
				t.Errorf("Tokens(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestAnalyzerStemCache(t *testing.T) {
	t.Parallel()
	a, err := NewAnalyzer(Options{Stem: true})
	if err != nil {
		t.Fatal(err)
	}
	text := "running runs Running RUNS connection connected"
	want := []string{"run", "run", "run", "run", "connect", "connect"}
	for range 3 { // the first pass fills the cache, the others read it
		if got := a.Tokens(text); !slices.Equal(got, want) {
			t.Fatalf("Tokens(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	var o Options
	o.EnsureDefaults()
	if want := (Options{Size: 2000, MinLength: 2}); o != want {
		t.Errorf("EnsureDefaults on zero Options = %+v, want %+v", o, want)
	}
	if err := o.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
	a, err := NewAnalyzer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Options() != o {
		t.Errorf("NewAnalyzer(Options{}).Options() = %+v, want the defaults %+v", a.Options(), o)
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	err := Options{Size: 0, MinLength: -1}.Validate()
	if err == nil {
		t.Fatal("Validate accepted Size 0 and MinLength -1")
	}
	// Every problem is reported at once, each naming its field.
	msg := err.Error()
	for _, want := range []string{"vocab: Size must be positive, got 0", "vocab: MinLength must be positive, got -1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Validate error %q lacks %q", msg, want)
		}
	}
	if maxInt := int(^uint(0) >> 1); maxInt > math.MaxInt32 { // 64-bit int
		if err := (Options{Size: maxInt, MinLength: 2}).Validate(); err == nil || !strings.Contains(err.Error(), "Size must be at most") {
			t.Errorf("Validate(Size %d) = %v, want a bound on Size", maxInt, err)
		}
	}
	if _, err := NewAnalyzer(Options{Size: -5}); err == nil {
		t.Error("NewAnalyzer accepted Size -5")
	}
	if _, err := NewBuilder(Options{MinLength: -5}); err == nil {
		t.Error("NewBuilder accepted MinLength -5")
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 2 {
		t.Errorf("Validate error is not a join of 2 errors: %#v", err)
	}
}

func TestAnalyzerConcurrent(t *testing.T) {
	t.Parallel()
	a, err := NewAnalyzer(Options{Stem: true})
	if err != nil {
		t.Fatal(err)
	}
	texts := syntheticDocs(40)
	want := make([][]string, len(texts))
	for i, s := range texts {
		want[i] = a.Tokens(s)
	}
	b, _ := NewAnalyzer(Options{Stem: true}) // a fresh stem cache, filled concurrently
	done := make(chan bool)
	for g := range 4 {
		go func() {
			ok := true
			for k := range texts {
				i := (k + 7*g) % len(texts)
				ok = ok && slices.Equal(b.Tokens(texts[i]), want[i])
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("concurrent Tokens differ from serial ones")
		}
	}
}
