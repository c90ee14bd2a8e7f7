package ingest

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// GoRoot returns the root of the local Go installation: runtime.GOROOT()
// (which honours $GOROOT), else the output of `go env GOROOT`. The root must
// hold a src folder; otherwise the error satisfies errors.Is(err, ErrNoGoRoot).
func GoRoot() (string, error) {
	var tried []string
	//lint:ignore SA1019 runtime.GOROOT is only the first guess; `go env GOROOT` follows.
	if r := runtime.GOROOT(); r != "" {
		if isGoRoot(r) {
			return r, nil
		}
		tried = append(tried, fmt.Sprintf("runtime.GOROOT() = %q has no src folder", r))
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		tried = append(tried, fmt.Sprintf("`go env GOROOT`: %v", err))
	} else if r := strings.TrimSpace(string(out)); !isGoRoot(r) {
		tried = append(tried, fmt.Sprintf("`go env GOROOT` = %q has no src folder", r))
	} else {
		return r, nil
	}
	return "", fmt.Errorf("%w (%s); install Go or set $GOROOT", ErrNoGoRoot, strings.Join(tried, "; "))
}

// topLevel returns the first element of a slash path.
func topLevel(p string) string {
	first, _, _ := strings.Cut(p, "/")
	return first
}

func isGoRoot(dir string) bool {
	if dir == "" {
		return false
	}
	info, err := os.Stat(filepath.Join(dir, "src"))
	return err == nil && info.IsDir()
}

// GoDocs streams the default corpus: the documentation of the Go
// distribution at goroot (GoRoot() when goroot is ""), one document per
// documented unit of the packages under $GOROOT/src, in ID order.
//
// A unit is a package's doc comment (ID the import path, e.g. "net/http";
// Title its synopsis) or one exported top-level declaration group (ID
// "importpath.Name", e.g. "net/http.Client"; Title the first sentence of its
// doc comment): a func; a type together with its methods and the docs of its
// fields (its constructors and typed constants are units of their own); or a
// const or var block, Name its first exported name. A document's Text is the
// package name, a line of the identifiers of the declaration's signature,
// then its doc comments rendered as plain text with unwrapped paragraphs
// (struct field and const/var spec comments included). Its Label is the
// first element of the import path ("net"; "cmd" for commands, whose package
// name is taken to be the last element: "vet" for cmd/vet). A command
// (package main) is its package doc alone: its exported names are no API
// anyone can import, and go doc hides them too unless given -cmd; they are
// counted in one Stats.Skipped entry.
//
// Every label is kept, however few documents it has: the label is what a
// user filters on, and a small package (sort, embed) is as likely to be
// searched for as a large one.
//
// Directories named testdata, vendor or internal, and those starting with
// '.' or '_', are left out, as are files excluded by build constraints for
// the host (go/build's default context) and _test.go files. A package with
// a doc comment is always a document, however short the comment. A
// declaration is a document when its text holds at least one word of doc
// comment (its own, or those of its fields, specs or methods); the
// declarations with no doc at all are counted in one Stats.Skipped entry
// (Path the src folder). Packages without a doc comment, or that fail to
// parse, are listed by import path.
//
// Packages are parsed in parallel and their documents sorted by ID, so
// GoDocs holds the texts of the whole corpus (some MB) before calling fn.
func GoDocs(goroot string, opts Options, fn func(Document) error) (Stats, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	if goroot == "" {
		r, err := GoRoot()
		if err != nil {
			return Stats{}, err
		}
		goroot = r
	}
	src := filepath.Join(goroot, "src")
	if info, err := os.Stat(src); err != nil {
		return Stats{}, fmt.Errorf("ingest: %w", err)
	} else if !info.IsDir() {
		return Stats{}, fmt.Errorf("%w: %s is not a folder", ErrNoGoRoot, src)
	}
	dirs, err := packageDirs(src)
	if err != nil {
		return Stats{}, err
	}
	results := parsePackages(goroot, dirs)
	w := newWalker(opts, fn)
	var docs []Document
	short, command := 0, 0
	for i, r := range results {
		if r.err != nil {
			return w.stats, r.err
		}
		if r.skip != "" {
			w.skip(dirs[i].importPath, r.skip)
		}
		docs = append(docs, r.docs...)
		short += r.short
		command += r.command
		results[i] = pkgDocs{}
	}
	if short > 0 {
		w.skip(src, fmt.Sprintf("%d declarations without doc comments", short))
	}
	if command > 0 {
		w.skip(src, fmt.Sprintf("%d exported top-level declarations of commands (package main), which go doc hides", command))
	}
	slices.SortStableFunc(docs, func(a, b Document) int { return strings.Compare(a.ID, b.ID) })
	for i, d := range docs {
		docs[i] = Document{} // let the text go once passed on
		if w.dup(d.ID, d.ID) {
			continue
		}
		if err := w.emit(d.ID, d.Label, d.Title, d.Text, false); err != nil {
			return w.stats, w.result(err)
		}
	}
	return w.stats, nil
}

