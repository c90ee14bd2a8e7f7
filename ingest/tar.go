package ingest

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// walkTar streams the regular-file entries of a tar archive (gzipped when gz)
// in archive order, only those below sub when sub is not "".
func (w *walker) walkTar(name, sub string, gz bool) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 64<<10)
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return &DataError{Path: name, Msg: fmt.Sprintf("gzip: %v", err), Err: err}
		}
		defer zr.Close()
		if err := w.readTar(name, sub, zr); err != nil {
			return err
		}
		// Read to the end of the gzip stream so that its checksum is verified.
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return &DataError{Path: name, Msg: fmt.Sprintf("gzip: %v", err), Err: err}
		}
		return nil
	}
	return w.readTar(name, sub, r)
}

// readTar reads the tar stream r of the archive called name.
func (w *walker) readTar(name, sub string, r io.Reader) error {
	tr := tar.NewReader(r)
	matched := sub == ""
	for n := 1; ; n++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return &DataError{Path: name, Msg: fmt.Sprintf("entry %d: %v", n, err), Err: err}
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		entry := name + "#" + hdr.Name
		clean := path.Clean(hdr.Name)
		switch {
		case strings.HasPrefix(hdr.Name, "/"):
			w.skip(entry, "absolute path")
			continue
		case hasDotDot(clean):
			w.skip(entry, "unsafe path (..)")
			continue
		case clean == "." || hdr.Name == "":
			if hdr.Typeflag != tar.TypeDir {
				w.skip(entry, "empty entry name")
			}
			continue
		}
		rel := clean
		if sub != "" {
			if clean == sub && hdr.Typeflag == tar.TypeDir {
				matched = true
				continue
			}
			if !strings.HasPrefix(clean, sub+"/") {
				continue
			}
			matched = true
			rel = clean[len(sub)+1:]
		}
		if isHidden(rel) {
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeReg:
		case tar.TypeDir:
			continue
		case tar.TypeSymlink:
			w.skip(entry, "symlink")
			continue
		case tar.TypeLink:
			w.skip(entry, "not a regular file (hard link)")
			continue
		default:
			w.skip(entry, "not a regular file")
			continue
		}
		if w.dup(entry, rel) {
			continue
		}
		if err := w.emitFile(entry, rel, labelOf(rel), tr, hdr.Size); err != nil {
			var ce callbackError
			if errors.As(err, &ce) {
				return err
			}
			return &DataError{Path: entry, Msg: fmt.Sprintf("read: %v", err), Err: err}
		}
	}
	if !matched {
		return fmt.Errorf("%w: %s#%s", ErrNoSubdir, name, sub)
	}
	return nil
}
