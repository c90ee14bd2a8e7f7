package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// walkDir reads the folder root, or its subfolder sub, in sorted order.
func (w *walker) walkDir(root, sub string) error {
	if sub != "" {
		dir := filepath.Join(root, filepath.FromSlash(sub))
		info, err := os.Stat(dir)
		if err != nil {
			if os.IsNotExist(err) {
				return fmt.Errorf("%w: %s#%s", ErrNoSubdir, root, sub)
			}
			return fmt.Errorf("ingest: %w", err)
		}
		if !info.IsDir() {
			return fmt.Errorf("%w: %s#%s is not a folder", ErrNoSubdir, root, sub)
		}
		root = dir
	}
	// WalkDir does not descend into a root that is itself a symbolic link;
	// the root was named by the user, so resolve it.
	if info, err := os.Lstat(root); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(root)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		root = resolved
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		if p == root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			w.skip(p, "symlink")
			return nil
		case t.IsDir():
			return nil
		case !t.IsRegular():
			w.skip(p, "not a regular file")
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		id := filepath.ToSlash(rel)
		if w.dup(p, id) {
			return nil
		}
		return w.readFile(p, id)
	})
}

// readFile reads one regular file of a folder corpus.
func (w *walker) readFile(p, id string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	var size int64
	if info, err := f.Stat(); err == nil {
		size = info.Size()
	}
	err = w.emitFile(p, id, labelOf(id), f, size)
	var ce callbackError
	if err != nil && !errors.As(err, &ce) {
		return fmt.Errorf("ingest: %w", err)
	}
	return err
}
