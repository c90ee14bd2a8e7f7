package pipeline

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/docsearch/docsearch/ingest"
)

// news20Archive returns a gzipped tar in the 20news-bydate layout: groups
// newsgroups, per posts in each split's folder of each (split i's folders
// are those of extra[i] when given).
func news20Archive(t *testing.T, groups []string, per int, extra ...[]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for i, split := range News20Splits {
		gs := groups
		if i < len(extra) {
			gs = extra[i]
		}
		for _, g := range gs {
			for k := range per {
				body := fmt.Sprintf("Subject: post %d of %s\n\nwords about %s number %d\n", k, g, g, k)
				hdr := &tar.Header{Name: fmt.Sprintf("%s/%s/%d", split, g, 1000+k), Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}
				if err := tw.WriteHeader(hdr); err != nil {
					t.Fatal(err)
				}
				tw.Write([]byte(body))
			}
		}
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// TestFetch20News serves archives from a local server (never the network)
// and checks what lands at the destination: a good archive with its
// counts; nothing but the old file after a 404, a cut body, an archive of
// another layout or an oversized one; no request at all when a good
// archive is already there, unless forced.
func TestFetch20News(t *testing.T) {
	t.Parallel()
	good := news20Archive(t, []string{"alt.atheism", "sci.space", "rec.autos"}, 4)
	other := news20Archive(t, []string{"alt.atheism", "sci.space"}, 2, []string{"alt.atheism", "sci.space"}, []string{"alt.atheism", "comp.graphics"})
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/good.tar.gz":
			w.Header().Set("Content-Length", strconv.Itoa(len(good)))
			w.Write(good)
		case "/cut.tar.gz":
			// Announce the whole archive, send half, hang up.
			w.Header().Set("Content-Length", strconv.Itoa(len(good)))
			w.Write(good[:len(good)/2])
		case "/other.tar.gz":
			w.Write(other)
		case "/notgz.tar.gz":
			w.Write([]byte("<html>moved</html>"))
		case "/huge.tar.gz":
			w.Header().Set("Content-Length", strconv.Itoa(maxNews20Bytes+1))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	dir := t.TempDir()
	dest := filepath.Join(dir, "cache", "20news-bydate.tar.gz")
	res, err := Fetch20News(context.Background(), FetchOptions{URL: srv.URL + "/good.tar.gz", Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Downloaded || res.Train != 12 || res.Test != 12 || res.Groups != 3 || res.Bytes != int64(len(good)) {
		t.Errorf("result %+v", res)
	}
	if b, _ := os.ReadFile(dest); !bytes.Equal(b, good) {
		t.Error("the file at the destination is not the archive served")
	}

	for _, c := range []struct{ path, want string }{
		{"/missing.tar.gz", "404 Not Found"},
		{"/cut.tar.gz", "cut after"},
		{"/other.tar.gz", "other newsgroups"},
		{"/notgz.tar.gz", "not the 20news-bydate archive"},
		{"/huge.tar.gz", "more than the"},
	} {
		_, err := Fetch20News(context.Background(), FetchOptions{URL: srv.URL + c.path, Dest: dest, Force: true})
		if !errors.Is(err, ingest.ErrFetch) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), srv.URL+c.path) {
			t.Errorf("%s: error %v, want ErrFetch naming the URL and %q", c.path, err, c.want)
		}
		if b, _ := os.ReadFile(dest); !bytes.Equal(b, good) {
			t.Errorf("%s: the good archive at the destination was changed", c.path)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "cache", ".partial-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	before := requests.Load()
	res, err = Fetch20News(context.Background(), FetchOptions{URL: srv.URL + "/missing.tar.gz", Dest: dest})
	if err != nil || res.Downloaded || res.Train != 12 || requests.Load() != before {
		t.Errorf("a good archive in place: %+v, %v, %d requests", res, err, requests.Load()-before)
	}
	os.WriteFile(dest, []byte("junk"), 0o644)
	if _, err := Fetch20News(context.Background(), FetchOptions{URL: srv.URL + "/good.tar.gz", Dest: dest}); err == nil || !strings.Contains(err.Error(), "force") {
		t.Errorf("a damaged archive in place: %v, want advice to force", err)
	}
}
