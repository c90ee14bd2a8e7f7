// Package index stores document codes in badger and ranks them by cosine.
//
// An index is a directory:
//
//	DIR/LOCK        flock'ed by the one Writer, for the whole write
//	DIR/CURRENT     "gen-000007\n": the live generation, replaced atomically
//	DIR/gen-000007/ a badger database holding one complete index
//
// A Writer builds generation n+1 beside the live one; only Commit closes
// and fsyncs it, renames CURRENT.tmp over CURRENT (then fsyncs DIR) and
// removes older generations. A writer killed at any moment therefore leaves
// the previous index live and intact; the next Create removes its leftovers,
// and the kernel drops its lock.
//
// Keys in a generation, each value followed by CRC32-C(key || payload):
//
//	m                 Meta as JSON
//	d/<pos>           Doc: ID, Label, Title as uvarint length + bytes
//	c/<pos>           code: Dim float32, little-endian
//	b/<name>          blob header: size, chunk size, chunk count, CRC32-C of the blob
//	p/<name>\0<chunk> blob chunks of at most 1 MiB
//
// where <pos> is the 8-byte big-endian position (order of Add). A flipped bit
// in any value gives ErrCorrupt naming the key.
//
// Open reads the whole live generation into memory, with the codes both as
// stored (Code) and scaled to unit length in one contiguous Len x Dim
// row-major slice, then closes badger: readers hold no lock or file.
// Search is exact top-k by cosine, scored by all CPUs for large indexes.
// The index does no model math: callers supply the codes and the
// fingerprint of the model and vocabulary that made them.
package index
