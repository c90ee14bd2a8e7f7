package ingest

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Document is one text of a corpus.
type Document struct {
	// ID is stable across runs: the path relative to the corpus root (or to
	// "#SUBDIR") with '/' separators, e.g. "alt.atheism/49960"; the "id" of a
	// JSON Lines record; or, for GoDocs, the import path ("net/http") or
	// "importpath.Name" ("net/http.Client").
	ID string
	// Label is the class, "" when unlabeled.
	Label string
	// Title is the "Subject:" header of a mail/Usenet-style text, else the
	// first non-empty line; trimmed, at most MaxTitleRunes runes.
	Title string
	// Text is valid UTF-8 with LF line ends.
	Text string
}

// Skip is a file (or record) that was not passed on, and why.
type Skip struct {
	// Path names the file: a file system path, "ARCHIVE#ENTRY" for an archive
	// entry, "FILE:LINE" for a JSON Lines record, or for GoDocs an import
	// path, a label, or the src folder for the count of declarations left out.
	Path string
	// Reason is short and fixed, e.g. "empty file", "binary file (NUL byte)",
	// "duplicate id", "symlink", "not a regular file", "unsafe path (..)".
	Reason string
}

// Stats summarises a walk.
type Stats struct {
	Docs      int      // documents passed to the callback
	Labeled   int      // of which with a non-empty Label
	Skipped   []Skip   // files not read, in walk order
	Truncated []string // ids of documents cut at MaxDocBytes
}

// DefaultMaxDocBytes is the default of Options.MaxDocBytes: 32 MiB.
const DefaultMaxDocBytes = 32 << 20

// MaxTitleRunes is the longest Title, in runes.
const MaxTitleRunes = 200

// binarySniffLen is how many leading bytes are searched for a NUL byte.
const binarySniffLen = 8 << 10

// Options control a walk. The zero value is ready to use.
type Options struct {
	// MaxDocBytes is the longest Text in bytes; longer documents are cut on a
	// UTF-8 boundary and listed in Stats.Truncated. Default (0):
	// DefaultMaxDocBytes. Must not be negative.
	MaxDocBytes int64
}

// EnsureDefaults replaces zero fields by their defaults.
func (o *Options) EnsureDefaults() {
	if o.MaxDocBytes == 0 {
		o.MaxDocBytes = DefaultMaxDocBytes
	}
}

// Validate reports every invalid field at once; the error satisfies
// errors.Is(err, ErrOptions).
func (o Options) Validate() error {
	var errs []error
	if o.MaxDocBytes < 0 {
		errs = append(errs, fmt.Errorf("%w: MaxDocBytes = %d, want >= 0", ErrOptions, o.MaxDocBytes))
	}
	return errors.Join(errs...)
}

var (
	// ErrSpec reports a corpus spec that cannot be read: an unknown format, a
	// malformed "#SUBDIR", or "#SUBDIR" on a JSON Lines file.
	ErrSpec = errors.New("ingest: invalid corpus spec")
	// ErrNoSubdir reports a "#SUBDIR" that matches nothing in the corpus.
	ErrNoSubdir = errors.New("ingest: subfolder not found")
	// ErrCorrupt reports malformed corpus data: a bad JSON line, a broken
	// archive or gzip stream. Its message names the file and, where known, the
	// line or entry.
	ErrCorrupt = errors.New("ingest: corrupt corpus")
	// ErrOptions reports an invalid Options field.
	ErrOptions = errors.New("ingest: invalid options")
	// ErrNoGoRoot reports that no Go installation with sources was found.
	ErrNoGoRoot = errors.New("ingest: Go root not found")
)

// DataError is a corrupt-data error that names where the problem is. It
// satisfies errors.Is(err, ErrCorrupt) and unwraps to its cause.
type DataError struct {
	Path string // file as given, or "ARCHIVE#ENTRY"
	Line int    // 1-based line number; 0 when not about a line
	Msg  string // what is wrong, e.g. "invalid JSON: ..."
	Err  error  // underlying cause, or nil
}

func (e *DataError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("ingest: %s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("ingest: %s: %s", e.Path, e.Msg)
}

// Unwrap returns ErrCorrupt and the cause.
func (e *DataError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrCorrupt}
	}
	return []error{ErrCorrupt, e.Err}
}

