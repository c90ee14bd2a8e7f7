package ingest

import (
	"archive/tar"
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"
)

// checkDoc fails t when d breaks a Document invariant.
func checkDoc(t *testing.T, d Document, max int64) {
	t.Helper()
	if !utf8.ValidString(d.Text) || !utf8.ValidString(d.Title) || !utf8.ValidString(d.ID) {
		t.Fatalf("invalid UTF-8 in %+v", d)
	}
	if int64(len(d.Text)) > max {
		t.Fatalf("len(Text) = %d > MaxDocBytes %d", len(d.Text), max)
	}
	if utf8.RuneCountInString(d.Title) > MaxTitleRunes {
		t.Fatalf("title too long: %q", d.Title)
	}
	if isBlank(d.Text) {
		t.Fatalf("blank text passed on: %+v", d)
	}
}

// fuzzMax is a small MaxDocBytes so that fuzzing exercises truncation.
const fuzzMax = 64

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","text":"hello","label":"x"}` + "\n" + `{"text":"two"}`,
		`{"id":1,"text":"n","label":2}`,
		"\n\n{\"text\":\"caf\xe9\"}\r\n",
		`{"text":"` + string(bytes.Repeat([]byte("\u00e9"), 40)) + `"}`,
		`{"id":"a","text":"x"}` + "\n" + `{"id":"a","text":"y"}`,
		`{"text":null}`,
		`[{"text":"a"}]`,
		`{"text":"a"} trailing`,
		`{"id":{},"text":"a"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w := newWalker(Options{MaxDocBytes: fuzzMax}, func(d Document) error {
			checkDoc(t, d, fuzzMax)
			return nil
		})
		err := w.readJSONL("fuzz.jsonl", bytes.NewReader(data))
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not satisfy ErrCorrupt", err)
		}
		if err == nil && w.stats.Docs != len(w.seen) {
			t.Fatalf("Docs = %d, ids = %d", w.stats.Docs, len(w.seen))
		}
	})
}

func FuzzTar(f *testing.F) {
	add := func(entries ...tarEntry) {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, e := range entries {
			_ = tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: e.typ, Size: int64(len(e.body)), Mode: 0o644, Linkname: e.link})
			_, _ = tw.Write([]byte(e.body))
		}
		_ = tw.Close()
		f.Add(buf.Bytes())
	}
	add(tarEntry{name: "c/a", typ: tar.TypeReg, body: "Subject: hi\n\nbody"},
		tarEntry{name: "../../x", typ: tar.TypeReg, body: "evil"},
		tarEntry{name: "/abs", typ: tar.TypeReg, body: "evil"},
		tarEntry{name: "l", typ: tar.TypeSymlink, link: "/etc/passwd"})
	add(tarEntry{name: "d/", typ: tar.TypeDir}, tarEntry{name: "d/x", typ: tar.TypeReg, body: "caf\xe9\r\n"})
	f.Add([]byte{})
	f.Add(make([]byte, 1024))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, sub := range []string{"", "c"} {
			w := newWalker(Options{MaxDocBytes: fuzzMax}, func(d Document) error {
				checkDoc(t, d, fuzzMax)
				if hasDotDot(d.ID) || len(d.ID) > 0 && d.ID[0] == '/' {
					t.Fatalf("unsafe id %q", d.ID)
				}
				return nil
			})
			err := w.readTar("fuzz.tar", sub, bytes.NewReader(data))
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNoSubdir) {
				t.Fatalf("error %v is neither ErrCorrupt nor ErrNoSubdir", err)
			}
		}
	})
}

type tarEntry struct {
	name, body, link string
	typ              byte
}
