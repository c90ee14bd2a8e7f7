package index

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// template returns a committed index (seed 1, 100 docs of dim 6, blobs
// "vocab" and a two-chunk "model") shared by the corruption tests, which
// work on copies.
func template(t *testing.T) string {
	t.Helper()
	templateOnce.Do(func() {
		templateDir, templateErr = os.MkdirTemp("", "index-template-")
		if templateErr != nil {
			return
		}
		model := make([]byte, blobChunk+100)
		for i := range model {
			model[i] = byte(i)
		}
		writeTest(t, templateDir, 100, 6, 1, map[string][]byte{"vocab": []byte("a\nb\n"), "model": model})
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	dst := filepath.Join(t.TempDir(), "ix")
	if err := os.CopyFS(dst, os.DirFS(templateDir)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestMain(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

// editGen opens the live generation of dir with badger directly, runs fn
// in an update transaction and writes the generation's file checksums
// anew: the damage then reaches the value layer, as damage done before a
// commit would.
func editGen(t *testing.T, dir string, fn func(txn *badger.Txn) error) {
	t.Helper()
	gen, err := readCurrent(dir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badgerOptions(filepath.Join(dir, gen, dirStore), false))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := writeSums(filepath.Join(dir, gen)); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedFiles damages the files of a committed generation: every case
// must give ErrCorrupt naming the file, never a panic (badger panics in a
// goroutine on a truncated table, which would kill the process).
func TestDamagedFiles(t *testing.T) {
	t.Parallel()
	largest := func(t *testing.T, dir, pattern string) string {
		t.Helper()
		gen, _ := readCurrent(dir)
		files, _ := filepath.Glob(filepath.Join(dir, gen, pattern))
		best, size := "", int64(-1)
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.Size() > size {
				best, size = f, st.Size()
			}
		}
		if best == "" {
			t.Fatalf("no %s in %s", pattern, gen)
		}
		return best
	}
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string) string // returns the file's name as the error gives it
		want   string
	}{
		{"table truncated", func(t *testing.T, dir string) string {
			f := largest(t, dir, "store/*.sst")
			st, _ := os.Stat(f)
			if err := os.Truncate(f, st.Size()/2); err != nil {
				t.Fatal(err)
			}
			return "store/" + filepath.Base(f)
		}, "the file was truncated"},
		{"segment bit flip", func(t *testing.T, dir string) string {
			f := largest(t, dir, "text/store/*.zap")
			b, _ := os.ReadFile(f)
			b[len(b)/2] ^= 0x10
			if err := os.WriteFile(f, b, 0o644); err != nil {
				t.Fatal(err)
			}
			return "text/store/" + filepath.Base(f)
		}, "checksum mismatch"},
		{"file missing", func(t *testing.T, dir string) string {
			f := largest(t, dir, "store/MANIFEST")
			os.Remove(f)
			return "store/MANIFEST"
		}, "is missing"},
		{"sums missing", func(t *testing.T, dir string) string {
			gen, _ := readCurrent(dir)
			os.Remove(filepath.Join(dir, gen, fileSums))
			return fileSums
		}, "never completed"},
		{"sums garbage", func(t *testing.T, dir string) string {
			gen, _ := readCurrent(dir)
			os.WriteFile(filepath.Join(dir, gen, fileSums), []byte("hello\n"), 0o644)
			return fileSums
		}, "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := template(t)
			file := tc.damage(t, dir)
			_, err := Open(dir)
			if !IsCorrupt(err) || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want ErrCorrupt naming %s and saying %q", err, file, tc.want)
			}
			if _, err := Update(dir); !IsCorrupt(err) {
				t.Errorf("Update of a damaged index: %v, want ErrCorrupt", err)
			}
			// A rebuild replaces the damaged index.
			writeTest(t, dir, 9, 6, 5, nil)
			ix, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			checkIndex(t, ix, 9, 6, 5)
			ix.Close()
		})
	}
}

func getValue(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// TestBitFlips flips single bits in stored values of every kind of key:
// each must give ErrCorrupt naming the key.
func TestBitFlips(t *testing.T) {
	t.Parallel()
	keys := [][]byte{
		[]byte(keyMeta),
		slotKey(prefixDoc, 0), slotKey(prefixDoc, 57),
		slotKey(prefixCode, 0), slotKey(prefixCode, 99),
		[]byte(prefixBlob + "vocab"), partKey("vocab", 0),
		[]byte(prefixBlob + "model"), partKey("model", 1),
	}
	for ki, key := range keys {
		for flip := range 3 {
			t.Run(fmt.Sprintf("%s/%d", keyString(key), flip), func(t *testing.T) {
				t.Parallel()
				dir := template(t)
				r := rand.New(rand.NewPCG(uint64(ki), uint64(flip)))
				editGen(t, dir, func(txn *badger.Txn) error {
					v, err := getValue(txn, key)
					if err != nil {
						return err
					}
					// The first and last bytes, then one at random.
					i := [...]int{0, len(v) - 1, r.IntN(len(v))}[flip]
					v[i] ^= 1 << r.IntN(8)
					return txn.Set(key, v)
				})
				_, err := Open(dir)
				if !IsCorrupt(err) || !strings.Contains(err.Error(), keyString(key)) {
					t.Fatalf("Open: %v, want ErrCorrupt naming %s", err, keyString(key))
				}
			})
		}
	}
}

func TestStructuralDamage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(txn *badger.Txn) error
		want string
	}{
		{"doc missing", func(txn *badger.Txn) error { return txn.Delete(slotKey(prefixDoc, 5)) }, "99 document records, meta says 100"},
		{"last code missing", func(txn *badger.Txn) error { return txn.Delete(slotKey(prefixCode, 99)) }, "c/99 missing"},
		{"meta missing", func(txn *badger.Txn) error { return txn.Delete([]byte(keyMeta)) }, `"m" missing`},
		{"chunk missing", func(txn *badger.Txn) error { return txn.Delete(partKey("model", 1)) }, `"p/model"#1 missing`},
		{"extra code", func(txn *badger.Txn) error {
			k := slotKey(prefixCode, 100)
			return txn.Set(k, appendValue(nil, k, make([]byte, 24)))
		}, "unexpected key c/100"},
		{"values swapped", func(txn *badger.Txn) error {
			v, err := getValue(txn, slotKey(prefixCode, 1))
			if err != nil {
				return err
			}
			return txn.Set(slotKey(prefixCode, 2), v)
		}, "c/2: checksum mismatch"},
		{"short code", func(txn *badger.Txn) error {
			k := slotKey(prefixCode, 3)
			return txn.Set(k, appendValue(nil, k, make([]byte, 20)))
		}, "c/3: code of 20 bytes"},
		{"NaN code", func(txn *badger.Txn) error {
			k := slotKey(prefixCode, 3)
			return txn.Set(k, appendValue(nil, k, appendCode(nil, []float32{0, 0, nan32(), 0, 0, 0})))
		}, "c/3: code value 2 is NaN"},
		{"duplicate id", func(txn *badger.Txn) error {
			k := slotKey(prefixDoc, 9)
			return txn.Set(k, appendValue(nil, k, appendDoc(nil, testDoc(1, 2))))
		}, `document id "s1/doc-000002" at slots 2 and 9`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := template(t)
			editGen(t, dir, tc.edit)
			_, err := Open(dir)
			if !IsCorrupt(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want ErrCorrupt saying %q", err, tc.want)
			}
		})
	}
}

func TestFormatVersion(t *testing.T) {
	t.Parallel()
	dir := template(t)
	editGen(t, dir, func(txn *badger.Txn) error {
		k := []byte(keyMeta)
		return txn.Set(k, appendValue(nil, k, []byte(`{"format_version":1,"dim":6,"count":100}`)))
	})
	_, err := Open(dir)
	if !errors.Is(err, ErrVersion) || IsCorrupt(err) || !strings.Contains(err.Error(), "format version 1") {
		t.Fatalf("Open: %v, want ErrVersion naming version 1", err)
	}
}
