package index

import (
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"math"
	"os"
	"path/filepath"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// FormatVersion is the on-disk format this package writes and reads.
const FormatVersion = 1

// Doc is what the index keeps about a document besides its code.
type Doc struct {
	ID, Label, Title string
}

// Meta describes a committed index.
type Meta struct {
	FormatVersion int               `json:"format_version"`
	Dim           int               `json:"dim"`
	Count         int               `json:"count"`
	Fingerprint   string            `json:"fingerprint"` // model+vocab fingerprint supplied by the caller
	Created       time.Time         `json:"created"`
	Extra         map[string]string `json:"extra,omitempty"`
}

// badgerOptions keeps badger quiet and small: tests create many indexes on
// a small machine, and an index is written once and then read whole.
func badgerOptions(dir string, readOnly bool) badger.Options {
	opt := badger.DefaultOptions(dir).
		WithLogger(nil).
		WithReadOnly(readOnly).
		WithMetricsEnabled(false).
		WithDetectConflicts(false).
		WithNumGoroutines(2).
		WithNumCompactors(2).
		WithCompression(options.None). // codes do not compress; no block cache needed
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithValueThreshold(64 << 10). // docs and codes in the LSM tree, blob chunks in the value log
		WithValueLogFileSize(32 << 20)
	if readOnly {
		opt = opt.WithChecksumVerificationMode(options.OnTableRead).WithVerifyValueChecksum(true)
	}
	return opt
}

// Writer builds a new generation of the index in DIR while the live one
// stays readable. Only Commit makes it live. A Writer is not safe for
// concurrent use.
type Writer struct {
	dir, gen string
	dim      int
	fp       string
	lock     *os.File
	db       *badger.DB
	wb       *badger.WriteBatch
	count    int
	ids      map[string]struct{}
	blobs    map[string]struct{}
	extra    map[string]string
	err      error // first write failure; Commit returns it
	done     bool
}

// Create locks dir (creating it if needed) and starts a new generation of
// codes of length dim. It returns an error matching ErrLocked if another
// writer holds dir. Leftovers of killed writers (unfinished generations,
// CURRENT.tmp) are removed; the live generation is left alone.
func Create(dir string, dim int, fingerprint string) (*Writer, error) {
	if dim <= 0 || dim > maxDim {
		return nil, fmt.Errorf("index: dim %d out of range [1, %d]", dim, maxDim)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	w, err := create(dir, dim, fingerprint, lock)
	if err != nil {
		_ = unlockDir(lock)
		return nil, err
	}
	return w, nil
}

func create(dir string, dim int, fingerprint string, lock *os.File) (*Writer, error) {
	// Number the new generation past every one on disk, finished or not, so
	// that no name is ever reused.
	gens, err := generations(dir)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	var next uint64
	for _, n := range gens {
		next = max(next, n)
	}
	next++
	live, err := readCurrent(dir)
	switch {
	case err == nil:
		if n, _ := parseGen(live); n >= next {
			next = n + 1
		}
		err = removeAllBut(dir, live)
	case errors.Is(err, ErrNotFound):
		err = removeAllBut(dir, "")
	case IsCorrupt(err):
		// Which generation is live is unknown: keep them all until Commit.
		err = nil
	default:
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("index: removing leftovers in %s: %w", dir, err)
	}
	w := &Writer{
		dir:   dir,
		gen:   genName(next),
		dim:   dim,
		fp:    fingerprint,
		lock:  lock,
		ids:   make(map[string]struct{}),
		blobs: make(map[string]struct{}),
		extra: make(map[string]string),
	}
	w.db, err = badger.Open(badgerOptions(filepath.Join(dir, w.gen), false))
	if err != nil {
		_ = os.RemoveAll(filepath.Join(dir, w.gen))
		return nil, fmt.Errorf("index: creating %s: %w", filepath.Join(dir, w.gen), err)
	}
	w.wb = w.db.NewWriteBatch()
	return w, nil
}

func (w *Writer) set(key, val []byte) error {
	if w.err != nil {
		return w.err
	}
	if err := w.wb.Set(key, val); err != nil {
		w.err = fmt.Errorf("index: writing %s: %w", keyString(key), err)
	}
	return w.err
}

// PutBlob stores data under name ("vocab", "model", ...). Data is copied.
// A name may be stored once.
func (w *Writer) PutBlob(name string, data []byte) error {
	if w.done {
		return errClosed
	}
	if err := validBlobName(name); err != nil {
		return err
	}
	if _, dup := w.blobs[name]; dup {
		return fmt.Errorf("index: blob %q stored twice", name)
	}
	h := blobHeader{
		Size:      uint64(len(data)),
		ChunkSize: blobChunk,
		Chunks:    uint32((len(data) + blobChunk - 1) / blobChunk),
		CRC:       crc32.Checksum(data, castagnoli),
	}
	for i := 0; i < int(h.Chunks); i++ {
		k := partKey(name, i)
		p := data[i*blobChunk : i*blobChunk+h.chunkLen(i)]
		if err := w.set(k, appendValue(make([]byte, 0, len(p)+4), k, p)); err != nil {
			return err
		}
	}
	k := []byte(prefixBlob + name)
	if err := w.set(k, appendValue(nil, k, appendBlobHeader(nil, h))); err != nil {
		return err
	}
	w.blobs[name] = struct{}{}
	return nil
}

// Add appends a document and its code; its position is the number of Adds
// before it. The code must have dim finite values, and doc.ID must be new.
// A rejected document leaves the Writer usable.
func (w *Writer) Add(doc Doc, code []float32) error {
	if w.done {
		return errClosed
	}
	if len(code) != w.dim {
		return fmt.Errorf("index: doc %q: code has %d values, index dim is %d", doc.ID, len(code), w.dim)
	}
	for i, x := range code {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("index: doc %q: code value %d is %v", doc.ID, i, x)
		}
	}
	if _, dup := w.ids[doc.ID]; dup {
		return fmt.Errorf("index: doc %q added twice", doc.ID)
	}
	// One allocation holds both keys and values; badger keeps them until
	// the batch is written.
	buf := make([]byte, 0, 2*10+docSize(doc)+4*w.dim+8)
	buf = append(buf, posKey(prefixDoc, w.count)...)
	dk := buf[0:10:10]
	buf = sealValue(appendDoc(buf, doc), 10, dk)
	dv := buf[10:len(buf):len(buf)]
	n := len(buf)
	buf = append(buf, posKey(prefixCode, w.count)...)
	ck := buf[n : n+10 : n+10]
	buf = sealValue(appendCode(buf, code), n+10, ck)
	cv := buf[n+10:]
	if err := w.set(dk, dv); err != nil {
		return err
	}
	if err := w.set(ck, cv); err != nil {
		return err
	}
	w.ids[doc.ID] = struct{}{}
	w.count++
	return nil
}

// SetExtra records a key/value pair in Meta.Extra.
func (w *Writer) SetExtra(key, value string) { w.extra[key] = value }

// SetFingerprint replaces the fingerprint given to Create, for writers
// that take the lock before the model that writes the codes exists.
func (w *Writer) SetFingerprint(fp string) { w.fp = fp }

// Commit writes Meta, closes and fsyncs the new generation, points CURRENT
// at it, removes older generations and releases the lock. If Commit fails
// before CURRENT is switched, the previous index is live and untouched.
func (w *Writer) Commit() error {
	if w.done {
		return errClosed
	}
	w.done = true
	if err := w.commit(); err != nil {
		w.discard()
		return err
	}
	// CURRENT names the new generation now: never remove it.
	if err := syncDir(w.dir); err != nil {
		_ = unlockDir(w.lock)
		return fmt.Errorf("index: %s is live but %s could not be synced; older generations kept: %w",
			w.gen, w.dir, err)
	}
	// Failing to remove old generations is not an error (the next writer
	// retries), nor is failing to drop a lock that closing the file drops.
	_ = removeAllBut(w.dir, w.gen)
	_ = unlockDir(w.lock)
	return nil
}

func (w *Writer) commit() error {
	m := Meta{
		FormatVersion: FormatVersion,
		Dim:           w.dim,
		Count:         w.count,
		Fingerprint:   w.fp,
		Created:       time.Now().UTC(),
		Extra:         maps.Clone(w.extra),
	}
	p, err := encodeMeta(m)
	if err != nil {
		return fmt.Errorf("index: encoding meta: %w", err)
	}
	k := []byte(keyMeta)
	if err := w.set(k, appendValue(nil, k, p)); err != nil {
		return err
	}
	if err := w.wb.Flush(); err != nil {
		return fmt.Errorf("index: writing %s: %w", w.gen, err)
	}
	err = w.db.Close()
	w.db = nil
	if err != nil {
		return fmt.Errorf("index: closing %s: %w", w.gen, err)
	}
	if err := syncTree(filepath.Join(w.dir, w.gen)); err != nil {
		return fmt.Errorf("index: syncing %s: %w", w.gen, err)
	}
	if err := writeCurrent(w.dir, w.gen); err != nil {
		return fmt.Errorf("index: switching %s to %s: %w", fileCurrent, w.gen, err)
	}
	return nil
}

// Abort removes the unfinished generation and releases the lock; the live
// index is untouched. Abort after Commit does nothing, so it may be deferred.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	return w.discard()
}

func (w *Writer) discard() error {
	var err error
	if w.db != nil {
		w.wb.Cancel()
		err = w.db.Close()
		w.db = nil
	}
	if rerr := os.RemoveAll(filepath.Join(w.dir, w.gen)); err == nil {
		err = rerr
	}
	if uerr := unlockDir(w.lock); err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("index: aborting %s: %w", w.gen, err)
	}
	return nil
}
