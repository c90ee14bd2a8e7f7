package index

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/docsearch/docsearch/internal/faultpoint"
)

// badgerOptions keeps badger quiet and small: tests create many indexes on
// a small machine, and a generation is written once and then read whole.
// The value threshold keeps every value (blob chunks included) in the
// tables, so that the value log stays empty.
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
		WithValueThreshold(1 << 20).
		WithValueLogFileSize(32 << 20)
	if readOnly {
		opt = opt.WithChecksumVerificationMode(options.OnTableRead).WithVerifyValueChecksum(true)
	}
	return opt
}

// Writer builds a new generation of the index in DIR while the live one
// stays readable: a fresh one (Create) or a copy of the live one with
// documents added and removed (Update). Only Commit makes it live. A Writer
// is not safe for concurrent use.
type Writer struct {
	dir      string
	gen      string // folder name of the new generation
	genNo    uint64
	dim      int
	fp       string
	lock     *os.File
	db       *badger.DB
	wb       *badger.WriteBatch
	fresh    bool          // a Create: the full-text index is built by builder
	builder  bleve.Builder // full-text index of a Create, from its first Add
	analyzer string        // of a Create's text and title: TextAnalyzer (tests set older ones)
	text     bleve.Index   // full-text index of an Update
	batch    *bleve.Batch
	slots    map[string]uint64 // id -> slot of every live document
	next     uint64            // next free slot
	blobs    map[string]struct{}
	extra    map[string]string
	bits     []int // widths of the binary codes (Meta.Bits)
	created  time.Time
	err      error // first write failure; Commit returns it
	done     bool
	// sinceCheck counts bytes written since the last look at the free
	// space; textBytes the text added, which bleve may rewrite at Commit.
	sinceCheck int
	textBytes  uint64
	// tokens counts the tokens of the generation's full-text fields
	// (Meta.Tokens) when tokensKnown; added holds those of the documents
	// an Update added, for a Remove of one of them before Commit. Both
	// change under countMu, from the goroutines of Writer.count, until
	// counting.Wait returns.
	tokens      Tokens
	tokensKnown bool
	added       map[string]Tokens
	countMu     sync.Mutex
	counting    sync.WaitGroup
	countSem    chan struct{}
	// builderMapping is the mapping of a Create's builder, which counts
	// the tokens of what it indexes.
	builderMapping mapping.IndexMapping
}

// Create locks dir (creating it if needed) and starts a new, empty
// generation for codes of length dim. It returns an error matching
// ErrLocked if another writer holds dir. Leftovers of killed writers
// (unfinished generations, CURRENT.tmp) are removed; the live generation is
// left alone.
func Create(dir string, dim int, fingerprint string) (*Writer, error) {
	if dim <= 0 || dim > maxDim {
		return nil, fmt.Errorf("index: dim %d out of range [1, %d]", dim, maxDim)
	}
	w, err := begin(dir)
	if err != nil {
		return nil, err
	}
	w.dim, w.fp, w.created = dim, fingerprint, time.Now().UTC()
	if err := w.openNew(); err != nil {
		w.discard()
		return nil, err
	}
	return w, nil
}

// Update locks dir and starts a new generation that begins as a copy of the
// live one, for adding and removing documents without a rebuild. The copy
// shares the full-text index's segments with the live generation by hard
// links and copies the code store (see cloneTree), so it costs a copy of
// the codes, counts and model, not a rebuild. It returns an error matching
// ErrNotFound if dir holds no committed index and ErrLocked if another
// writer holds it.
func Update(dir string) (*Writer, error) {
	if _, err := readCurrent(dir); err != nil {
		return nil, err
	}
	w, err := begin(dir)
	if err != nil {
		return nil, err
	}
	if err := w.openCopy(); err != nil {
		w.discard()
		return nil, err
	}
	return w, nil
}

