package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestFetchCommand downloads a small archive in the 20news-bydate layout
// from a local server: the command prints the counts and the next command,
// says so when the archive is already there, and refuses another corpus.
func TestFetchCommand(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, split := range []string{"20news-bydate-train", "20news-bydate-test"} {
		for _, g := range []string{"sci.space", "rec.autos"} {
			body := "Subject: a post about " + g + "\n\nsome words\n"
			tw.WriteHeader(&tar.Header{Name: split + "/" + g + "/1", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
			tw.Write([]byte(body))
		}
	}
	tw.Close()
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(buf.Bytes()) }))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "20news-bydate.tar.gz")
	got, err := run(t, "fetch", "--url", srv.URL+"/x.tar.gz", "--out", out, "20news")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 training and 2 test posts in 2 newsgroups", "downloaded to " + out,
		fmt.Sprintf("next: docsearch index --train %s#20news-bydate-train --corpus %s#20news-bydate-test", out, out)} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if got, err := run(t, "fetch", "--url", srv.URL+"/x.tar.gz", "--out", out, "20news"); err != nil || !strings.Contains(got, "already at") {
		t.Errorf("second fetch: %v\n%s", err, got)
	}
	if _, err := run(t, "fetch", "reuters"); err == nil || !strings.Contains(err.Error(), "reuters") {
		t.Errorf("fetch reuters: %v", err)
	}
	if _, err := run(t, "fetch", "20news", "--out", out); err == nil || !strings.Contains(err.Error(), "flags go before it") {
		t.Errorf("a flag after the name: %v", err)
	}
}
