package ingest

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

const (
	// GoDocsMinWords is the fewest words of documentation a package needs to
	// become a GoDocs document.
	GoDocsMinWords = 20
	// GoDocsMinClass is the fewest documents a GoDocs label needs; packages
	// of smaller classes are skipped.
	GoDocsMinClass = 5
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
// package under $GOROOT/src, in import path order.
//
// Directories named testdata, vendor or internal, and those starting with
// '.' or '_', are left out, as are files excluded by build constraints for
// the host (go/build's default context) and _test.go files. A document's
// Text is the package doc comment followed by the doc comments of the
// exported declarations, rendered as plain text; its ID is the import path
// (e.g. "net/http"), its Label the first element of that path ("net";
// "cmd" for commands), its Title the package synopsis, or the import path
// when there is none. Packages with fewer than GoDocsMinWords words, and
// those whose label has fewer than GoDocsMinClass such packages, are listed
// in Stats.Skipped, as are packages that fail to parse.
//
// Class sizes are known only at the end, so GoDocs holds the texts of the
// whole standard library (a few MB) before calling fn.
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

	w := newWalker(opts, fn)
	ctx := build.Default
	ctx.GOROOT = goroot
	var docs []Document
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
		importPath := filepath.ToSlash(rel)
		doc, reason, err := packageDoc(&ctx, p, importPath)
		switch {
		case err != nil:
			return err
		case reason != "":
			w.skip(importPath, reason)
		case doc.Text != "":
			docs = append(docs, doc)
		}
		return nil
	})
	if err != nil {
		return w.stats, err
	}

	class := make(map[string]int)
	for _, d := range docs {
		class[d.Label]++
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	for i, d := range docs {
		docs[i] = Document{} // let the text go once passed on
		if class[d.Label] < GoDocsMinClass {
			w.skip(d.ID, fmt.Sprintf("label %q has fewer than %d packages", d.Label, GoDocsMinClass))
			continue
		}
		if err := w.emit(d.ID, d.Label, d.Title, d.Text, false); err != nil {
			return w.stats, w.result(err)
		}
	}
	return w.stats, nil
}

// packageDoc builds the document of the package in dir. It returns an empty
// Document when dir holds no Go package for the host, and a skip reason
// when the package is not kept.
func packageDoc(ctx *build.Context, dir, importPath string) (Document, string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Document{}, "", fmt.Errorf("ingest: %w", err)
	}
	fset := token.NewFileSet()
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
			return Document{}, "parse error: " + firstErrorLine(err), nil
		}
		files = append(files, f)
		names[f.Name.Name]++
	}
	if len(files) == 0 {
		return Document{}, "", nil
	}
	if len(names) > 1 { // keep the package with the most files
		best := ""
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
		files = kept
	}
	p, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return Document{}, "doc error: " + err.Error(), nil
	}
	text := docText(p)
	if words := len(strings.Fields(text)); words < GoDocsMinWords {
		return Document{}, "fewer than " + strconv.Itoa(GoDocsMinWords) + " words of documentation", nil
	}
	title := cleanTitle(p.Synopsis(p.Doc))
	if title == "" {
		title = importPath
	}
	return Document{ID: importPath, Label: topLevel(importPath), Title: title, Text: text}, "", nil
}

// docText renders the package doc and the docs of its exported declarations
// as plain text, one paragraph per line, blank lines between comments.
func docText(p *doc.Package) string {
	pr := p.Printer()
	pr.TextWidth = -1
	parser := p.Parser()
	var sb strings.Builder
	add := func(s string) {
		if strings.TrimSpace(s) == "" {
			return
		}
		if sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		sb.Write(pr.Text(parser.Parse(s)))
	}
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			add(v.Doc)
		}
	}
	funcs := func(fs []*doc.Func) {
		for _, f := range fs {
			add(f.Doc)
		}
	}
	add(p.Doc)
	values(p.Consts)
	values(p.Vars)
	funcs(p.Funcs)
	for _, t := range p.Types {
		add(t.Doc)
		values(t.Consts)
		values(t.Vars)
		funcs(t.Funcs)
		funcs(t.Methods)
	}
	return sb.String()
}

// firstErrorLine shortens a parse error to its first line.
func firstErrorLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
