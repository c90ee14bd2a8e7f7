package index

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"path/filepath"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/mapping"
	badger "github.com/dgraph-io/badger/v4"
)

// What a Writer puts into the generation it writes: documents (their
// slots, codes, caller's bytes and full-text entries), removals, and blobs.

// textBatch is the number of documents sent to the full-text index at once
// by an updating Writer.
const textBatch = 1000

// PutBlob stores data under name ("vocab", "model", ...). Data is copied.
// A name may be stored once in a generation's line: an updating Writer
// refuses the names of the live generation.
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

// Blob returns the blob stored under name in the live generation an
// updating Writer started from, or ErrNoBlob. A Writer of a new index has
// no blobs to read (it returns ErrNoBlob).
func (w *Writer) Blob(name string) ([]byte, error) {
	if w.done {
		return nil, errClosed
	}
	if w.fresh {
		return nil, fmt.Errorf("%w: %q (a new index)", ErrNoBlob, name)
	}
	var data []byte
	err := w.db.View(func(txn *badger.Txn) (err error) {
		data, err = readBlob(txn, w.gen, name)
		return err
	})
	return data, err
}

// Has reports whether a document with the given id is in the generation
// being written.
func (w *Writer) Has(id string) bool {
	_, ok := w.slots[id]
	return ok
}

// Len returns the number of documents in the generation being written.
func (w *Writer) Len() int { return len(w.slots) }

// Add stores a document in the next free slot. Its code must have dim
// finite values and its id must be new (non-empty valid UTF-8 of at most
// MaxIDBytes bytes); otherwise Add returns an error naming the document
// (ErrExists for a known id) and the Writer stays usable. e.Gen is set to
// the new generation.
func (w *Writer) Add(e Entry) error {
	if w.done {
		return errClosed
	}
	if err := w.check(&e); err != nil {
		return err
	}
	e.Gen = w.genNo
	slot := w.next
	buf := make([]byte, 0, 4*10+docSize(e.Doc)+4*w.dim+len(e.Data)+8*len(e.Bits)+16)
	parts := []struct {
		prefix string
		fill   func([]byte) []byte
	}{
		{prefixDoc, func(b []byte) []byte { return appendDoc(b, e.Doc) }},
		{prefixCode, func(b []byte) []byte { return appendCode(b, e.Code) }},
		{prefixData, func(b []byte) []byte { return append(b, e.Data...) }},
	}
	if len(w.bits) > 0 {
		parts = append(parts, struct {
			prefix string
			fill   func([]byte) []byte
		}{prefixBits, func(b []byte) []byte { return appendBits(b, e.Bits) }})
	}
	for _, part := range parts {
		// One allocation holds every key and value; badger keeps them
		// until the batch is written.
		n := len(buf)
		buf = append(buf, slotKey(part.prefix, slot)...)
		k := buf[n : n+10 : n+10]
		buf = sealValue(part.fill(buf), n+10, k)
		if err := w.set(k, buf[n+10:len(buf):len(buf)]); err != nil {
			return err
		}
	}
	if err := w.indexText(&e); err != nil {
		return err
	}
	w.textBytes += uint64(len(e.Text))
	if err := w.wrote(len(e.Text)); err != nil {
		return err
	}
	w.slots[e.ID] = slot
	w.next++
	return nil
}

// MaxIDBytes bounds a document id.
const MaxIDBytes = 1024

func (w *Writer) check(e *Entry) error {
	switch {
	case e.ID == "":
		return errors.New("index: a document has an empty id")
	case len(e.ID) > MaxIDBytes:
		return fmt.Errorf("index: doc %.40q...: id of %d bytes, at most %d allowed", e.ID, len(e.ID), MaxIDBytes)
	case !utf8.ValidString(e.ID):
		return fmt.Errorf("index: doc %q: id is not valid UTF-8", e.ID)
	case len(e.Code) != w.dim:
		return fmt.Errorf("index: doc %q: code has %d values, index dim is %d", e.ID, len(e.Code), w.dim)
	case e.Known < 0 || e.Words < e.Known:
		return fmt.Errorf("index: doc %q: %d known of %d words", e.ID, e.Known, e.Words)
	case len(e.Bits) != bitsWords(w.bits):
		return fmt.Errorf("index: doc %q: binary codes of %d words, the index's widths %v take %d", e.ID, len(e.Bits), w.bits, bitsWords(w.bits))
	}
	off := 0
	for _, b := range w.bits {
		off += Words(b)
		if r := b % 64; r != 0 && e.Bits[off-1]>>r != 0 {
			return fmt.Errorf("index: doc %q: binary code of width %d has bits set beyond it", e.ID, b)
		}
	}
	for i, x := range e.Code {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("index: doc %q: code value %d is %v", e.ID, i, x)
		}
	}
	if w.Has(e.ID) {
		return fmt.Errorf("%w: doc %q", ErrExists, e.ID)
	}
	return nil
}