// begin takes the lock of dir, removes leftovers and names the new
// generation.
func begin(dir string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	if free, ok := freeBytes(dir); ok && free < minFreeBytes {
		return nil, errNoSpace(dir, free, minFreeBytes)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	w := &Writer{dir: dir, lock: lock, slots: make(map[string]uint64), analyzer: TextAnalyzer,
		blobs: make(map[string]struct{}), extra: make(map[string]string)}
	if err := w.clean(); err != nil {
		_ = unlockDir(lock)
		return nil, err
	}
	return w, nil
}

// clean removes what killed writers left and numbers the new generation
// past every one on disk, finished or not, so that no name is reused.
func (w *Writer) clean() error {
	gens, err := generations(w.dir)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	for _, n := range gens {
		w.genNo = max(w.genNo, n)
	}
	w.genNo++
	live, err := readCurrent(w.dir)
	switch {
	case err == nil:
		if n, _ := parseGen(live); n >= w.genNo {
			w.genNo = n + 1
		}
		err = removeAllBut(w.dir, live)
	case errors.Is(err, ErrNotFound):
		err = removeAllBut(w.dir, "")
	case IsCorrupt(err):
		// Which generation is live is unknown: keep them all until Commit.
		err = nil
	default:
		return err
	}
	if err != nil {
		return fmt.Errorf("index: removing leftovers in %s: %w", w.dir, err)
	}
	w.gen = genName(w.genNo)
	return nil
}

func (w *Writer) path() string { return filepath.Join(w.dir, w.gen) }

// openNew creates the stores of an empty generation.
func (w *Writer) openNew() error {
	if err := os.MkdirAll(w.path(), 0o755); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	db, err := badger.Open(badgerOptions(filepath.Join(w.path(), dirStore), false))
	if err != nil {
		return fmt.Errorf("index: creating %s: %w", w.path(), err)
	}
	w.db, w.wb = db, db.NewWriteBatch()
	w.fresh = true
	w.tokensKnown = true
	return nil
}

// openCopy clones the live generation and opens the clone for changes.
func (w *Writer) openCopy() error {
	live, err := readCurrent(w.dir)
	if err != nil {
		return err
	}
	if err := verifySums(filepath.Join(w.dir, live)); err != nil {
		return err
	}
	if err := cloneTree(filepath.Join(w.dir, live), w.path()); err != nil {
		return fmt.Errorf("index: copying %s: %w", live, err)
	}
	db, err := badger.Open(badgerOptions(filepath.Join(w.path(), dirStore), false))
	if err != nil {
		return fmt.Errorf("%w: %s: opening a copy: %v", ErrCorrupt, live, err)
	}
	w.db = db
	m, err := w.loadLive(live)
	if err != nil {
		return err
	}
	w.dim, w.fp, w.next, w.created, w.bits = m.Dim, m.Fingerprint, m.NextSlot, m.Created, m.Bits
	maps.Copy(w.extra, m.Extra)
	w.wb = db.NewWriteBatch()
	if w.text, err = openText(w.path(), false); err != nil {
		return err
	}
	w.batch = w.text.NewBatch()
	w.added = make(map[string]Tokens)
	if m.Tokens != nil {
		w.tokens, w.tokensKnown = *m.Tokens, true
	} else if err := w.countLive(); err != nil {
		return err
	}
	return nil
}

// countLive counts the tokens of the copy of a generation written before
// Meta.Tokens existed, from its postings, so that the new one keeps them.
func (w *Writer) countLive() error {
	adv, err := w.text.Advanced()
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	defer r.Close()
	if w.tokens, err = sumPostings(context.Background(), r); err != nil {
		return fmt.Errorf("%w: %s: counting the tokens of the full-text index: %v", ErrCorrupt, w.gen, err)
	}
	w.tokensKnown = true
	return nil
}

// loadLive reads the meta, the document ids and the blob names of the copy
// of generation live.
func (w *Writer) loadLive(live string) (Meta, error) {
	var m Meta
	err := w.db.View(func(txn *badger.Txn) error {
		var err error
		if m, err = readMeta(txn, live); err != nil {
			return err
		}
		err = scanDocs(txn, live, m, func(slot uint64, d Doc) error {
			w.slots[d.ID] = slot
			return nil
		})
		if err != nil {
			return err
		}
		return scanBlobNames(txn, live, func(name string) { w.blobs[name] = struct{}{} })
	})
	return m, err
}

// SetBits declares the widths of the binary codes every document of a new
// index carries (Entry.Bits), strictly ascending, each at most MaxBits. It
// must come before the first Add; an updating Writer keeps the widths of
// the live generation and refuses other ones.
func (w *Writer) SetBits(widths []int) error {
	if err := checkBits(widths); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if !w.fresh || len(w.slots) > 0 {
		if slices.Equal(widths, w.bits) {
			return nil
		}
		return fmt.Errorf("index: binary code widths %v cannot change to %v once documents are stored", w.bits, widths)
	}
	w.bits = slices.Clone(widths)
	return nil
}

// Bits returns the widths of the binary codes of the index being written.
func (w *Writer) Bits() []int { return slices.Clone(w.bits) }

// SetExtra records a key/value pair in Meta.Extra.
func (w *Writer) SetExtra(key, value string) { w.extra[key] = value }

// SetFingerprint replaces the fingerprint given to Create, for writers
// that take the lock before the model that writes the codes exists.
func (w *Writer) SetFingerprint(fp string) { w.fp = fp }

// Fingerprint returns the fingerprint the new generation will record.
func (w *Writer) Fingerprint() string { return w.fp }

// Generation returns the number of the generation being written.
func (w *Writer) Generation() uint64 { return w.genNo }

// Dim returns the code length of the index being written.
func (w *Writer) Dim() int { return w.dim }

// Commit writes Meta, closes and fsyncs the new generation, points CURRENT
// at it, removes older generations and releases the lock. If Commit fails
// before CURRENT is switched, the previous index is live and untouched.
func (w *Writer) Commit() error {
	if w.done {
		return errClosed
	}
	w.done = true
	if err := w.commit(); err != nil {
		_ = w.discard()
		return err
	}
	// CURRENT names the new generation now: never remove it.
	faultpoint.Hit("index.commit.switched")
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
	w.counting.Wait()
	// bleve merges the text segments at Close: room for them twice.
	if err := w.checkSpace(2 * w.textBytes); err != nil {
		return err
	}
	if err := w.closeText(); err != nil {
		return err
	}
	now := time.Now().UTC()
	m := Meta{
		FormatVersion: FormatVersion,
		Dim:           w.dim,
		Count:         len(w.slots),
		NextSlot:      w.next,
		Generation:    w.genNo,
		Fingerprint:   w.fp,
		Created:       w.created,
		Updated:       now,
		Extra:         maps.Clone(w.extra),
		Bits:          w.bits,
	}
	if w.tokensKnown {
		m.Tokens = &w.tokens
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
	if err := writeSums(w.path()); err != nil {
		return fmt.Errorf("index: checksumming %s: %w", w.gen, err)
	}
	faultpoint.Hit("index.commit.written")
	if err := syncTree(w.path()); err != nil {
		return fmt.Errorf("index: syncing %s: %w", w.gen, err)
	}
	faultpoint.Hit("index.commit.synced")
	if err := writeCurrent(w.dir, w.gen); err != nil {
		return fmt.Errorf("index: switching %s to %s: %w", fileCurrent, w.gen, err)
	}
	return nil
}

// closeText finishes the full-text index: the builder merges its segments,
// an updated index writes its last batch.
func (w *Writer) closeText() error {
	if w.err != nil {
		return w.err
	}
	if w.builder != nil {
		err := w.builder.Close()
		w.builder = nil
		if err != nil {
			return fmt.Errorf("index: building the full-text index of %s: %w", w.gen, err)
		}
		return os.RemoveAll(filepath.Join(w.path(), dirTextBuild))
	}
	if w.fresh {
		// No document: bleve's builder cannot make an empty index.
		idx, err := bleve.New(filepath.Join(w.path(), dirText), textMapping(w.analyzer))
		if err == nil {
			err = idx.Close()
		}
		if err != nil {
			return fmt.Errorf("index: creating the full-text index of %s: %w", w.gen, err)
		}
		return nil
	}
	if w.text != nil {
		err := w.flushText()
		if cerr := w.text.Close(); err == nil {
			err = cerr
		}
		w.text = nil
		if err != nil {
			return fmt.Errorf("index: updating the full-text index of %s: %w", w.gen, err)
		}
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
	w.counting.Wait()
	var err error
	note := func(e error) {
		if err == nil {
			err = e
		}
	}
	if w.builder != nil {
		note(w.builder.Close())
		w.builder = nil
	}
	if w.text != nil {
		note(w.text.Close())
		w.text = nil
	}
	if w.db != nil {
		if w.wb != nil {
			w.wb.Cancel()
		}
		note(w.db.Close())
		w.db = nil
	}
	if w.gen != "" {
		note(os.RemoveAll(w.path()))
	}
	note(unlockDir(w.lock))
	if err != nil {
		return fmt.Errorf("index: aborting %s: %w", w.gen, err)
	}
	return nil
}