// pkgDir is a folder of $GOROOT/src that may hold a package.
type pkgDir struct{ dir, importPath string }

// packageDirs lists the folders below src, leaving out testdata, vendor,
// internal and those starting with '.' or '_'.
func packageDirs(src string) ([]pkgDir, error) {
	var dirs []pkgDir
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		if !d.IsDir() {
			return nil
		}
		if p != src {
			switch name := d.Name(); {
			case name == "testdata", name == "vendor", name == "internal",
				strings.HasPrefix(name, "."), strings.HasPrefix(name, "_"):
				return filepath.SkipDir
			}
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return nil
		}
		dirs = append(dirs, pkgDir{p, filepath.ToSlash(rel)})
		return nil
	})
	return dirs, err
}

// parsePackages builds the documents of every folder in dirs, by all CPUs;
// the i-th result is that of dirs[i].
func parsePackages(goroot string, dirs []pkgDir) []pkgDocs {
	ctx := build.Default
	ctx.GOROOT = goroot
	results := make([]pkgDocs, len(dirs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(dirs)) {
		wg.Go(func() {
			for i := range next {
				results[i] = packageDocs(&ctx, dirs[i].dir, dirs[i].importPath)
			}
		})
	}
	for i := range dirs {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// pkgDocs is what one folder of $GOROOT/src yields.
type pkgDocs struct {
	docs  []Document
	skip  string // why the package doc, or the whole package, is not kept
	short int    // declarations left out for want of any doc
	// command counts the exported top-level declarations of a command
	// (package main), left out as go doc leaves them out.
	command int
	err     error
}

// packageDocs builds the documents of the package in dir: none when dir
// holds no Go package for the host.
func packageDocs(ctx *build.Context, dir, importPath string) pkgDocs {
	fset := token.NewFileSet()
	files, r := parseDir(ctx, fset, dir)
	if len(files) == 0 {
		return r
	}
	p, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return pkgDocs{skip: "doc error: " + err.Error()}
	}
	b := &pkgBuilder{p: p, u: newUnitWriter(p), label: topLevel(importPath)}
	b.packageDoc()
	if p.Name == "main" {
		// A command's exported names are not an API anyone can import;
		// go doc hides them unless asked (-cmd), and so does the corpus.
		b.r.command = len(p.Consts) + len(p.Vars) + len(p.Funcs) + len(p.Types)
		return b.r
	}
	b.values(p.Consts)
	b.values(p.Vars)
	b.funcs(p.Funcs)
	for _, t := range p.Types {
		b.typ(t)
	}
	return b.r
}

// parseDir parses the Go files of dir that build on the host, tests left
// out, keeping those of the package with the most files where several
// packages share dir. When it returns no files, the pkgDocs says why (or
// is empty: dir holds no package).
func parseDir(ctx *build.Context, fset *token.FileSet, dir string) ([]*ast.File, pkgDocs) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, pkgDocs{err: fmt.Errorf("ingest: %w", err)}
	}
	var files []*ast.File
	names := make(map[string]int) // package name -> files
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") ||
			strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		if ok, err := ctx.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, pkgDocs{skip: "parse error: " + firstErrorLine(err)}
		}
		files = append(files, f)
		names[f.Name.Name]++
	}
	if len(names) <= 1 {
		return files, pkgDocs{}
	}
	best := "" // the package with the most files, the first by name on a tie
	for n, c := range names {
		if c > names[best] || (c == names[best] && n < best) {
			best = n
		}
	}
	kept := files[:0]
	for _, f := range files {
		if f.Name.Name == best {
			kept = append(kept, f)
		}
	}
	return kept, pkgDocs{}
}

