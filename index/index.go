package index

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// Index is a committed index held wholly in memory. It keeps no file open,
// so a Writer may build the next generation while it is in use. All methods
// are safe for concurrent use.
type Index struct {
	meta  Meta
	docs  []Doc
	byID  map[string]int
	raw   []float32 // Len x Dim, row-major, as stored
	unit  []float32 // Len x Dim, row-major, each row scaled to unit length (zero rows stay zero)
	blobs map[string][]byte
	pool  sync.Pool // *Searcher for Index.Search
}

// openRetries bounds how often Open starts over when a writer replaced the
// generation it was reading.
const openRetries = 5

// Open loads the live generation of the index in dir into memory, verifying
// every checksum. It returns an error matching ErrNotFound if dir holds no
// index, ErrCorrupt on damaged data and ErrVersion on another format.
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
			return nil, fmt.Errorf("%w: %s names %s, which does not exist",
				ErrCorrupt, filepath.Join(dir, fileCurrent), gen)
		}
		return nil, err
	}
}

// corrupt wraps a decoding failure of key in generation gen.
func corrupt(gen string, key []byte, err error) error {
	if errors.Is(err, ErrVersion) {
		return fmt.Errorf("%s: %w", gen, err)
	}
	return fmt.Errorf("%w: %s: key %s: %v", ErrCorrupt, gen, keyString(key), err)
}

// load opens generation path read-only, reads it whole and closes it.
func load(path string) (ix *Index, err error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := badger.Open(badgerOptions(path, true))
	if err != nil {
		return nil, fmt.Errorf("index: opening %s: %w", path, err)
	}
	defer func() {
		if r := recover(); r != nil {
			ix, err = nil, fmt.Errorf("%w: %s: reading panicked: %v", ErrCorrupt, path, r)
		}
		if cerr := db.Close(); err == nil && cerr != nil {
			ix, err = nil, fmt.Errorf("index: closing %s: %w", path, cerr)
		}
	}()
	ix = &Index{byID: make(map[string]int), blobs: make(map[string][]byte)}
	gen := filepath.Base(path)
	err = db.View(func(txn *badger.Txn) error {
		if err := ix.loadMeta(txn, gen); err != nil {
			return err
		}
		if err := ix.loadDocs(txn, gen); err != nil {
			return err
		}
		if err := ix.loadCodes(txn, gen); err != nil {
			return err
		}
		return ix.loadBlobs(txn, gen)
	})
	if err != nil {
		return nil, err
	}
	ix.normalize()
	return ix, nil
}

// value reads and checks the value of key, calling fn with its payload,
// which is valid only during the call.
func value(item *badger.Item, gen string, fn func(p []byte) error) error {
	key := item.Key()
	return item.Value(func(v []byte) error {
		p, err := decodeValue(key, v)
		if err == nil {
			err = fn(p)
		}
		if err != nil {
			return corrupt(gen, key, err)
		}
		return nil
	})
}

func (ix *Index) loadMeta(txn *badger.Txn, gen string) error {
	item, err := txn.Get([]byte(keyMeta))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return fmt.Errorf("%w: %s: key %q missing", ErrCorrupt, gen, keyMeta)
	}
	if err != nil {
		return fmt.Errorf("index: %s: %w", gen, err)
	}
	return value(item, gen, func(p []byte) (err error) {
		ix.meta, err = decodeMeta(p)
		return err
	})
}

