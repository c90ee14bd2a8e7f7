package index

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	badger "github.com/dgraph-io/badger/v4"
)

// Index is a committed generation, open for searching. Its documents, codes
// and blobs are held in memory; its full-text index is open read-only. A
// Writer may build and commit the next generation while it is in use: the
// files it reads stay readable (on Unix) until Close. All methods are safe
// for concurrent use; Close must not overlap any other call.
type Index struct {
	path   string // the generation folder
	meta   Meta
	docs   []Doc
	slots  []uint64 // slots[pos]
	byID   map[string]int
	labels map[string][]int // label -> positions, ascending
	raw    []float32        // Len x Dim, row-major, as stored
	unit   []float32        // Len x Dim, each row scaled to unit length; NaN rows for NoCode documents
	hashes []*Hashes        // the binary codes of each width of meta.Bits
	blobs  map[string][]byte
	text   bleve.Index
	pool   sync.Pool // *Searcher for Index.Search

	// Token counts of an index whose meta lacks them (Index.tokens).
	tokOnce sync.Once
	tok     Tokens
	tokErr  error

	// The pruning structure of Search, built once on demand (cells.go).
	cells        atomic.Pointer[cells]
	cellsOnce    sync.Once
	cellsStarted atomic.Bool
}

// openRetries bounds how often Open starts over when a writer replaced the
// generation it was reading.
const openRetries = 5

// Open opens the live generation of the index in dir, verifying every
// checksum of the code store. It returns an error matching ErrNotFound if
// dir holds no index, ErrCorrupt on damaged data and ErrVersion on another
// format. Close releases the full-text index.
func Open(dir string) (*Index, error) {
	for attempt := 0; ; attempt++ {
		gen, err := readCurrent(dir)
		if err != nil {
			return nil, err
		}
		ix, err := load(filepath.Join(dir, gen))
		if err == nil {
			return ix, nil
		}
		// A writer may have committed and removed gen under our feet.
		if now, cerr := readCurrent(dir); attempt < openRetries && cerr == nil && now != gen {
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s names %s, which is incomplete or missing (%v)",
				ErrCorrupt, filepath.Join(dir, fileCurrent), gen, err)
		}
		return nil, err
	}
}

// Generation returns the name of the live generation of the index in dir
// ("gen-000007"), which changes with every commit: a cheap way for a
// long-running reader to notice that it should reopen.
func Generation(dir string) (string, error) { return readCurrent(dir) }

// corrupt wraps a decoding failure of key in generation gen.
func corrupt(gen string, key []byte, err error) error {
	if errors.Is(err, ErrVersion) {
		return fmt.Errorf("%s: %w", gen, err)
	}
	return fmt.Errorf("%w: %s: key %s: %v", ErrCorrupt, gen, keyString(key), err)
}

// load reads generation path whole and opens its full-text index.
func load(path string) (*Index, error) {
	if err := verifySums(path); err != nil {
		return nil, err
	}
	ix := &Index{path: path, byID: make(map[string]int), labels: make(map[string][]int), blobs: make(map[string][]byte)}
	err := viewStore(path, func(txn *badger.Txn, gen string) error {
		var err error
		if ix.meta, err = readMeta(txn, gen); err != nil {
			return err
		}
		if err := ix.loadDocs(txn, gen); err != nil {
			return err
		}
		if err := ix.loadCodes(txn, gen); err != nil {
			return err
		}
		if err := ix.loadBits(txn, gen); err != nil {
			return err
		}
		return loadBlobs(txn, gen, ix.blobs)
	})
	if err != nil {
		return nil, err
	}
	ix.normalize()
	if ix.text, err = openText(path, true); err != nil {
		return nil, err
	}
	if n, err := ix.text.DocCount(); err != nil || n != uint64(len(ix.docs)) {
		_ = ix.text.Close()
		if err == nil {
			err = fmt.Errorf("it holds %d documents, the code store %d", n, len(ix.docs))
		}
		return nil, fmt.Errorf("%w: %s: full-text index: %v", ErrCorrupt, filepath.Base(path), err)
	}
	return ix, nil
}

