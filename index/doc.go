// Package index stores a document collection for search and ranks it: each
// document's code (the few numbers a model gave it), its record (id, label,
// title, word counts), the caller's bytes and its text in a bleve full-text
// index, with named blobs beside them (the model that wrote the codes). It
// ranks by the cosine between codes (Search, exact top-k) and by keywords
// (Keyword, bleve's BM25), and cuts snippets; it does no model math:
// callers supply the codes and the fingerprint of the model and vocabulary
// that made them.
//
// # Generations
//
// An index is a directory:
//
//	DIR/LOCK          flock'ed by the one Writer, for the whole write
//	DIR/CURRENT       "gen-000007\n": the live generation, replaced atomically
//	DIR/gen-000007/   one complete index:
//	    store/        badger: meta, documents, codes, data, blobs
//	    text/         bleve (scorch): text, title and label of every document
//	    SUMS          size and CRC32-C of every other file, checked before use
//
// Every change writes a new generation beside the live one. Create starts
// an empty one. Update starts a copy of the live one (the full-text
// segments shared by hard links, the code store copied), in which Add and
// Remove add and remove documents without a rebuild. Only Commit makes it
// live: it finishes the full-text index, closes the stores, writes SUMS,
// fsyncs the generation, renames CURRENT.tmp over CURRENT (then fsyncs DIR)
// and removes older generations. A writer killed at any moment therefore
// leaves the previous index live and intact; the next writer removes its
// leftovers, and the kernel drops its lock.
//
// # Keys of the code store
//
// Each value is followed by CRC32-C(key || payload):
//
//	m                 Meta as JSON
//	d/<slot>          Doc: ID, Label, Title as uvarint length + bytes; Words, Known, Gen; flags
//	c/<slot>          code: Dim float32, little-endian
//	x/<slot>          the caller's bytes (Entry.Data)
//	b/<name>          blob header: size, chunk size, chunk count, CRC32-C of the blob
//	p/<name>\0<chunk> blob chunks of at most 1 MiB
//
// where <slot> is 8-byte big-endian, handed out in order of Add and never
// reused (Meta.NextSlot). A document's position, the i of Doc(i) and of a
// Hit, is its place among the live slots of the generation opened, so it
// may change when documents are removed. A flipped bit in any value gives
// ErrCorrupt naming the key; a damaged file, ErrCorrupt naming the file.
//
// # Reading
//
// Open reads the live generation's code store whole into memory, the codes
// both as stored (Code) and scaled to unit length in one contiguous Len x
// Dim row-major slice, and closes badger; the full-text index stays open
// until Close. Readers take no lock: an open Index keeps answering from its
// generation after a writer commits a newer one (Generation tells when to
// reopen), except ReadData, which reads from disk. Search ranks exactly:
// on an index of 65,536 codes or more it builds, once and in the
// background, cells of nearby codes with bounds on their cosines, and then
// scores only the cells that can hold a top-k hit (cells.go; Prepare builds
// them at once); otherwise, and until they are ready, it scores every code,
// on all CPUs for large indexes. TopK ranks scores a caller computed;
// Keyword runs a bleve query, Snippets highlights its matches and
// MoreLikeThis builds the keyword query of an indexed document.
package index
