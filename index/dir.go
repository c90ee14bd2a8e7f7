package index

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Files in an index directory.
const (
	fileLock    = "LOCK"
	fileCurrent = "CURRENT"
	fileTmp     = "CURRENT.tmp"
	genPrefix   = "gen-"
)

func genName(n uint64) string { return fmt.Sprintf("%s%06d", genPrefix, n) }

// parseGen returns the number of a generation name such as "gen-000012".
func parseGen(name string) (uint64, bool) {
	d, ok := strings.CutPrefix(name, genPrefix)
	if !ok || len(d) < 6 || len(d) > 19 {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(d, 10, 64)
	return n, err == nil && n > 0
}

// readCurrent returns the generation named by DIR/CURRENT: ErrNotFound when
// there is none, ErrCorrupt when it holds anything but a generation name.
func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, fileCurrent))
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return "", fmt.Errorf("%w: %v", ErrNotFound, serr)
		}
		return "", fmt.Errorf("%w: %s has no %s file", ErrNotFound, dir, fileCurrent)
	}
	if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	name := strings.TrimSuffix(string(b), "\n")
	if _, ok := parseGen(name); !ok {
		if len(b) > 40 {
			b = append(b[:40:40], "..."...)
		}
		return "", fmt.Errorf("%w: %s holds %q, not a generation name like %q",
			ErrCorrupt, filepath.Join(dir, fileCurrent), b, genName(1))
	}
	return name, nil
}

// writeCurrent points DIR/CURRENT at gen atomically: write CURRENT.tmp,
// fsync it, rename it over CURRENT. If it fails, CURRENT is unchanged. The
// caller then fsyncs DIR to make the switch durable.
func writeCurrent(dir, gen string) error {
	tmp := filepath.Join(dir, fileTmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(gen + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, fileCurrent))
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncTree fsyncs every regular file below root, then root itself.
func syncTree(root string) error {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return err
	}
	return syncDir(root)
}

// generations lists the generation directories in dir with their numbers.
func generations(dir string) (map[string]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	gens := make(map[string]uint64)
	for _, e := range ents {
		if n, ok := parseGen(e.Name()); ok && e.IsDir() {
			gens[e.Name()] = n
		}
	}
	return gens, nil
}

// removeAllBut removes CURRENT.tmp and every generation but keep. The caller
// holds DIR/LOCK. It returns the first error but keeps going.
func removeAllBut(dir, keep string) error {
	gens, err := generations(dir)
	if err != nil {
		return err
	}
	var first error
	note := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	if err := os.Remove(filepath.Join(dir, fileTmp)); !errors.Is(err, fs.ErrNotExist) {
		note(err)
	}
	for name := range gens {
		if name != keep {
			note(os.RemoveAll(filepath.Join(dir, name)))
		}
	}
	note(syncDir(dir))
	return first
}

// cloneTree makes dst a copy of the generation folder src in which the
// full-text index's segments (scorch's .zap files, which scorch writes once
// and only ever unlinks) are hard links and every other file is a copy. A
// writer then changes dst freely while src stays intact and live. badger's
// tables are copied, not linked, although badger never writes into one:
// before it removes a table it truncates the file to zero, which through a
// link would empty the live generation's table too (found by
// TestDiskFullWhileWriting). Where a link cannot be made (another file
// system, no link support) the file is copied. Copies use the kernel's
// copy_file_range where available (io.Copy between files).
func cloneTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: not a regular file", path)
		}
		if filepath.Ext(path) == ".zap" {
			if os.Link(path, to) == nil {
				return nil
			}
		}
		return copyFile(path, to)
	})
}

// copyFile copies the regular file src to the new file dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
