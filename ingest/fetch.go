package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// ErrFetch is matched (errors.Is) by every error of Fetch about the
// download itself: the server's answer, a cut or oversized body, or a file
// that check refused.
var ErrFetch = errors.New("download failed")

// FetchError is an error of Fetch that names the URL.
type FetchError struct {
	URL string
	Msg string
	Err error // the cause, or nil
}

func (e *FetchError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("ingest: fetch %s: %s: %v", e.URL, e.Msg, e.Err)
	}
	return fmt.Sprintf("ingest: fetch %s: %s", e.URL, e.Msg)
}

// Unwrap returns ErrFetch and the cause.
func (e *FetchError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrFetch}
	}
	return []error{ErrFetch, e.Err}
}

// Fetch downloads url with client (nil: http.DefaultClient) to dest, at
// most max bytes, reporting the bytes so far and the announced total (-1
// when the server gives none) to progress (may be nil). The body goes to a
// temporary file beside dest, which check (may be nil) must accept before
// it replaces dest in one rename: whatever fails, a download cut short, a
// wrong answer or a refused file, dest is left as it was and the temporary
// file is removed. It returns the size of the file.
func Fetch(ctx context.Context, client *http.Client, url, dest string, max int64, progress func(done, total int64), check func(path string) error) (int64, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, &FetchError{URL: url, Msg: "bad URL", Err: err}
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, &FetchError{URL: url, Msg: "request", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, &FetchError{URL: url, Msg: "the server answered " + resp.Status}
	}
	if resp.ContentLength > max {
		return 0, &FetchError{URL: url, Msg: fmt.Sprintf("the server announces %d bytes, more than the %d allowed", resp.ContentLength, max)}
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return 0, fmt.Errorf("ingest: fetch: %w", err)
	}
	// The temporary name ends as dest's does, so that check can tell its
	// format by the name.
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".partial-*-"+filepath.Base(dest))
	if err != nil {
		return 0, fmt.Errorf("ingest: fetch: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	pw := &progressWriter{w: tmp, total: resp.ContentLength, fn: progress}
	n, err := io.Copy(pw, io.LimitReader(resp.Body, max+1))
	switch {
	case err != nil:
		return 0, &FetchError{URL: url, Msg: fmt.Sprintf("cut after %d bytes", n), Err: err}
	case n > max:
		return 0, &FetchError{URL: url, Msg: fmt.Sprintf("more than the %d bytes allowed", max)}
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return 0, &FetchError{URL: url, Msg: fmt.Sprintf("cut after %d of %d bytes", n, resp.ContentLength)}
	}
	if err := tmp.Sync(); err != nil {
		return 0, fmt.Errorf("ingest: fetch: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("ingest: fetch: %w", err)
	}
	if check != nil {
		if err := check(tmp.Name()); err != nil {
			return 0, &FetchError{URL: url, Msg: "the file is not what was expected", Err: err}
		}
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return 0, fmt.Errorf("ingest: fetch: %w", err)
	}
	keep = true
	if d, err := os.Open(filepath.Dir(dest)); err == nil {
		d.Sync()
		d.Close()
	}
	return n, nil
}

// progressWriter passes writes on to w and reports the bytes so far.
type progressWriter struct {
	w     io.Writer
	done  int64
	total int64
	fn    func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
	return n, err
}
