package index

import (
	"fmt"
	"syscall"
)

// Free space. badger writes its tables through memory-mapped files, and a
// write into a mapping that the disk cannot back is not an error it can
// return: the kernel kills the process with SIGBUS. (The live index
// survives that, as it survives any kill, but the user sees a crash
// instead of a message.) So a Writer watches the free space itself and
// stops with ENOSPC while there is still room for what badger and bleve
// may write at once: a flushed memtable, a compaction, the full-text
// index's merge at Commit.
const (
	// minFreeBytes is the free space a Writer keeps in reserve: several
	// memtables (8 MiB each, see badgerOptions) and a compaction's output.
	minFreeBytes = 48 << 20
	// spaceCheckBytes is how much a Writer writes between two checks.
	spaceCheckBytes = 1 << 20
)

// errNoSpace reports too little free space in dir for what remains.
func errNoSpace(dir string, free, need uint64) error {
	return fmt.Errorf("index: %w: %s has %d MB free, fewer than the %d MB needed to write the index safely; the live index is untouched",
		syscall.ENOSPC, dir, free>>20, need>>20)
}

// checkSpace returns an error matching syscall.ENOSPC when the file system
// of w's directory has less than minFreeBytes + extra free. Where free
// space cannot be read it does not stop the writer.
func (w *Writer) checkSpace(extra uint64) error {
	free, ok := freeBytes(w.dir)
	if need := minFreeBytes + extra; ok && free < need {
		return errNoSpace(w.dir, free, need)
	}
	return nil
}

// wrote counts n more bytes written and checks the free space every
// spaceCheckBytes.
func (w *Writer) wrote(n int) error {
	w.sinceCheck += n
	if w.sinceCheck < spaceCheckBytes {
		return nil
	}
	w.sinceCheck = 0
	if err := w.checkSpace(0); err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}