// Walk streams the documents of the corpus at spec to fn in a deterministic
// order: sorted paths for a folder, archive order for an archive, line order
// for JSON Lines, stanza order for deb822. An error from fn stops the walk and is returned as is,
// except fs.SkipAll, which stops it and returns nil. The Stats cover what was
// read until Walk returned.
func Walk(spec string, opts Options, fn func(Document) error) (Stats, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	deb822 := false
	if rest, ok := strings.CutPrefix(spec, Deb822Prefix); ok {
		spec, deb822 = rest, true
	}
	root, sub, err := splitSpec(spec)
	if err != nil {
		return Stats{}, err
	}
	info, err := os.Stat(root)
	if err != nil {
		return Stats{}, fmt.Errorf("ingest: %w", err)
	}
	f := format(root)
	if deb822 {
		f = fmtDeb822
		if isGz(root) {
			f = fmtDeb822Gz
		}
	}
	if sub != "" && !info.IsDir() && (f == fmtJSONL || f == fmtJSONLGz || f == fmtDeb822 || f == fmtDeb822Gz) {
		return Stats{}, fmt.Errorf("%w: %q: #SUBDIR is only for folders and archives", ErrSpec, spec)
	}
	w := newWalker(opts, fn)
	switch {
	case info.IsDir() && deb822:
		return Stats{}, fmt.Errorf("%w: %s%s is a folder; want a deb822 file", ErrSpec, Deb822Prefix, root)
	case info.IsDir():
		err = w.walkDir(root, sub)
	default:
		switch f {
		case fmtTar:
			err = w.walkTar(root, sub, false)
		case fmtTarGz:
			err = w.walkTar(root, sub, true)
		case fmtJSONL, fmtJSONLGz:
			err = readFile(root, f == fmtJSONLGz, w.readJSONL)
		case fmtDeb822, fmtDeb822Gz:
			err = readFile(root, f == fmtDeb822Gz, w.readDeb822)
		default:
			return Stats{}, fmt.Errorf("%w: %s: unknown format (want a folder, .tar, .tar.gz, .tgz, .jsonl, .ndjson, .json, "+
				"a Debian Packages or status file, or %sPATH)", ErrSpec, root, Deb822Prefix)
		}
	}
	return w.stats, w.result(err)
}

// readFile opens the file called name, through gzip when gz, and hands the
// stream to read: the JSON Lines and deb822 readers, which buffer it
// themselves.
func readFile(name string, gz bool, read func(name string, r io.Reader) error) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if gz {
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 64<<10))
		if err != nil {
			return &DataError{Path: name, Msg: fmt.Sprintf("gzip: %v", err), Err: err}
		}
		defer zr.Close()
		r = zr
	}
	return read(name, r)
}

// splitSpec splits "PATH#SUBDIR". A spec naming an existing path is taken
// whole, so paths containing '#' still work. SUBDIR is returned cleaned, with
// '/' separators, "" for none.
func splitSpec(spec string) (root, sub string, err error) {
	if spec == "" {
		return "", "", fmt.Errorf("%w: empty", ErrSpec)
	}
	if _, err := os.Lstat(spec); err == nil {
		return spec, "", nil
	}
	i := strings.LastIndexByte(spec, '#')
	if i < 0 {
		return spec, "", nil
	}
	root, sub = spec[:i], filepath.ToSlash(spec[i+1:])
	if root == "" {
		return "", "", fmt.Errorf("%w: %q: empty path before '#'", ErrSpec, spec)
	}
	if sub == "" {
		return root, "", nil
	}
	if path.IsAbs(sub) || filepath.IsAbs(sub) || hasDotDot(path.Clean(sub)) {
		return "", "", fmt.Errorf("%w: %q: #SUBDIR must be a relative path without \"..\" components", ErrSpec, spec)
	}
	sub = strings.TrimSuffix(path.Clean(sub), "/")
	if sub == "." {
		sub = ""
	}
	return root, sub, nil
}

// hasDotDot reports whether the cleaned slash path p has a ".." element.
func hasDotDot(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == ".." {
			return true
		}
	}
	return false
}

