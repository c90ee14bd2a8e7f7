package index

import "errors"

var (
	// ErrLocked is returned by Create when another writer holds DIR/LOCK.
	ErrLocked = errors.New("index: locked by another process")

	// ErrNotFound is returned by Open when DIR holds no committed index.
	ErrNotFound = errors.New("index: no index found")

	// ErrCorrupt wraps every checksum or decoding failure; the message names
	// the generation and the key that failed.
	ErrCorrupt = errors.New("index: corrupt")

	// ErrVersion is returned by Open when the stored format version differs
	// from FormatVersion; the message says which version was found.
	ErrVersion = errors.New("index: unsupported format version")

	// ErrExists is returned by Writer.Add for an id already in the index.
	ErrExists = errors.New("index: document already in the index")

	// ErrUnknownID is returned for an id that is not in the index.
	ErrUnknownID = errors.New("index: no such document")

	// ErrNoBlob is returned by Index.Blob for a name that was never stored.
	ErrNoBlob = errors.New("index: no such blob")

	// errClosed is returned by Writer methods after Commit or Abort.
	errClosed = errors.New("index: writer already committed or aborted")
)

// IsCorrupt reports whether err stems from a checksum or decoding failure
// in stored data (or in DIR/CURRENT).
func IsCorrupt(err error) bool { return errors.Is(err, ErrCorrupt) }

// lockedError says which directory is locked; it matches ErrLocked.
type lockedError struct{ dir string }

func (e *lockedError) Error() string {
	return "index: " + e.dir + " is locked by another process"
}

func (e *lockedError) Is(target error) bool { return target == ErrLocked }
