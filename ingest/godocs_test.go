package ingest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docsearch/docsearch/ingest"
)

func TestGoDocs(t *testing.T) {
	goroot, err := ingest.GoRoot()
	if err != nil {
		t.Skipf("no Go root: %v", err)
	}
	if testing.Short() {
		t.Skip("parses the standard library; skipped with -short")
	}
	start := time.Now()
	classes := make(map[string]int)
	byID := make(map[string]ingest.Document)
	prev, size := "", 0
	st, err := ingest.GoDocs(goroot, ingest.Options{}, func(d ingest.Document) error {
		if d.ID <= prev { // sorted, hence unique
			return fmt.Errorf("order: %q after %q", d.ID, prev)
		}
		prev = d.ID
		if d.Label == "" || d.Title == "" || strings.TrimSpace(d.Text) == "" {
			return fmt.Errorf("%q: empty field in %+v", d.ID, d)
		}
		classes[d.Label]++
		byID[d.ID] = d
		size += len(d.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GoDocs(%s): %d documents (%d bytes of text), %d classes, %d skip entries, in %v",
		goroot, st.Docs, size, len(classes), len(st.Skipped), time.Since(start))
	t.Logf("classes: %v", classes)
	// Go 1.26 on linux/amd64 gives 5,329 documents in 50 classes; these
	// bounds leave room for releases and platforms to differ.
	if st.Docs <= 3000 || len(classes) < 40 || st.Labeled != st.Docs || len(byID) != st.Docs {
		t.Errorf("%d documents (%d distinct) in %d classes (%d labeled); want > 3000 in >= 40",
			st.Docs, len(byID), len(classes), st.Labeled)
	}
	// Every document is labeled by the first element of its import path,
	// and small packages people search for first are not dropped: nor are
	// packages whose doc comment is one short sentence (encoding/hex).
	for id, d := range byID {
		pkg, _, _ := strings.Cut(id, ".")
		if first, _, _ := strings.Cut(pkg, "/"); d.Label != first {
			t.Errorf("%s has label %q, want %q", id, d.Label, first)
		}
	}
	for _, id := range []string{
		"sort", "strconv", "time", "bufio", "context", "flag", "regexp", "embed", "errors",
		"slices", "maps", "compress/gzip", "crypto/rand", "encoding/hex", "unicode/utf16",
		"strconv.Itoa", "sort.Slice", "time.Parse", "bufio.Scanner", "os.Getenv",
	} {
		if _, ok := byID[id]; !ok {
			t.Errorf("%s is not a document", id)
		}
	}
	for _, want := range []ingest.Document{
		{ID: "net/http", Label: "net", Title: "Package http provides HTTP client and server implementations."},
		{ID: "net/http.Client", Label: "net", Title: "A Client is an HTTP client."},
		{ID: "cmd/go", Label: "cmd", Title: "Go is a tool for managing Go source code."},
	} {
		got, ok := byID[want.ID]
		if !ok || got.Label != want.Label || got.Title != want.Title {
			t.Errorf("%s = {ID %q Label %q Title %q}, want %+v", want.ID, got.ID, got.Label, got.Title, want)
		}
	}
	// A type's document: package name, signature words (methods included),
	// then the docs of the type and its fields; each method's doc is a
	// document of its own.
	c := byID["net/http.Client"].Text
	for _, s := range []string{"http\nClient ", " Do ", "Transport specifies the mechanism"} {
		if !strings.Contains(c, s) {
			t.Errorf("net/http.Client text lacks %q", s)
		}
	}
	if strings.Contains(c, "Do sends an HTTP request") {
		t.Error("net/http.Client text holds the doc of its method Do")
	}
	if d := byID["net/http.Client.Do"]; !strings.Contains(d.Text, "Do sends an HTTP request") || d.Label != "net" {
		t.Errorf("net/http.Client.Do = %+v", d)
	}
	if !strings.HasPrefix(byID["cmd/go"].Text, "go\n") {
		t.Errorf("cmd/go text starts %q, want the command name", byID["cmd/go"].Text[:min(20, len(byID["cmd/go"].Text))])
	}
	for id := range byID {
		pkg, _, _ := strings.Cut(id, ".")
		for _, e := range strings.Split(pkg, "/") {
			if e == "internal" || e == "testdata" || e == "vendor" {
				t.Errorf("%s should not be a document", id)
			}
		}
	}
	// The everyday questions of testdata/goquestions.json name packages
	// that are documents, none answering more than 3 questions; those of
	// goquestions-dev.json name documents too.
	for _, set := range []struct {
		file     string
		maxUses  int
		minCount int
	}{{"goquestions.json", 3, 40}, {"goquestions-dev.json", 0, 40}} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", set.file))
		if err != nil {
			t.Fatal(err)
		}
		var questions []struct {
			Q    string   `json:"q"`
			Want []string `json:"want"`
		}
		if err := json.Unmarshal(data, &questions); err != nil {
			t.Fatalf("%s: %v", set.file, err)
		}
		uses := make(map[string]int)
		for _, q := range questions {
			if q.Q == "" || len(q.Want) == 0 {
				t.Errorf("%s: %+v lacks a question or an answer", set.file, q)
			}
			for _, p := range q.Want {
				if uses[p]++; set.maxUses > 0 && uses[p] == set.maxUses+1 {
					t.Errorf("%s: %s answers more than %d questions", set.file, p, set.maxUses)
				}
				if _, ok := byID[p]; !ok {
					t.Errorf("%s: %q wants %s, which is not a document", set.file, q.Q, p)
				}
			}
		}
		if len(questions) < set.minCount {
			t.Errorf("%s: %d questions, want about %d", set.file, len(questions), set.minCount)
		}
	}
	short := 0
	for _, s := range st.Skipped {
		if strings.Contains(s.Reason, "declarations without doc comments") {
			short++
		}
	}
	if short != 1 {
		t.Errorf("%d skip entries count short declarations, want 1", short)
	}
}

// TestGoDocsUnits checks the unit rules on a made-up Go root: every
// package doc and every declaration with any doc is kept, in labels of any
// size; only declarations without a word of doc are left out.
func TestGoDocsUnits(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"src/shop/cart/cart.go": `// Package cart keeps the items a customer means to buy until the order is placed.
package cart

import "time"

// Cart holds the items chosen so far.
type Cart struct {
	// Owner names the customer who fills the cart.
	Owner string
	items []string
}

// Add puts an item in the cart, keeping the order in which items were added.
func (c *Cart) Add(item string, at time.Time) {}

func (c *Cart) secret() {}

// New returns a cart.
func New() *Cart { return nil }

// Colors a cart can be painted in, for customers who care about such things.
const (
	Red  = iota // the colour of fire trucks
	Blue        // the colour of the sea
)

// MaxItems is the largest number of items a cart holds before it overflows.
var MaxItems = 100

// Short.
func Short() {}

func NoDoc() {}

type Bare int

// String names the bare count.
func (b Bare) String() string { return "" }

// hidden is unexported, with a doc comment long enough to be kept otherwise.
func hidden() {}
`,
		"src/shop/cart/cart_test.go":        "// Package cart is tested here, with a doc comment long enough to count.\npackage cart\n\n// TestX is a test func with a doc comment long enough to become a document.\nfunc TestX() {}\n",
		"src/shop/internal/x/x.go":          "// Package x is internal, with a doc comment long enough to be kept otherwise.\npackage x\n",
		"src/shop/cart/testdata/t/t.go":     "// Package t is test data, with a doc comment long enough to be kept otherwise.\npackage t\n",
		"src/shop/broken/b.go":              "package broken\n\nfunc {\n",
		"src/shop/nodoc/n.go":               "package nodoc\n\nfunc Hidden() {}\n",
		"src/tiny/tiny.go":                  "// Package tiny.\npackage tiny\n",
		"src/cmd/tool/main.go":              "// Tool prints the carts of the shop.\npackage main\n\n// Printer is exported, with a doc comment, but nobody can import a command.\ntype Printer struct{}\n\n// Print prints.\nfunc (Printer) Print() {}\n\n// Verbose is a flag.\nvar Verbose bool\n\nfunc main() {}\n",
		"src/shop/cart/_ignored/ignored.go": "// Package ignored starts with an underscore, so it is left out entirely.\npackage ignored\n",
	})

	var ids []string
	byID := make(map[string]ingest.Document)
	st, err := ingest.GoDocs(root, ingest.Options{}, func(d ingest.Document) error {
		ids = append(ids, d.ID)
		byID[d.ID] = d
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cmd/tool", "shop/cart", "shop/cart.Bare.String", "shop/cart.Cart", "shop/cart.Cart.Add", "shop/cart.MaxItems", "shop/cart.New",
		"shop/cart.Red", "shop/cart.Short", "tiny",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("ids = %q,\nwant %q", ids, want)
	}
	cart := byID["shop/cart.Cart"]
	wantCart := ingest.Document{
		ID: "shop/cart.Cart", Label: "shop", Title: "Cart holds the items chosen so far.",
		Text: "cart\nCart Owner string c Add item at time Time\n" +
			"Cart holds the items chosen so far.\n" +
			"Owner names the customer who fills the cart.",
	}
	if cart != wantCart {
		t.Errorf("Cart document =\n%+v\nwant\n%+v", cart, wantCart)
	}
	if d := byID["shop/cart.Red"]; d.Title != "Colors a cart can be painted in, for customers who care about such things." ||
		!strings.HasPrefix(d.Text, "cart\nRed Blue\n") || !strings.Contains(d.Text, "the colour of the sea") {
		t.Errorf("Red = %+v", d)
	}
	// Short docs are kept; a method is a document of its own, and a type
	// without a doc comment of its own is not (its method is).
	for _, w := range []ingest.Document{
		{ID: "tiny", Label: "tiny", Title: "Package tiny.", Text: "tiny\nPackage tiny."},
		{ID: "cmd/tool", Label: "cmd", Title: "Tool prints the carts of the shop.", Text: "tool\nTool prints the carts of the shop."},
		{ID: "shop/cart.Short", Label: "shop", Title: "Short.", Text: "cart\nShort\nShort."},
		{ID: "shop/cart.New", Label: "shop", Title: "New returns a cart.", Text: "cart\nNew Cart\nNew returns a cart."},
		{ID: "shop/cart.Bare.String", Label: "shop", Title: "String names the bare count.", Text: "cart\nBare b String string\nString names the bare count."},
		{ID: "shop/cart.Cart.Add", Label: "shop", Title: "Add puts an item in the cart, keeping the order in which items were added.",
			Text: "cart\nCart c Add item string at time Time\nAdd puts an item in the cart, keeping the order in which items were added."},
	} {
		if d := byID[w.ID]; d != w {
			t.Errorf("%s =\n%+v\nwant\n%+v", w.ID, d, w)
		}
	}
	wantSkips := []ingest.Skip{
		{Path: "shop/broken", Reason: "parse error: " + filepath.Join(root, "src", "shop", "broken", "b.go") + ":3:6: expected 'IDENT', found '{'"},
		{Path: "shop/nodoc", Reason: "no package doc comment"},
		{Path: filepath.Join(root, "src"), Reason: "3 declarations without doc comments"},
		{Path: filepath.Join(root, "src"), Reason: "2 exported top-level declarations of commands (package main), which go doc hides"},
	}
	if !slices.Equal(st.Skipped, wantSkips) {
		t.Errorf("skipped = %q,\nwant %q", st.Skipped, wantSkips)
	}
	if st.Docs != len(want) || st.Labeled != st.Docs {
		t.Errorf("stats = %+v", st)
	}
}

func TestGoDocsBadRoot(t *testing.T) {
	t.Parallel()
	_, err := ingest.GoDocs(filepath.Join(t.TempDir(), "nogo"), ingest.Options{}, func(ingest.Document) error { return nil })
	if err == nil {
		t.Fatal("GoDocs on a missing root: no error")
	}
}

func BenchmarkGoDocs(b *testing.B) {
	goroot, err := ingest.GoRoot()
	if err != nil {
		b.Skipf("no Go root: %v", err)
	}
	b.ReportAllocs()
	docs := 0
	start := time.Now()
	for b.Loop() {
		st, err := ingest.GoDocs(goroot, ingest.Options{}, func(ingest.Document) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		docs += st.Docs
	}
	b.ReportMetric(float64(docs)/time.Since(start).Seconds(), "docs/s")
}