// scan calls fn(pos, item) for every key with prefix, checking that the
// positions run 0, 1, ..., Count-1 with none missing or extra.
func scan(txn *badger.Txn, gen, prefix string, count int, fn func(pos int, item *badger.Item) error) error {
	opt := badger.DefaultIteratorOptions
	opt.PrefetchValues = false
	opt.Prefix = []byte(prefix)
	it := txn.NewIterator(opt)
	defer it.Close()
	pos := 0
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		k, want := item.Key(), posKey(prefix, pos)
		if !bytes.Equal(k, want) {
			if pos < count && len(k) == len(want) && bytes.Compare(k, want) > 0 {
				return fmt.Errorf("%w: %s: key %s missing", ErrCorrupt, gen, keyString(want))
			}
			pos = count // report k as unexpected
		}
		if pos >= count {
			return fmt.Errorf("%w: %s: unexpected key %s (count %d)", ErrCorrupt, gen, keyString(k), count)
		}
		if err := fn(pos, item); err != nil {
			return err
		}
		pos++
	}
	if pos != count {
		return fmt.Errorf("%w: %s: key %s missing", ErrCorrupt, gen, keyString(posKey(prefix, pos)))
	}
	return nil
}

// preallocRows caps what a (checksummed, but still external) count may
// reserve up front.
const preallocRows = 1 << 20

func (ix *Index) loadDocs(txn *badger.Txn, gen string) error {
	ix.docs = make([]Doc, 0, min(ix.meta.Count, preallocRows))
	return scan(txn, gen, prefixDoc, ix.meta.Count, func(pos int, item *badger.Item) error {
		return value(item, gen, func(p []byte) error {
			d, err := decodeDoc(p)
			if err != nil {
				return err
			}
			if prev, dup := ix.byID[d.ID]; dup {
				return fmt.Errorf("document id %q also at position %d", d.ID, prev)
			}
			ix.byID[d.ID] = pos
			ix.docs = append(ix.docs, d)
			return nil
		})
	})
}

func (ix *Index) loadCodes(txn *badger.Txn, gen string) error {
	dim := ix.meta.Dim
	ix.raw = make([]float32, 0, min(ix.meta.Count, preallocRows)*dim)
	return scan(txn, gen, prefixCode, ix.meta.Count, func(pos int, item *badger.Item) error {
		return value(item, gen, func(p []byte) error {
			n := len(ix.raw)
			ix.raw = append(ix.raw, make([]float32, dim)...)
			return decodeCodeTo(ix.raw[n:], p)
		})
	})
}

func (ix *Index) loadBlobs(txn *badger.Txn, gen string) error {
	opt := badger.DefaultIteratorOptions
	opt.PrefetchValues = false
	opt.Prefix = []byte(prefixBlob)
	it := txn.NewIterator(opt)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		name := string(item.Key()[len(prefixBlob):])
		var h blobHeader
		err := value(item, gen, func(p []byte) (err error) {
			if err := validBlobName(name); err != nil {
				return err
			}
			h, err = decodeBlobHeader(p)
			return err
		})
		if err != nil {
			return err
		}
		data := make([]byte, 0, min(h.Size, 1<<30))
		for i := 0; i < int(h.Chunks); i++ {
			k := partKey(name, i)
			pi, err := txn.Get(k)
			if errors.Is(err, badger.ErrKeyNotFound) {
				return fmt.Errorf("%w: %s: key %s missing", ErrCorrupt, gen, keyString(k))
			}
			if err != nil {
				return fmt.Errorf("index: %s: %w", gen, err)
			}
			err = value(pi, gen, func(p []byte) error {
				if len(p) != h.chunkLen(i) {
					return fmt.Errorf("blob chunk of %d bytes, want %d", len(p), h.chunkLen(i))
				}
				data = append(data, p...)
				return nil
			})
			if err != nil {
				return err
			}
		}
		if got := crc32.Checksum(data, castagnoli); got != h.CRC {
			return fmt.Errorf("%w: %s: blob %q: checksum mismatch (stored %08x, computed %08x)",
				ErrCorrupt, gen, name, h.CRC, got)
		}
		ix.blobs[name] = data
	}
	return nil
}

// normalize fills ix.unit with each row of ix.raw scaled to unit length.
// Norms are taken in float64 so that no finite code overflows.
func (ix *Index) normalize() {
	dim := ix.meta.Dim
	ix.unit = make([]float32, len(ix.raw))
	for r := 0; r+dim <= len(ix.raw); r += dim {
		normalizeTo(ix.unit[r:r+dim], ix.raw[r:r+dim])
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