// viewStore opens the code store of generation path read-only, runs fn in
// one read transaction and closes the store. A panic inside badger on
// damaged data is reported as corruption.
func viewStore(path string, fn func(txn *badger.Txn, gen string) error) (err error) {
	store := filepath.Join(path, dirStore)
	if _, err := os.Stat(store); err != nil {
		return err
	}
	db, err := badger.Open(badgerOptions(store, true))
	if err != nil {
		return fmt.Errorf("%w: %s: opening the code store: %v", ErrCorrupt, filepath.Base(path), err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: reading panicked: %v", ErrCorrupt, path, r)
		}
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("index: closing %s: %w", path, cerr)
		}
	}()
	gen := filepath.Base(path)
	return db.View(func(txn *badger.Txn) error { return fn(txn, gen) })
}

func (ix *Index) loadDocs(txn *badger.Txn, gen string) error {
	n := min(ix.meta.Count, preallocRows)
	ix.docs = make([]Doc, 0, n)
	ix.slots = make([]uint64, 0, n)
	return scanDocs(txn, gen, ix.meta, func(slot uint64, d Doc) error {
		if prev, dup := ix.byID[d.ID]; dup {
			return fmt.Errorf("%w: %s: document id %q at slots %d and %d", ErrCorrupt, gen, d.ID, ix.slots[prev], slot)
		}
		pos := len(ix.docs)
		ix.byID[d.ID] = pos
		ix.labels[d.Label] = append(ix.labels[d.Label], pos)
		ix.docs = append(ix.docs, d)
		ix.slots = append(ix.slots, slot)
		return nil
	})
}

func (ix *Index) loadCodes(txn *badger.Txn, gen string) error {
	dim := ix.meta.Dim
	ix.raw = make([]float32, 0, min(ix.meta.Count, preallocRows)*dim)
	return scanSlots(txn, gen, prefixCode, ix.slots, func(item *badger.Item) error {
		return value(item, gen, func(p []byte) error {
			n := len(ix.raw)
			ix.raw = append(ix.raw, make([]float32, dim)...)
			return decodeCodeTo(ix.raw[n:], p)
		})
	})
}

// normalize fills ix.unit with each row of ix.raw scaled to unit length.
// Norms are taken in float64 so that no finite code overflows. The rows of
// NoCode documents are NaN, which no comparison lets into a search result.
func (ix *Index) normalize() {
	dim := ix.meta.Dim
	ix.unit = make([]float32, len(ix.raw))
	for i, d := range ix.docs {
		r := ix.unit[i*dim : (i+1)*dim]
		if d.NoCode {
			for j := range r {
				r[j] = float32(math.NaN())
			}
			continue
		}
		normalizeTo(r, ix.raw[i*dim:(i+1)*dim])
	}
}

// normalizeTo writes x / ||x|| to dst and reports whether the result is
// finite. A zero x gives a zero dst.
func normalizeTo(dst, x []float32) bool {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	if ss == 0 {
		clear(dst)
		return true
	}
	inv := 1 / math.Sqrt(ss)
	if math.IsNaN(inv) || math.IsInf(inv, 0) {
		return false
	}
	for i, v := range x {
		dst[i] = float32(float64(v) * inv)
	}
	return true
}

// Close releases the full-text index. The Index must not be used after.
func (ix *Index) Close() error {
	if ix.text == nil {
		return nil
	}
	err := ix.text.Close()
	ix.text = nil
	return err
}

// Meta returns the metadata of the index.
func (ix *Index) Meta() Meta {
	m := ix.meta
	m.Extra = maps.Clone(m.Extra)
	return m
}

// Len returns the number of documents.
func (ix *Index) Len() int { return len(ix.docs) }

// Dim returns the length of each code.
func (ix *Index) Dim() int { return ix.meta.Dim }

