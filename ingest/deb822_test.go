package ingest_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/ingest"
)

// debPackages is a Packages file in the form apt writes, with the cases the
// reader must handle: folded lines, " ." paragraph marks, verbatim
// (more indented) lines, an area prefix on the section, a duplicate package,
// stanzas without or with a blank description, and fields it ignores.
const debPackages = `Package: adduser
Version: 3.134
Depends: passwd,
 libc6
Description: add and remove users and groups
 This package includes the 'adduser' and 'deluser' commands
 for creating and removing users.
 .
  - 'adduser' creates new users;
  - 'deluser' removes them.
 .
 Adduser will choose UID and GID values.
Section: admin
Description-md5: 7965b5cd83972a254552a570bcd32c93

Package: unrar
Section: non-free/utils
Description: Unarchiver for .rar files (non-free version)

Package: adduser
Section: admin
Description: a later stanza of the same package

Package: nodesc
Section: misc
Version: 1.0

Package: blank
Section: misc
Description:
 .
`

func TestWalkDeb822(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(debPackages))
	zw.Close()
	writeFiles(t, dir, map[string]string{
		"Packages":    debPackages,
		"Packages.gz": gz.String(),
		"status":      debPackages,
		"deb.txt":     strings.ReplaceAll(debPackages, "\n", "\r\n"),
		"debian_dists_bookworm_main_binary-amd64_Packages": debPackages,
	})
	want := []ingest.Document{
		{ID: "adduser", Label: "admin", Title: "add and remove users and groups",
			Text: "add and remove users and groups\n\n" +
				"This package includes the 'adduser' and 'deluser' commands for creating and removing users.\n\n" +
				" - 'adduser' creates new users;\n" +
				" - 'deluser' removes them.\n\n" +
				"Adduser will choose UID and GID values."},
		{ID: "unrar", Label: "utils", Title: "Unarchiver for .rar files (non-free version)",
			Text: "Unarchiver for .rar files (non-free version)"},
	}
	wantSkips := []string{"adduser:20 duplicate id", "nodesc:24 no description", "blank:28 empty description"}
	for _, spec := range []string{"Packages", "Packages.gz", "status", "deb822:deb.txt", "debian_dists_bookworm_main_binary-amd64_Packages"} {
		path := filepath.Join(dir, spec)
		if rest, ok := strings.CutPrefix(spec, ingest.Deb822Prefix); ok {
			path = ingest.Deb822Prefix + filepath.Join(dir, rest)
		}
		docs, st, err := collect(t, path, ingest.Options{})
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if !reflect.DeepEqual(docs, want) {
			t.Errorf("%s: documents\n%q\nwant\n%q", spec, docs, want)
		}
		var skips []string
		for i, s := range st.Skipped {
			// Path is FILE:LINE of the stanza's first field.
			_, line, _ := strings.Cut(filepath.Base(s.Path), ":")
			skips = append(skips, []string{"adduser", "nodesc", "blank"}[min(i, 2)]+":"+line+" "+s.Reason)
		}
		if !reflect.DeepEqual(skips, wantSkips) {
			t.Errorf("%s: skips %q, want %q", spec, skips, wantSkips)
		}
	}
}

func TestWalkDeb822Errors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct {
		name, data, want string
	}{
		{"continuation first", "Package: a\nDescription: x\n\n continued\n", "c:4: continuation line outside a field"},
		{"no colon", "Package: a\nDescription: x\nnot a field\n", `c:3: want "Field: value"`},
		{"empty name", "Package: a\n: x\n", "c:2: empty field name"},
		{"no package", "Package: a\nDescription: x\n\n# comment\nSection: s\nDescription: y\n", `c:5: stanza without a "Package" field`},
		{"long name", "Package: a\n" + strings.Repeat("N", 300) + ": x\n", "c:2: field name longer than 256 bytes"},
	} {
		p := filepath.Join(dir, "c")
		if err := os.WriteFile(p, []byte(tt.data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := collect(t, ingest.Deb822Prefix+p, ingest.Options{})
		if !errors.Is(err, ingest.ErrCorrupt) || !strings.Contains(fmtErr(err), "ingest: "+filepath.Join(dir, tt.want)) {
			t.Errorf("%s: err = %v, want ErrCorrupt naming %q", tt.name, err, tt.want)
		}
	}
	for _, spec := range []string{ingest.Deb822Prefix + dir, filepath.Join(dir, "c") + "#sub"} {
		if _, _, err := collect(t, spec, ingest.Options{}); !errors.Is(err, ingest.ErrSpec) {
			t.Errorf("%s: err = %v, want ErrSpec", spec, err)
		}
	}
}

// TestWalkDebianLists reads this machine's dpkg status file, when there is
// one: every installed package with a description is a document labeled by
// its section.
func TestWalkDebianLists(t *testing.T) {
	t.Parallel()
	const status = "/var/lib/dpkg/status"
	if _, err := os.Stat(status); err != nil {
		t.Skipf("no %s: %v", status, err)
	}
	docs, st, err := collect(t, status, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 || st.Labeled != st.Docs {
		t.Errorf("%d documents, %d labeled; want some, all labeled", st.Docs, st.Labeled)
	}
	for _, d := range docs {
		if d.ID == "dpkg" && (d.Label != "admin" || !strings.Contains(d.Text, "\n\n")) {
			t.Errorf("dpkg = %+v, want label admin and a long description", d)
		}
	}
}
