package index

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// fileSums is the file of a committed generation that lists every other
// file in it with its size and CRC32-C: "crc32c-hex size path\n", sorted by
// path. Open checks them before it hands a file to badger or bleve, for
// neither is safe on damaged files: badger panics on a truncated table
// (in a goroutine, so the panic cannot be recovered and the process dies)
// and bleve may read garbage. A damaged file is then ErrCorrupt naming it.
const fileSums = "SUMS"

type fileSum struct {
	path string // slash-separated, relative to the generation
	size int64
	crc  uint32
}

// sumFile returns the size and CRC32-C of the file at path.
func sumFile(path string) (int64, uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	n, err := io.Copy(h, bufio.NewReaderSize(f, 1<<20))
	return n, h.Sum32(), err
}

// writeSums writes the SUMS file of generation folder gen.
func writeSums(gen string) error {
	var sums []fileSum
	err := filepath.WalkDir(gen, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(gen, path)
		if err != nil || rel == fileSums {
			return err
		}
		size, crc, err := sumFile(path)
		if err != nil {
			return err
		}
		sums = append(sums, fileSum{filepath.ToSlash(rel), size, crc})
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(sums, func(a, b fileSum) int { return strings.Compare(a.path, b.path) })
	var b strings.Builder
	for _, s := range sums {
		fmt.Fprintf(&b, "%08x %d %s\n", s.crc, s.size, s.path)
	}
	return os.WriteFile(filepath.Join(gen, fileSums), []byte(b.String()), 0o644)
}

// verifySums checks every file listed in the SUMS file of generation
// folder gen. Files added after the commit (none should be) are ignored.
func verifySums(gen string) error {
	name := filepath.Base(gen)
	b, err := os.ReadFile(filepath.Join(gen, fileSums))
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(gen); serr != nil {
			return serr // the generation itself is gone: a writer replaced it
		}
		return fmt.Errorf("%w: %s: no %s file: the generation was never completed", ErrCorrupt, name, fileSums)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: reading %s failed: %v", ErrCorrupt, name, fileSums, err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i, line := range lines {
		s, err := parseSum(line)
		if err != nil {
			return fmt.Errorf("%w: %s: %s line %d: %v", ErrCorrupt, name, fileSums, i+1, err)
		}
		size, crc, err := sumFile(filepath.Join(gen, filepath.FromSlash(s.path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if _, serr := os.Stat(gen); serr != nil {
				return serr
			}
			return fmt.Errorf("%w: %s: %s is missing", ErrCorrupt, name, s.path)
		case err != nil:
			return fmt.Errorf("%w: %s: reading %s failed: %v", ErrCorrupt, name, s.path, err)
		case size != s.size:
			return fmt.Errorf("%w: %s: %s has %d bytes, %d were written: the file was truncated or overwritten",
				ErrCorrupt, name, s.path, size, s.size)
		case crc != s.crc:
			return fmt.Errorf("%w: %s: %s: checksum mismatch (written %08x, read %08x): the file is damaged",
				ErrCorrupt, name, s.path, s.crc, crc)
		}
	}
	return nil
}

func parseSum(line string) (fileSum, error) {
	f := strings.SplitN(line, " ", 3)
	if len(f) != 3 {
		return fileSum{}, fmt.Errorf("%q is not \"crc size path\"", line)
	}
	crc, err1 := strconv.ParseUint(f[0], 16, 32)
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || size < 0 || f[2] == "" || strings.Contains(f[2], "..") || strings.HasPrefix(f[2], "/") {
		return fileSum{}, fmt.Errorf("%q is not \"crc size path\"", line)
	}
	return fileSum{f[2], size, uint32(crc)}, nil
}
