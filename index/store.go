package index

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"

	badger "github.com/dgraph-io/badger/v4"
)

// preallocRows caps what a (checksummed, but still external) count may
// reserve up front.
const preallocRows = 1 << 20

// userError carries an error of a caller's callback through value
// unchanged.
type userError struct{ err error }

func (e userError) Error() string { return e.err.Error() }

// value reads and checks the value of item, calling fn with its payload,
// which is valid only during the call. A failed read, a missing value and
// a checksum mismatch are told apart, and all match ErrCorrupt; an error of
// fn is wrapped as corruption too unless it is a userError, which is
// returned unwrapped.
func value(item *badger.Item, gen string, fn func(p []byte) error) error {
	key := item.KeyCopy(nil)
	var ferr error
	read := false
	err := item.Value(func(v []byte) error {
		read = true
		if len(v) == 0 {
			return errors.New("value missing (0 bytes): the file holding it is truncated or unreadable")
		}
		p, err := decodeValue(key, v)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			if u, ok := err.(userError); ok {
				ferr = u.err
				return nil
			}
			return err
		}
		return nil
	})
	switch {
	case ferr != nil:
		return ferr
	case err == nil:
		return nil
	case !read:
		return fmt.Errorf("%w: %s: reading key %s failed: %v", ErrCorrupt, gen, keyString(key), err)
	case errors.Is(err, ErrCorrupt) || errors.Is(err, ErrVersion):
		return err
	}
	return corrupt(gen, key, err)
}

func readMeta(txn *badger.Txn, gen string) (Meta, error) {
	var m Meta
	item, err := txn.Get([]byte(keyMeta))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return m, fmt.Errorf("%w: %s: key %q missing", ErrCorrupt, gen, keyMeta)
	}
	if err != nil {
		return m, fmt.Errorf("%w: %s: reading key %q failed: %v", ErrCorrupt, gen, keyMeta, err)
	}
	err = value(item, gen, func(p []byte) (err error) {
		m, err = decodeMeta(p)
		return err
	})
	return m, err
}

// scanDocs calls fn(slot, doc) for every document record in slot order,
// checking that there are m.Count of them, all below m.NextSlot.
func scanDocs(txn *badger.Txn, gen string, m Meta, fn func(slot uint64, d Doc) error) error {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = []byte(prefixDoc)
	it := txn.NewIterator(opt)
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		slot, ok := keySlot(item.Key())
		if !ok || slot >= m.NextSlot || n >= m.Count {
			return fmt.Errorf("%w: %s: unexpected key %s (count %d, next slot %d)",
				ErrCorrupt, gen, keyString(item.Key()), m.Count, m.NextSlot)
		}
		err := value(item, gen, func(p []byte) error {
			d, err := decodeDoc(p)
			if err != nil {
				return err
			}
			return fn(slot, d)
		})
		if err != nil {
			return err
		}
		n++
	}
	if n != m.Count {
		return fmt.Errorf("%w: %s: %d document records, meta says %d", ErrCorrupt, gen, n, m.Count)
	}
	return nil
}

// scanSlots calls fn for the key prefix+slot of every slot in slots (in
// ascending order), checking that no key is missing or extra.
func scanSlots(txn *badger.Txn, gen, prefix string, slots []uint64, fn func(item *badger.Item) error) error {
	opt := badger.DefaultIteratorOptions
	opt.Prefix = []byte(prefix)
	it := txn.NewIterator(opt)
	defer it.Close()
	i := 0
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if i >= len(slots) || !bytes.Equal(item.Key(), slotKey(prefix, slots[i])) {
			if i < len(slots) {
				if s, ok := keySlot(item.Key()); ok && s > slots[i] {
					return fmt.Errorf("%w: %s: key %s missing", ErrCorrupt, gen, keyString(slotKey(prefix, slots[i])))
				}
			}
			return fmt.Errorf("%w: %s: unexpected key %s", ErrCorrupt, gen, keyString(item.Key()))
		}
		if err := fn(item); err != nil {
			return err
		}
		i++
	}
	if i != len(slots) {
		return fmt.Errorf("%w: %s: key %s missing", ErrCorrupt, gen, keyString(slotKey(prefix, slots[i])))
	}
	return nil
}

// scanBlobNames calls fn with the name of every blob, checking its header.
func scanBlobNames(txn *badger.Txn, gen string, fn func(name string)) error {
	return scanBlobs(txn, gen, func(name string, _ blobHeader) error {
		fn(name)
		return nil
	})
}

func scanBlobs(txn *badger.Txn, gen string, fn func(name string, h blobHeader) error) error {
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
		if err := fn(name, h); err != nil {
			return err
		}
	}
	return nil
}

// loadBlobs reads every blob into blobs, checking each chunk and the whole.
func loadBlobs(txn *badger.Txn, gen string, blobs map[string][]byte) error {
	return scanBlobs(txn, gen, func(name string, h blobHeader) error {
		data, err := readChunks(txn, gen, name, h)
		blobs[name] = data
		return err
	})
}

// readBlob reads the blob name, or returns ErrNoBlob.
func readBlob(txn *badger.Txn, gen, name string) ([]byte, error) {
	if err := validBlobName(name); err != nil {
		return nil, err
	}
	k := []byte(prefixBlob + name)
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("%w: %q", ErrNoBlob, name)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading key %s failed: %v", ErrCorrupt, gen, keyString(k), err)
	}
	var h blobHeader
	if err := value(item, gen, func(p []byte) (err error) { h, err = decodeBlobHeader(p); return err }); err != nil {
		return nil, err
	}
	return readChunks(txn, gen, name, h)
}

// readChunks reads the chunks of blob name, checking each and the whole.
func readChunks(txn *badger.Txn, gen, name string, h blobHeader) ([]byte, error) {
	data := make([]byte, 0, min(h.Size, 1<<30))
	for i := 0; i < int(h.Chunks); i++ {
		k := partKey(name, i)
		pi, err := txn.Get(k)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil, fmt.Errorf("%w: %s: key %s missing", ErrCorrupt, gen, keyString(k))
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: reading key %s failed: %v", ErrCorrupt, gen, keyString(k), err)
		}
		err = value(pi, gen, func(p []byte) error {
			if len(p) != h.chunkLen(i) {
				return fmt.Errorf("blob chunk of %d bytes, want %d", len(p), h.chunkLen(i))
			}
			data = append(data, p...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if got := crc32.Checksum(data, castagnoli); got != h.CRC {
		return nil, fmt.Errorf("%w: %s: blob %q: checksum mismatch (stored %08x, computed %08x)",
			ErrCorrupt, gen, name, h.CRC, got)
	}
	return data, nil
}
