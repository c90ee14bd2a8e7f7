package ingest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
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
		`{"TEXT":"a\r\nb\u00e9\ud83d\ude00\ud800x","x":[1,{"y":null},-2.5e3,true],"title":"T"}`,
		`{"id":-0.5e+2,"label":"\u0041","text":"` + strings.Repeat(" ", 70) + `x"}`,
		"\u00a0{\"text\":\"nbsp around\"}\u2003",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []Document
		w := newWalker(Options{MaxDocBytes: fuzzMax}, func(d Document) error {
			checkDoc(t, d, fuzzMax)
			got = append(got, d)
			return nil
		})
		w.sink.jump = 16 // exercise the move to a buffer of its own
		err := w.readJSONL("fuzz.jsonl", bytes.NewReader(data))
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not satisfy ErrCorrupt", err)
		}
		if err == nil && w.stats.Docs != len(w.seen) {
			t.Fatalf("Docs = %d, ids = %d", w.stats.Docs, len(w.seen))
		}
		// A small read buffer changes nothing.
		var small []Document
		ws := newWalker(Options{MaxDocBytes: fuzzMax}, func(d Document) error {
			small = append(small, d)
			return nil
		})
		ws.rbuf = make([]byte, 16)
		if errS := ws.readJSONL("fuzz.jsonl", bytes.NewReader(data)); fmtErr(errS) != fmtErr(err) ||
			!reflect.DeepEqual(small, got) || !reflect.DeepEqual(ws.stats, w.stats) {
			t.Fatalf("with a 16-byte buffer: %+v, %v; with 64 KiB: %+v, %v", small, errS, got, err)
		}
		// The streaming parser agrees with encoding/json on every line.
		want, wantSt, wantErr := oracleJSONL(data, fuzzMax)
		var de *DataError
		if (err == nil) != (wantErr == nil) || err != nil && (!errors.As(err, &de) || de.Line != wantErr.Line) {
			t.Fatalf("error %v, want %v", err, wantErr)
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(w.stats, wantSt) {
			t.Fatalf("documents %+v, stats %+v\nwant %+v, %+v", got, w.stats, want, wantSt)
		}
	})
}

// oracleJSONL reads JSON Lines as the reader did before it streamed: one
// whole line at a time, decoded by encoding/json after bytes that are not
// UTF-8 are read as Windows-1252. It differs from readJSONL only where that
// reader was wrong: a text that is blank once cut is skipped.
func oracleJSONL(data []byte, max int) ([]Document, Stats, *DataError) {
	var docs []Document
	w := newWalker(Options{MaxDocBytes: int64(max)}, func(d Document) error {
		docs = append(docs, d)
		return nil
	})
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !utf8.Valid(line) {
			line = []byte(decodeText(line))
		}
		var rec jsonRecordOracle
		if err := json.Unmarshal(line, &rec); err != nil {
			return docs, w.stats, &DataError{Path: "fuzz.jsonl", Line: n, Msg: err.Error()}
		}
		id, ok1 := scalarOracle(rec.ID)
		label, ok2 := scalarOracle(rec.Label)
		if rec.Text == nil || !ok1 || !ok2 {
			return docs, w.stats, &DataError{Path: "fuzz.jsonl", Line: n, Msg: "bad record"}
		}
		if id == "" {
			id = "line-" + strconv.Itoa(n)
		}
		where := "fuzz.jsonl:" + strconv.Itoa(n)
		if w.dup(where, id) {
			continue
		}
		text := *rec.Text
		if strings.IndexByte(text[:min(len(text), binarySniffLen)], 0) >= 0 {
			w.skip(where, "binary text (NUL byte)")
			continue
		}
		text = decodeText([]byte(text))
		cut := len(text) > max
		text = truncateUTF8(text, max)
		if isBlank(text) {
			w.skip(where, "empty text")
			continue
		}
		var title string
		if rec.Title != nil {
			title = *rec.Title
		}
		_ = w.emit(id, label, title, text, cut)
	}
	return docs, w.stats, nil
}

type jsonRecordOracle struct {
	ID    json.RawMessage `json:"id"`
	Text  *string         `json:"text"`
	Label json.RawMessage `json:"label"`
	Title *string         `json:"title"`
}

func scalarOracle(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	switch raw[0] {
	case '"':
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), true
	}
	return "", false
}

func FuzzDeb822(f *testing.F) {
	for _, s := range []string{
		"Package: a\nSection: contrib/x\nDescription: syn\n long\n line\n .\n  verbatim\n\nPackage: b\nDescription: two\n",
		"Package: a\r\nDescription: caf\xe9\r\n .\r\n\r\n",
		"Package: a\nDescription: x\n\nPackage: a\nDescription: y\n",
		"# comment\nPackage: a\n \t \nDescription: z\n",
		"Package: a\nDescription:\n .  \n .x\n",
		" bad\n",
		"Package: a\nDescription: nul\x00\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		read := func(buf int) ([]Document, Stats, error) {
			var docs []Document
			w := newWalker(Options{MaxDocBytes: fuzzMax}, func(d Document) error {
				checkDoc(t, d, fuzzMax)
				if d.ID == "" || d.ID != strings.TrimSpace(d.ID) || strings.Contains(d.Label, "/") {
					t.Fatalf("id %q, label %q", d.ID, d.Label)
				}
				docs = append(docs, d)
				return nil
			})
			w.rbuf = make([]byte, buf)
			w.sink.jump = 16
			err := w.readDeb822("fuzz", bytes.NewReader(data))
			if err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not satisfy ErrCorrupt", err)
			}
			if err == nil && w.stats.Docs != len(w.seen) {
				t.Fatalf("Docs = %d, ids = %d", w.stats.Docs, len(w.seen))
			}
			return docs, w.stats, err
		}
		docs, st, err := read(64 << 10)
		// The smallest buffer that holds a field name changes nothing.
		docsS, stS, errS := read(maxFieldName + 1)
		if fmtErr(errS) != fmtErr(err) || !reflect.DeepEqual(docsS, docs) || !reflect.DeepEqual(stS, st) {
			t.Fatalf("with a small buffer: %+v, %+v, %v\nwith 64 KiB: %+v, %+v, %v", docsS, stS, errS, docs, st, err)
		}
	})
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
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
			w.sink.jump = 16
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