// pkgBuilder turns the units of one package into documents.
type pkgBuilder struct {
	p     *doc.Package
	u     *unitWriter
	label string
	r     pkgDocs
}

// packageDoc adds the package's doc comment as a document, or notes that
// it has none.
func (b *pkgBuilder) packageDoc() {
	b.u.doc(b.p.Doc)
	text, words := b.u.finish()
	if words == 0 {
		b.r.skip = "no package doc comment"
		return
	}
	title := cleanTitle(b.p.Synopsis(b.p.Doc))
	if title == "" {
		title = b.p.ImportPath
	}
	b.r.docs = append(b.r.docs, Document{ID: b.p.ImportPath, Label: b.label, Title: title, Text: text})
}

// add ends the unit being written as the document importPath.name, titled
// by the first sentence of its own doc comment, or counts it as short when
// it holds no word of doc.
func (b *pkgBuilder) add(name, own string) {
	text, words := b.u.finish()
	if words == 0 {
		b.r.short++
		return
	}
	id := b.p.ImportPath + "." + name
	title := cleanTitle(b.p.Synopsis(own))
	if title == "" {
		title = id
	}
	b.r.docs = append(b.r.docs, Document{ID: id, Label: b.label, Title: title, Text: text})
}

// values adds a unit per const or var block with an exported name: its
// names and types, its doc and the comments of its specs.
func (b *pkgBuilder) values(vs []*doc.Value) {
	for _, v := range vs {
		name := firstExported(v.Names)
		if name == "" {
			continue
		}
		for _, s := range v.Decl.Specs {
			if s, ok := s.(*ast.ValueSpec); ok {
				for _, n := range s.Names {
					b.u.ident(n.Name)
				}
				b.u.idents(s.Type)
			}
		}
		b.u.doc(v.Doc)
		for _, s := range v.Decl.Specs {
			if s, ok := s.(*ast.ValueSpec); ok {
				b.u.comment(s.Doc)
				b.u.comment(s.Comment)
			}
		}
		b.add(name, v.Doc)
	}
}

// funcs adds a unit per function: its signature and doc.
func (b *pkgBuilder) funcs(fs []*doc.Func) {
	for _, f := range fs {
		b.u.funcSig(f.Decl)
		b.u.doc(f.Doc)
		b.add(f.Name, f.Doc)
	}
}

// typ adds the units of type t: its typed constants and variables and its
// constructors, each a unit of its own; the type with its methods'
// signatures and its fields' docs; then each exported method.
func (b *pkgBuilder) typ(t *doc.Type) {
	u := b.u
	b.values(t.Consts)
	b.values(t.Vars)
	b.funcs(t.Funcs)
	for _, s := range t.Decl.Specs {
		if s, ok := s.(*ast.TypeSpec); ok {
			u.ident(s.Name.Name)
			if s.TypeParams != nil {
				u.idents(s.TypeParams)
			}
			u.idents(s.Type)
		}
	}
	for _, m := range t.Methods {
		if m.Level == 0 {
			u.funcSig(m.Decl)
		}
	}
	u.doc(t.Doc)
	for _, s := range t.Decl.Specs {
		if s, ok := s.(*ast.TypeSpec); ok {
			u.fieldDocs(s.Type)
		}
	}
	b.add(t.Name, t.Doc)
	for _, m := range t.Methods {
		if m.Level == 0 && ast.IsExported(m.Name) {
			u.ident(t.Name)
			u.funcSig(m.Decl)
			u.doc(m.Doc)
			b.add(t.Name+"."+m.Name, m.Doc)
		}
	}
}