// isHidden reports whether an element of the slash path p starts with '.'.
func isHidden(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if strings.HasPrefix(e, ".") {
			return true
		}
	}
	return false
}

// labelOf returns the first element of a slash id below the root, or "" for
// a file directly in the root.
func labelOf(id string) string {
	if i := strings.IndexByte(id, '/'); i >= 0 {
		return id[:i]
	}
	return ""
}

type fileFormat int

const (
	fmtUnknown fileFormat = iota
	fmtTar
	fmtTarGz
	fmtJSONL
	fmtJSONLGz
	fmtDeb822
	fmtDeb822Gz
)

// format detects a file's format from its name.
func format(name string) fileFormat {
	n := strings.ToLower(filepath.Base(name))
	switch {
	case strings.HasSuffix(n, ".tar"):
		return fmtTar
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return fmtTarGz
	case strings.HasSuffix(n, ".jsonl"), strings.HasSuffix(n, ".ndjson"), strings.HasSuffix(n, ".json"):
		return fmtJSONL
	case strings.HasSuffix(n, ".jsonl.gz"), strings.HasSuffix(n, ".ndjson.gz"), strings.HasSuffix(n, ".json.gz"):
		return fmtJSONLGz
	case n == "packages", n == "status", strings.HasSuffix(n, "_packages"):
		return fmtDeb822
	case n == "packages.gz", strings.HasSuffix(n, "_packages.gz"):
		return fmtDeb822Gz
	}
	return fmtUnknown
}

// isGz reports whether name ends in ".gz".
func isGz(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".gz")
}

// callbackError carries fn's error through the readers unchanged.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// walker holds the state shared by the readers.
type walker struct {
	opts  Options
	fn    func(Document) error
	stats Stats
	seen  map[string]struct{}
	sink  textSink // assembles one document's text at a time
	rbuf  []byte   // read buffer of the file readers, reused
}

func newWalker(opts Options, fn func(Document) error) *walker {
	return &walker{opts: opts, fn: fn, seen: make(map[string]struct{})}
}

// result turns a reader's error into Walk's.
func (w *walker) result(err error) error {
	var ce callbackError
	if errors.As(err, &ce) {
		if ce.err == fs.SkipAll {
			return nil
		}
		return ce.err
	}
	return err
}

func (w *walker) skip(p, reason string) {
	w.stats.Skipped = append(w.stats.Skipped, Skip{Path: p, Reason: reason})
}

// dup reports whether id was already passed on, and records the skip.
func (w *walker) dup(p, id string) bool {
	if _, ok := w.seen[id]; ok {
		w.skip(p, "duplicate id")
		return true
	}
	return false
}

// maxDoc is Options.MaxDocBytes as an int.
func (w *walker) maxDoc() int {
	return int(min(w.opts.MaxDocBytes, math.MaxInt))
}

// emitFile reads, checks and decodes the text of file p from r and passes
// it on. sizeHint, when positive, is the file's length.
func (w *walker) emitFile(p, id, label string, r io.Reader, sizeHint int64) error {
	text, cut, binary, err := w.readText(r, sizeHint)
	switch {
	case err != nil:
		return err
	case binary:
		w.skip(p, "binary file (NUL byte)")
		return nil
	case isBlank(text):
		w.skip(p, "empty file")
		return nil
	}
	return w.emit(id, label, "", text, cut)
}

// emit truncates text to MaxDocBytes, fills in the title and calls fn.
func (w *walker) emit(id, label, title, text string, cut bool) error {
	if int64(len(text)) > w.opts.MaxDocBytes {
		text = truncateUTF8(text, int(w.opts.MaxDocBytes))
		cut = true
	}
	if title == "" {
		title = titleOf(text)
	} else {
		title = cleanTitle(title)
	}
	w.seen[id] = struct{}{}
	w.stats.Docs++
	if label != "" {
		w.stats.Labeled++
	}
	if cut {
		w.stats.Truncated = append(w.stats.Truncated, id)
	}
	if err := w.fn(Document{ID: id, Label: label, Title: title, Text: text}); err != nil {
		return callbackError{err}
	}
	return nil
}
