package ingest_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/ingest"
)

// writeFiles creates the files of tree (slash path -> content) under dir.
func writeFiles(t *testing.T, dir string, tree map[string]string) {
	t.Helper()
	for name, body := range tree {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// collect walks spec and returns the documents.
func collect(t *testing.T, spec string, opts ingest.Options) ([]ingest.Document, ingest.Stats, error) {
	t.Helper()
	var docs []ingest.Document
	st, err := ingest.Walk(spec, opts, func(d ingest.Document) error {
		docs = append(docs, d)
		return nil
	})
	return docs, st, err
}

// ids returns "ID|Label" for each document.
func ids(docs []ingest.Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.ID+"|"+d.Label)
	}
	return out
}

// reasons returns "base(Path): Reason" for each skip.
func reasons(st ingest.Stats) map[string]string {
	out := make(map[string]string)
	for _, s := range st.Skipped {
		out[filepath.Base(s.Path)] = s.Reason
	}
	return out
}

func TestWalkDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"readme":             "A file in the root\nhas no label",
		"sci.space/2":        "From: x@y\nSubject: Moon  base\nLines: 1\n\nWe should go.\r\nSoon.\r\n",
		"sci.space/1":        "caf\xe9 na\xefve",
		"sci.space/deep/3":   "nested files take the first folder as label",
		"alt.atheism/10":     "text",
		"alt.atheism/empty":  "",
		"alt.atheism/blank":  " \n\t\r\n",
		"alt.atheism/binary": "GIF89a\x00\x01\x02",
		".hidden/x":          "hidden folder",
		"alt.atheism/.dot":   "hidden file",
	})
	if err := os.Symlink("..", filepath.Join(dir, "sci.space", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "readme"), filepath.Join(dir, "alt.atheism", "link")); err != nil {
		t.Fatal(err)
	}
	docs, st, err := collect(t, dir, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{
		"alt.atheism/10|alt.atheism",
		"readme|",
		"sci.space/1|sci.space",
		"sci.space/2|sci.space",
		"sci.space/deep/3|sci.space",
	}
	if got := ids(docs); !reflect.DeepEqual(got, wantIDs) {
		t.Errorf("documents = %q, want %q", got, wantIDs)
	}
	wantSkips := map[string]string{
		"empty":  "empty file",
		"blank":  "empty file",
		"binary": "binary file (NUL byte)",
		"loop":   "symlink",
		"link":   "symlink",
	}
	if got := reasons(st); !reflect.DeepEqual(got, wantSkips) {
		t.Errorf("skipped = %v, want %v", got, wantSkips)
	}
	if st.Docs != 5 || st.Labeled != 4 || len(st.Truncated) != 0 {
		t.Errorf("stats = %+v, want 5 docs, 4 labeled, none truncated", st)
	}
	byID := make(map[string]ingest.Document)
	for _, d := range docs {
		byID[d.ID] = d
	}
	if d := byID["sci.space/2"]; d.Title != "Moon base" || !strings.HasSuffix(d.Text, "We should go.\nSoon.\n") {
		t.Errorf("sci.space/2 = %+v, want title %q and LF line ends", d, "Moon base")
	}
	if d := byID["sci.space/1"]; d.Text != "caf\u00e9 na\u00efve" || d.Title != d.Text {
		t.Errorf("sci.space/1 = %+v, want Latin-1 decoded", d)
	}
	if d := byID["readme"]; d.Title != "A file in the root" {
		t.Errorf("readme title = %q", d.Title)
	}
}

func TestWalkDirSubdir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"corpus/train/a/1": "one",
		"corpus/train/b/2": "two",
		"corpus/test/a/3":  "three",
	})
	root := filepath.Join(dir, "corpus")
	docs, _, err := collect(t, root+"#train", ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(docs), []string{"a/1|a", "b/2|b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("#train: %q, want %q", got, want)
	}
	if _, _, err := collect(t, root+"#nope", ingest.Options{}); !errors.Is(err, ingest.ErrNoSubdir) {
		t.Errorf("#nope: err = %v, want ErrNoSubdir", err)
	}
	if _, _, err := collect(t, root+"#../corpus", ingest.Options{}); !errors.Is(err, ingest.ErrSpec) {
		t.Errorf("#../corpus: err = %v, want ErrSpec", err)
	}
	// A symlinked root is followed: the user named it.
	link := filepath.Join(dir, "link")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	if docs, _, err := collect(t, link+"#test", ingest.Options{}); err != nil || len(docs) != 1 {
		t.Errorf("symlinked root: %d docs, err %v; want 1", len(docs), err)
	}
}

func TestWalkErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"data.csv": "a,b", "empty/.keep": ""})
	tests := []struct {
		name string
		spec string
		opts ingest.Options
		is   error
		text string // the message must contain it
	}{
		{"missing path", filepath.Join(dir, "nope"), ingest.Options{}, fs.ErrNotExist, "nope"},
		{"missing path with subdir", filepath.Join(dir, "nope.tar") + "#x", ingest.Options{}, fs.ErrNotExist, "nope.tar"},
		{"unknown format", filepath.Join(dir, "data.csv"), ingest.Options{}, ingest.ErrSpec, "data.csv"},
		{"empty spec", "", ingest.Options{}, ingest.ErrSpec, ""},
		{"negative max", dir, ingest.Options{MaxDocBytes: -1}, ingest.ErrOptions, "MaxDocBytes"},
	}
	for _, tt := range tests {
		_, _, err := collect(t, tt.spec, tt.opts)
		if !errors.Is(err, tt.is) || !strings.Contains(fmtErr(err), tt.text) {
			t.Errorf("%s: err = %v, want %v naming %q", tt.name, err, tt.is, tt.text)
		}
	}
	// No documents is not an error.
	docs, st, err := collect(t, filepath.Join(dir, "empty"), ingest.Options{})
	if err != nil || len(docs) != 0 || st.Docs != 0 {
		t.Errorf("empty corpus: %d docs, err %v; want 0 docs, nil", len(docs), err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestWalkCallbackError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a": "1", "b": "2", "c": "3"})
	stop := errors.New("stop")
	for _, tt := range []struct {
		ret     error
		want    error
		wantDoc int
	}{
		{stop, stop, 2},
		{fs.SkipAll, nil, 2},
	} {
		n := 0
		st, err := ingest.Walk(dir, ingest.Options{}, func(ingest.Document) error {
			n++
			if n == 2 {
				return tt.ret
			}
			return nil
		})
		if err != tt.want || n != tt.wantDoc || st.Docs != tt.wantDoc {
			t.Errorf("fn returns %v: err = %v after %d calls (Docs %d), want %v after %d", tt.ret, err, n, st.Docs, tt.want, tt.wantDoc)
		}
	}
}

// tarEntry is one entry of a test archive.
type tarEntry struct {
	name string
	typ  byte
	body string
}

// writeTar writes entries to a tar file, gzipped when the name says so.
func writeTar(t *testing.T, name string, entries []tarEntry) {
	t.Helper()
	var buf bytes.Buffer
	var gz *gzip.Writer
	var tw *tar.Writer
	if strings.HasSuffix(name, "gz") {
		gz = gzip.NewWriter(&buf)
		tw = tar.NewWriter(gz)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ == tar.TypeSymlink || e.typ == tar.TypeLink {
			hdr.Linkname, hdr.Size = e.body, 0
		}
		if e.typ == tar.TypeDir {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Size > 0 {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWalkTar(t *testing.T) {
	t.Parallel()
	entries := []tarEntry{
		{"news/", tar.TypeDir, ""},
		{"news/train/", tar.TypeDir, ""},
		{"news/train/sci.med/5", tar.TypeReg, "From: a\nSubject: Flu\n\nbody\r\n"},
		{"news/train/sci.med/4", tar.TypeReg, "archive order, not sorted: caf\xe9"},
		{"news/train/top", tar.TypeReg, "unlabeled"},
		{"news/train/sci.med/empty", tar.TypeReg, ""},
		{"news/train/sci.med/bin", tar.TypeReg, "\x00\x01"},
		{"news/train/sci.med/5", tar.TypeReg, "appended again"},
		{"news/train/sci.med/lnk", tar.TypeSymlink, "/etc/passwd"},
		{"news/train/sci.med/hard", tar.TypeLink, "news/train/top"},
		{"news/train/._mac", tar.TypeReg, "AppleDouble"},
		{"news/test/sci.med/9", tar.TypeReg, "test doc"},
		{"../../x", tar.TypeReg, "escape"},
		{"news/train/../../../y", tar.TypeReg, "escape"},
		{"/abs", tar.TypeReg, "absolute"},
		{"./news/train/sci.med/6", tar.TypeReg, "dot slash prefix"},
	}
	for _, name := range []string{"c.tar", "c.tar.gz", "c.tgz"} {
		dir := t.TempDir()
		arch := filepath.Join(dir, name)
		writeTar(t, arch, entries)

		docs, st, err := collect(t, arch+"#news/train", ingest.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []string{"sci.med/5|sci.med", "sci.med/4|sci.med", "top|", "sci.med/6|sci.med"}
		if got := ids(docs); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: documents %q, want %q", name, got, want)
		}
		wantSkips := map[string]string{
			"empty": "empty file",
			"bin":   "binary file (NUL byte)",
			"5":     "duplicate id",
			"lnk":   "symlink",
			"hard":  "not a regular file (hard link)",
			"x":     "unsafe path (..)",
			"y":     "unsafe path (..)",
			"abs":   "absolute path",
		}
		if got := reasons(st); !reflect.DeepEqual(got, wantSkips) {
			t.Errorf("%s: skipped %v, want %v", name, got, wantSkips)
		}
		if docs[0].Title != "Flu" || docs[0].Text != "From: a\nSubject: Flu\n\nbody\n" {
			t.Errorf("%s: first doc %+v", name, docs[0])
		}
		if !strings.HasSuffix(docs[1].Text, "caf\u00e9") {
			t.Errorf("%s: Latin-1 not decoded: %q", name, docs[1].Text)
		}
		if !strings.HasPrefix(st.Skipped[0].Path, arch+"#") {
			t.Errorf("%s: skip path %q does not name the archive", name, st.Skipped[0].Path)
		}

		// Without #SUBDIR the label is the first folder, "news".
		docs, _, err = collect(t, arch, ingest.Options{})
		if err != nil || len(docs) != 5 || docs[0].ID != "news/train/sci.med/5" || docs[0].Label != "news" {
			t.Errorf("%s: whole archive: %q, err %v", name, ids(docs), err)
		}
		if _, _, err := collect(t, arch+"#news/nope", ingest.Options{}); !errors.Is(err, ingest.ErrNoSubdir) {
			t.Errorf("%s: #news/nope: err = %v, want ErrNoSubdir", name, err)
		}
	}
}

func TestWalkTarCorrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	arch := filepath.Join(dir, "c.tar.gz")
	writeTar(t, arch, []tarEntry{{"a/1", tar.TypeReg, strings.Repeat("word ", 1000)}})
	data, err := os.ReadFile(arch)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.tar.gz")
	if err := os.WriteFile(bad, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	notgz := filepath.Join(dir, "notgz.tgz")
	if err := os.WriteFile(notgz, []byte("plain text"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{bad, notgz} {
		_, _, err := collect(t, p, ingest.Options{})
		if !errors.Is(err, ingest.ErrCorrupt) || !strings.Contains(fmtErr(err), filepath.Base(p)) {
			t.Errorf("%s: err = %v, want ErrCorrupt naming the file", filepath.Base(p), err)
		}
	}
}

func TestWalkJSONL(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("long line ", 20000) // 200 KB, more than bufio.Scanner's 64 KiB
	tests := []struct {
		name    string
		file    string
		data    string
		want    []string // ID|Label
		skips   []string // Reason of each skip
		errLine string   // "file:line" the error must name; "" for no error
	}{
		{
			name: "basic", file: "c.jsonl",
			data: `{"id":"d1","text":"hello world","label":"greet","title":"Hi"}` + "\n\n" +
				`{"text":"no id"}` + "\r\n" + `  {"id":7,"text":"numeric","label":3}` + "\n",
			want: []string{"d1|greet", "line-3|", "7|3"},
		},
		{
			name: "skips", file: "c.ndjson",
			data: `{"id":"a","text":"x"}` + "\n" + `{"id":"a","text":"again"}` + "\n" +
				`{"id":"b","text":"  \n "}` + "\n" + `{"id":"c","text":"nul\u0000"}`,
			want:  []string{"a|"},
			skips: []string{"duplicate id", "empty text", "binary text (NUL byte)"},
		},
		{
			name: "long line", file: "c.json",
			data: `{"id":"big","text":"` + long + `"}` + "\n" + `{"text":"after"}`,
			want: []string{"big|", "line-2|"},
		},
		{
			name: "invalid JSON", file: "corpus.jsonl",
			data:    `{"text":"ok"}` + "\n" + `{"text":"ok2"}` + "\n\n" + `{"text": oops}` + "\n",
			want:    []string{"line-1|", "line-2|"},
			errLine: "corpus.jsonl:4: invalid JSON",
		},
		{
			name: "missing text", file: "c.jsonl",
			data:    `{"id":"a","body":"x"}`,
			errLine: `c.jsonl:1: missing "text"`,
		},
		{
			name: "null text", file: "c.jsonl",
			data:    `{"id":"a","text":null}`,
			errLine: `c.jsonl:1: missing "text"`,
		},
		{
			name: "text not a string", file: "c.jsonl",
			data:    `{"text":5}`,
			errLine: "c.jsonl:1: invalid JSON",
		},
		{
			name: "bad id", file: "c.jsonl",
			data:    `{"id":[1],"text":"a"}`,
			errLine: `c.jsonl:1: "id" must be`,
		},
		{
			name: "array", file: "c.json",
			data:    `[{"text":"a"}]`,
			errLine: "c.json:1: invalid JSON: found an array",
		},
		{
			name: "trailing garbage", file: "c.jsonl",
			data:    `{"text":"a"} {"text":"b"}`,
			errLine: "c.jsonl:1: invalid JSON",
		},
		{
			name: "gzipped", file: "c.jsonl.gz",
			data: `{"id":"z","text":"zipped"}`,
			want: []string{"z|"},
		},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		p := filepath.Join(dir, tt.file)
		data := []byte(tt.data)
		if strings.HasSuffix(tt.file, ".gz") {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(data)
			zw.Close()
			data = buf.Bytes()
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		docs, st, err := collect(t, p, ingest.Options{})
		if tt.errLine == "" && err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if tt.errLine != "" && (!errors.Is(err, ingest.ErrCorrupt) || !strings.Contains(fmtErr(err), "ingest: "+filepath.Join(dir, tt.errLine))) {
			t.Errorf("%s: err = %v, want ErrCorrupt naming %q", tt.name, err, tt.errLine)
		}
		if got := ids(docs); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: documents %q, want %q", tt.name, got, tt.want)
		}
		var skips []string
		for _, s := range st.Skipped {
			skips = append(skips, s.Reason)
		}
		if !reflect.DeepEqual(skips, tt.skips) {
			t.Errorf("%s: skips %q, want %q", tt.name, skips, tt.skips)
		}
		if tt.name == "basic" && (docs[0].Title != "Hi" || docs[1].Title != "no id") {
			t.Errorf("%s: titles %q, %q", tt.name, docs[0].Title, docs[1].Title)
		}
	}
	if _, _, err := collect(t, filepath.Join(t.TempDir(), "x.jsonl")+"#sub", ingest.Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing jsonl: err = %v", err)
	}
}

// TestWalkJSONLLongRecord checks that a record longer than any line buffer
// is cut, not refused: the old reader held whole lines and gave up past
// 6*MaxDocBytes + 1 MiB.
func TestWalkJSONLLongRecord(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "c.jsonl")
	data := `{"id":"big","text":"` + strings.Repeat("a", 2<<20) + `","label":"l","title":"t"}` + "\n" + `{"id":"next","text":"b"}`
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	docs, st, err := collect(t, p, ingest.Options{MaxDocBytes: 10})
	if err != nil || len(docs) != 2 || docs[0].Text != "aaaaaaaaaa" || docs[0].Label != "l" || docs[0].Title != "t" ||
		!reflect.DeepEqual(st.Truncated, []string{"big"}) {
		t.Errorf("docs %q, truncated %q, err %v; want big (cut to 10 bytes) and next, big truncated", ids(docs), st.Truncated, err)
	}
}

// TestJSONLBoundedMemory checks the bytes allocated to read one JSON Lines
// record 6 times longer than the cut (longer ones the old reader refused):
// the reader must not hold the record, only (about) the cut. The old reader
// held the whole line and decoded the whole string.
func TestJSONLBoundedMemory(t *testing.T) {
	const cut = 1 << 20
	p := filepath.Join(t.TempDir(), "c.jsonl")
	big := strings.Repeat("word \\n ", 6*cut/8) // 6 MiB of JSON, a \n escape every 8 bytes
	if err := os.WriteFile(p, []byte(`{"id":"big","text":"`+big+`"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	st, err := ingest.Walk(p, ingest.Options{MaxDocBytes: cut}, func(d ingest.Document) error {
		n = len(d.Text)
		return nil
	})
	runtime.ReadMemStats(&after)
	if err != nil || n != cut || !reflect.DeepEqual(st.Truncated, []string{"big"}) {
		t.Fatalf("text of %d bytes, truncated %q, err %v; want %d bytes, big truncated", n, st.Truncated, err, cut)
	}
	// The sink's scratch (doubling up to 1 MiB: < 2 MiB in all), the text
	// (1 MiB), the 64 KiB read buffer and small change: < 4 MiB.
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %.2f MiB", float64(got)/(1<<20))
	if got > 4*cut {
		t.Errorf("reading a 6 MiB record with a 1 MiB cut allocated %.1f MiB, want < 4", float64(got)/(1<<20))
	}
}

func TestMaxDocBytes(t *testing.T) {
	t.Parallel()
	// "ab€€": € is 3 bytes, so the text is 8 bytes long.
	const text = "ab\u20ac\u20ac"
	tests := []struct {
		max       int64
		want      string
		truncated bool
	}{
		{8, text, false},
		{100, text, false},
		{7, "ab\u20ac", true}, // cut inside the second €
		{5, "ab\u20ac", true}, // exactly after the first €
		{4, "ab", true},
		{1, "a", true},
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"folder/doc": text})
	jsonl := filepath.Join(dir, "c.jsonl")
	writeFiles(t, dir, map[string]string{"c.jsonl": `{"id":"doc","text":"` + text + `"}`})
	arch := filepath.Join(dir, "c.tar")
	writeTar(t, arch, []tarEntry{{"doc", tar.TypeReg, text}})
	tgz := filepath.Join(dir, "c.tar.gz")
	writeTar(t, tgz, []tarEntry{{"doc", tar.TypeReg, text}})
	jsonlGz := filepath.Join(dir, "c.jsonl.gz")
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write([]byte(`{"id":"doc","text":"` + text + `"}`))
	zw.Close()
	writeFiles(t, dir, map[string]string{"c.jsonl.gz": zbuf.String()})
	writeFiles(t, dir, map[string]string{"Packages": "Package: doc\nDescription: " + text + "\n"})
	// Every reader records the cut, by id.
	for _, spec := range []string{filepath.Join(dir, "folder"), jsonl, jsonlGz, arch, tgz, filepath.Join(dir, "Packages")} {
		for _, tt := range tests {
			docs, st, err := collect(t, spec, ingest.Options{MaxDocBytes: tt.max})
			if err != nil || len(docs) != 1 {
				t.Fatalf("%s max %d: %d docs, %v", spec, tt.max, len(docs), err)
			}
			if docs[0].Text != tt.want || (len(st.Truncated) == 1) != tt.truncated || tt.truncated && st.Truncated[0] != docs[0].ID {
				t.Errorf("%s max %d: text %q truncated %q; want %q, %v", filepath.Base(spec), tt.max, docs[0].Text, st.Truncated, tt.want, tt.truncated)
			}
		}
	}
	// Latin-1 bytes grow when decoded: 4 bytes "\xe9\xe9\xe9\xe9" are 8 of UTF-8.
	writeFiles(t, dir, map[string]string{"latin/doc": "\xe9\xe9\xe9\xe9"})
	docs, st, err := collect(t, filepath.Join(dir, "latin"), ingest.Options{MaxDocBytes: 5})
	if err != nil || len(docs) != 1 || docs[0].Text != "\u00e9\u00e9" || len(st.Truncated) != 1 {
		t.Errorf("latin-1 truncation: %q %v %v", ids(docs), st.Truncated, err)
	}
}