// unitWriter assembles the Text of one unit: the package name, a line of
// signature identifiers (each once, in order of appearance), then the doc
// comments as plain text, one paragraph a line. Its buffers are reused.
type unitWriter struct {
	pkg    string
	pr     *comment.Printer
	parser *comment.Parser
	sig    []string
	seen   map[string]bool
	docs   strings.Builder
	words  int
}

// newUnitWriter returns a unitWriter for p. Commands (package main) go by
// the last element of their import path: "vet" for cmd/vet.
func newUnitWriter(p *doc.Package) *unitWriter {
	pr := p.Printer()
	pr.TextWidth = -1
	name := p.Name
	if name == "main" {
		name = path.Base(p.ImportPath)
	}
	return &unitWriter{pkg: name, pr: pr, parser: p.Parser(), seen: make(map[string]bool)}
}

// ident adds a signature identifier.
func (u *unitWriter) ident(name string) {
	if name == "_" || name == "" || u.seen[name] {
		return
	}
	u.seen[name] = true
	u.sig = append(u.sig, name)
}

// idents adds the identifiers of an expression or a non-nil field list,
// comments and literals aside.
func (u *unitWriter) idents(n ast.Node) {
	if n == nil {
		return
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			u.ident(n.Name)
		case *ast.CommentGroup, *ast.BasicLit:
			return false
		}
		return true
	})
}

// funcSig adds the identifiers of a func's receiver, name and type.
func (u *unitWriter) funcSig(f *ast.FuncDecl) {
	if f.Recv != nil {
		u.idents(f.Recv)
	}
	u.ident(f.Name.Name)
	u.idents(f.Type)
}

// doc adds a doc comment's text.
func (u *unitWriter) doc(s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	text := u.pr.Text(u.parser.Parse(s))
	u.words += len(strings.Fields(string(text)))
	u.docs.Write(text)
}

// comment adds a comment group's text.
func (u *unitWriter) comment(g *ast.CommentGroup) {
	if g != nil {
		u.doc(g.Text())
	}
}

// fieldDocs adds the docs and line comments of the (exported) fields of
// struct types and the methods of interface types in t, nested ones too.
func (u *unitWriter) fieldDocs(t ast.Expr) {
	ast.Inspect(t, func(n ast.Node) bool {
		if f, ok := n.(*ast.Field); ok {
			u.comment(f.Doc)
			u.comment(f.Comment)
		}
		return true
	})
}

// finish returns the unit's text and number of doc words, and resets u.
func (u *unitWriter) finish() (string, int) {
	var sb strings.Builder
	sb.Grow(len(u.pkg) + 1 + u.docs.Len() + 16*len(u.sig))
	sb.WriteString(u.pkg)
	sb.WriteByte('\n')
	if len(u.sig) > 0 {
		sb.WriteString(strings.Join(u.sig, " "))
		sb.WriteByte('\n')
	}
	sb.WriteString(u.docs.String())
	words := u.words
	u.sig = u.sig[:0]
	clear(u.seen)
	u.docs.Reset()
	u.words = 0
	return strings.TrimRight(sb.String(), "\n"), words
}

// firstExported returns the first exported name, or "".
func firstExported(names []string) string {
	for _, n := range names {
		if token.IsExported(n) {
			return n
		}
	}
	return ""
}

// firstErrorLine shortens a parse error to its first line.
func firstErrorLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