func (w *Writer) indexText(e *Entry) error {
	if w.err != nil {
		return w.err
	}
	var err error
	if w.fresh && w.builder == nil {
		w.builderMapping = textMapping(w.analyzer)
		if w.builder, err = newTextBuilder(w.path(), filepath.Join(w.path(), dirText), w.builderMapping); err != nil {
			w.err = fmt.Errorf("index: creating the full-text index of %s: %w", w.path(), err)
			return w.err
		}
	}
	var m mapping.IndexMapping
	if w.builder != nil {
		m = w.builderMapping
	} else {
		m = w.text.Mapping()
	}
	w.count(m, e.ID, map[string]string{FieldText: e.Text, FieldTitle: e.Title, FieldLabel: e.Label})
	if w.builder != nil {
		err = w.builder.Index(e.ID, textDoc(e))
	} else {
		err = w.batch.Index(e.ID, textDoc(e))
		if err == nil && w.batch.Size() >= textBatch {
			err = w.flushText()
		}
	}
	if err != nil {
		w.err = fmt.Errorf("index: full-text index: doc %q: %w", e.ID, err)
	}
	return w.err
}

func (w *Writer) flushText() error {
	if w.batch == nil || w.batch.Size() == 0 {
		return nil
	}
	err := w.text.Batch(w.batch)
	// A fresh batch rather than Reset: scorch's Batch returns while a
	// goroutine of its own may still be ranging over the old batch's
	// operations (bleve v2.6.3, scorch.go:543), so reusing the map races.
	w.batch = w.text.NewBatch()
	return err
}

// Remove deletes the document with the given id from the generation being
// written; an unknown id gives an error matching ErrUnknownID.
func (w *Writer) Remove(id string) error {
	if w.done {
		return errClosed
	}
	slot, ok := w.slots[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownID, id)
	}
	if w.fresh {
		return fmt.Errorf("index: doc %q: a new index cannot remove what it added", id)
	}
	prefixes := []string{prefixDoc, prefixCode, prefixData}
	if len(w.bits) > 0 {
		prefixes = append(prefixes, prefixBits)
	}
	for _, prefix := range prefixes {
		if err := w.del(slotKey(prefix, slot)); err != nil {
			return err
		}
	}
	if err := w.uncount(id); err != nil {
		return err
	}
	w.batch.Delete(id)
	if w.batch.Size() >= textBatch {
		if err := w.flushText(); err != nil {
			w.err = fmt.Errorf("index: full-text index: %w", err)
			return w.err
		}
	}
	delete(w.slots, id)
	return nil
}

// uncount takes the tokens of document id, about to be removed, off the
// generation's counts: those counted when it was added, or those of its
// stored fields.
func (w *Writer) uncount(id string) error {
	w.counting.Wait()
	if t, ok := w.added[id]; ok {
		w.tokens.sub(t)
		delete(w.added, id)
		return nil
	}
	d, err := w.text.Document(id)
	if err != nil {
		w.err = fmt.Errorf("index: reading doc %q: %w", id, err)
		return w.err
	}
	if d == nil {
		w.err = fmt.Errorf("%w: %s: the full-text index lacks %q", ErrCorrupt, w.gen, id)
		return w.err
	}
	w.tokens.sub(countTokens(w.text.Mapping(), storedFields(d)))
	return nil
}

// set and del stage a write in the batch; the first failure sticks in
// w.err and is returned by every later write and by Commit.
func (w *Writer) set(key, val []byte) error {
	if w.err != nil {
		return w.err
	}
	if err := w.wb.Set(key, val); err != nil {
		w.err = fmt.Errorf("index: writing %s: %w", keyString(key), err)
		return w.err
	}
	return w.wrote(len(key) + len(val))
}

func (w *Writer) del(key []byte) error {
	if w.err != nil {
		return w.err
	}
	if err := w.wb.Delete(key); err != nil {
		w.err = fmt.Errorf("index: deleting %s: %w", keyString(key), err)
	}
	return w.err
}