// Generation returns the folder name of the generation this Index holds.
func (ix *Index) Generation() string { return filepath.Base(ix.path) }

// Doc returns the document at position i.
func (ix *Index) Doc(i int) Doc { return ix.docs[i] }

// Code returns a copy of the code at position i, as stored (not normalized).
func (ix *Index) Code(i int) []float32 {
	return ix.CodeTo(make([]float32, ix.meta.Dim), i)
}

// CodeTo copies the code at position i into dst, which must have length
// Dim, and returns dst.
func (ix *Index) CodeTo(dst []float32, i int) []float32 {
	d := ix.meta.Dim
	if len(dst) != d {
		panic(fmt.Sprintf("index: CodeTo: dst has length %d, want %d", len(dst), d))
	}
	copy(dst, ix.raw[i*d:(i+1)*d])
	return dst
}

// Blob returns a copy of the blob stored under name, or ErrNoBlob.
func (ix *Index) Blob(name string) ([]byte, error) {
	b, ok := ix.blobs[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoBlob, name)
	}
	return bytes.Clone(b), nil
}

// Find returns the position of the document with the given id.
func (ix *Index) Find(id string) (int, bool) {
	i, ok := ix.byID[id]
	return i, ok
}

// Labels returns every label with the number of its documents.
func (ix *Index) Labels() map[string]int {
	out := make(map[string]int, len(ix.labels))
	for l, p := range ix.labels {
		out[l] = len(p)
	}
	return out
}

// WithLabel returns the positions of the documents with label l, in
// ascending order. The caller must not change the slice.
func (ix *Index) WithLabel(l string) []int { return ix.labels[l] }

// ReadData calls fn with the position and the per-document data of every
// document, in position order, reading them from disk (they are not held
// in memory). data is valid only during the call. If a writer committed a
// newer generation and removed this one meanwhile, ReadData returns an
// error matching fs.ErrNotExist: open the index again.
func (ix *Index) ReadData(fn func(pos int, data []byte) error) error {
	return viewStore(ix.path, func(txn *badger.Txn, gen string) error {
		pos := 0
		return scanSlots(txn, gen, prefixData, ix.slots, func(item *badger.Item) error {
			err := value(item, gen, func(p []byte) error {
				if err := fn(pos, p); err != nil {
					return userError{err}
				}
				return nil
			})
			pos++
			return err
		})
	})
}

// loadBits reads the binary codes of every width of meta.Bits into one
// Hashes each.
func (ix *Index) loadBits(txn *badger.Txn, gen string) error {
	widths := ix.meta.Bits
	if len(widths) == 0 {
		return nil
	}
	n := len(ix.slots)
	total := bitsWords(widths)
	ix.hashes = make([]*Hashes, len(widths))
	var skip []uint64
	for i, d := range ix.docs {
		if d.NoCode {
			if skip == nil {
				skip = make([]uint64, (n+63)/64)
			}
			skip[i/64] |= 1 << (i % 64)
		}
	}
	for j, b := range widths {
		ix.hashes[j] = &Hashes{bits: b, words: Words(b), data: make([]uint64, 0, min(n, preallocRows)*Words(b)), skip: skip}
	}
	buf := make([]uint64, total)
	return scanSlots(txn, gen, prefixBits, ix.slots, func(item *badger.Item) error {
		return value(item, gen, func(p []byte) error {
			if err := decodeBitsTo(buf, p, widths); err != nil {
				return err
			}
			off := 0
			for _, h := range ix.hashes {
				h.data = append(h.data, buf[off:off+h.words]...)
				off += h.words
			}
			return nil
		})
	})
}

// Bits returns the widths of the binary codes of the index, ascending
// (none for an index without them).
func (ix *Index) Bits() []int { return slices.Clone(ix.meta.Bits) }

// Hashes returns the binary codes of width bits, or nil if the index has
// none of that width.
func (ix *Index) Hashes(bits int) *Hashes {
	for _, h := range ix.hashes {
		if h.bits == bits {
			return h
		}
	}
	return nil
}
