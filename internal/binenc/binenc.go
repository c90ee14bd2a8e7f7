// Package binenc frames every binary format docsearch stores: RBM stacks,
// nets, vocabularies, count matrices, trainer states and checkpoints.
//
// A frame is
//
//	magic    8 bytes naming the format
//	version  uint32
//	fields   written by a Writer, read back in order by a Reader
//	crc      uint32: CRC-32C (Castagnoli) of everything before it
//
// with every integer little-endian. Fields are fixed-width integers and
// floats, unsigned varints (shortest form only), length-prefixed byte and
// float32 runs, and float32 runs whose length the reader knows.
//
// Damaged data give a *CorruptError (errors.Is(err, ErrCorrupt)) naming
// the format and the first problem; intact data of a version this build
// does not read give a *VersionError (errors.Is(err, ErrVersion)) that
// says whether an older or a newer docsearch wrote it. Decoding never
// panics and never allocates more than the data can hold.
package binenc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	// ErrCorrupt is matched by every error about damaged stored data.
	ErrCorrupt = errors.New("corrupt data")
	// ErrVersion is matched by the error about intact data of a format
	// version this build does not read.
	ErrVersion = errors.New("unsupported format version")
	// ErrMismatch is matched by the error about an intact saved state of
	// another configuration (ConfigMismatch) or model shape.
	ErrMismatch = errors.New("saved state is from a different training run")
)

// CorruptError reports damaged data of a format: a wrong magic, a checksum
// mismatch, a truncated field or a value out of range.
type CorruptError struct {
	Format string // the format's Name
	Reason string // the first problem found
}

func (e *CorruptError) Error() string { return "corrupt " + e.Format + ": " + e.Reason }

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// VersionError reports intact data of a version this build does not read.
type VersionError struct {
	Format string
	// Version is the version found (0 for a format that an older docsearch
	// wrote before frames had a version); Oldest and Newest bound the
	// versions this build reads.
	Version, Oldest, Newest uint32
}

func (e *VersionError) Error() string {
	who := "a newer"
	if e.Version < e.Oldest {
		who = "an older"
	}
	if e.Version == 0 {
		return fmt.Sprintf("%s written by %s docsearch, in a format this build no longer reads", e.Format, who)
	}
	return fmt.Sprintf("%s version %d, written by %s docsearch (this build reads versions %d to %d)", e.Format, e.Version, who, e.Oldest, e.Newest)
}

// Is reports whether target is ErrVersion.
func (e *VersionError) Is(target error) bool { return target == ErrVersion }

// Format describes one stored format.
type Format struct {
	Name    string // what the data are, for messages: "rbm stack"
	Magic   string // 8 bytes
	Version uint32 // the version Writer writes
	// Oldest is the oldest version Open accepts; 0 means Version.
	Oldest uint32
	// Retired are the magics of formats this one replaced, which Open
	// recognises and refuses with a VersionError (written by an older
	// docsearch) instead of calling them corrupt.
	Retired []string
}

func (f Format) oldest() uint32 {
	if f.Oldest == 0 {
		return f.Version
	}
	return f.Oldest
}

// NewWriter starts a frame of f at the current version.
func (f Format) NewWriter() *Writer {
	if len(f.Magic) != 8 {
		panic(fmt.Sprintf("binenc: magic %q of %s is not 8 bytes", f.Magic, f.Name))
	}
	w := &Writer{b: []byte(f.Magic)}
	w.U32(f.Version)
	return w
}

// Open checks the magic, the checksum and the version of a frame of f and
// returns a Reader over its fields.
func (f Format) Open(data []byte) (*Reader, error) {
	if len(data) >= 8 && slices.Contains(f.Retired, string(data[:8])) && intact(data) {
		return nil, &VersionError{Format: f.Name, Oldest: f.oldest(), Newest: f.Version}
	}
	r, err := open(f.Name, f.Magic, data)
	if err != nil {
		return nil, err
	}
	r.version = r.U32()
	if r.err != nil {
		return nil, r.err
	}
	if r.version < f.oldest() || r.version > f.Version {
		return nil, &VersionError{Format: f.Name, Version: r.version, Oldest: f.oldest(), Newest: f.Version}
	}
	return r, nil
}

// OpenUnversioned opens a frame of magic whose fields follow the magic
// directly, with no version: the count matrices of the first docsearch
// indexes, read for compatibility.
func OpenUnversioned(name, magic string, data []byte) (*Reader, error) {
	return open(name, magic, data)
}

func open(name, magic string, data []byte) (*Reader, error) {
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, &CorruptError{Format: name, Reason: fmt.Sprintf("not a %s (%d bytes, bad magic or too short)", name, len(data))}
	}
	if !intact(data) {
		return nil, &CorruptError{Format: name, Reason: "checksum mismatch"}
	}
	return &Reader{name: name, p: data[len(magic) : len(data)-4]}, nil
}

// intact reports whether the last 4 bytes of data are the CRC-32C of the
// rest.
func intact(data []byte) bool {
	n := len(data) - 4
	return n >= 0 && crc32.Checksum(data[:n], castagnoli) == binary.LittleEndian.Uint32(data[n:])
}

// Writer appends the fields of a frame.
type Writer struct{ b []byte }

// U8 appends v.
func (w *Writer) U8(v byte) { w.b = append(w.b, v) }

// U32 appends v.
func (w *Writer) U32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }

// U64 appends v.
func (w *Writer) U64(v uint64) { w.b = binary.LittleEndian.AppendUint64(w.b, v) }

// F32 appends v's bits.
func (w *Writer) F32(v float32) { w.U32(math.Float32bits(v)) }

// F64 appends v's bits.
func (w *Writer) F64(v float64) { w.U64(math.Float64bits(v)) }

// Uvarint appends v as an unsigned varint.
func (w *Writer) Uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }

// Bytes appends p with its length (uint32).
func (w *Writer) Bytes(p []byte) {
	w.U32(uint32(len(p)))
	w.b = append(w.b, p...)
}

// RawBytes appends p without its length, for a reader that knows it.
func (w *Writer) RawBytes(p []byte) { w.b = append(w.b, p...) }

// String appends s as Bytes.
func (w *Writer) String(s string) {
	w.U32(uint32(len(s)))
	w.b = append(w.b, s...)
}

// F32s appends f with its length (uint32).
func (w *Writer) F32s(f []float32) {
	w.U32(uint32(len(f)))
	w.RawF32s(f)
}

// RawF32s appends f without its length, for a reader that knows it.
func (w *Writer) RawF32s(f []float32) {
	w.b = slices.Grow(w.b, 4*len(f))
	for _, x := range f {
		w.b = binary.LittleEndian.AppendUint32(w.b, math.Float32bits(x))
	}
}

// Config appends the configuration cfg as fmt's %+v prints it, for states
// that may only be restored under the same settings (Format.OpenState).
func (w *Writer) Config(cfg any) { w.String(fmt.Sprintf("%+v", cfg)) }

// Seal appends the checksum and returns the frame.
func (w *Writer) Seal() []byte {
	return binary.LittleEndian.AppendUint32(w.b, crc32.Checksum(w.b, castagnoli))
}

// Reader reads the fields of a frame in order. After the first problem
// (a short read, or one the caller reports with Fail) every read returns
// a zero value and Err reports that problem.
type Reader struct {
	name    string
	p       []byte
	version uint32
	err     error
}

// Version returns the frame's version.
func (r *Reader) Version() uint32 { return r.version }

// Fail records a problem found in the fields (a value out of range), if
// none was recorded before.
func (r *Reader) Fail(format string, args ...any) {
	if r.err == nil {
		r.err = &CorruptError{Format: r.name, Reason: fmt.Sprintf(format, args...)}
	}
}

// Err returns the first problem, or a CorruptError when bytes are left
// after the last field read; nil when every read succeeded and all data
// were read.
func (r *Reader) Err() error {
	if r.err == nil && len(r.p) != 0 {
		r.Fail("%d bytes after the last field", len(r.p))
	}
	return r.err
}

// Failed reports whether a problem was recorded so far.
func (r *Reader) Failed() bool { return r.err != nil }

// Left returns the number of bytes not read yet.
func (r *Reader) Left() int { return len(r.p) }

func (r *Reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.p) {
		r.Fail("truncated: a field of %d bytes with %d left", n, len(r.p))
		return nil
	}
	out := r.p[:n:n]
	r.p = r.p[n:]
	return out
}

// U8 reads a byte.
func (r *Reader) U8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

// U32 reads a uint32.
func (r *Reader) U32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// U64 reads a uint64.
func (r *Reader) U64() uint64 {
	if b := r.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// F32 reads a float32.
func (r *Reader) F32() float32 { return math.Float32frombits(r.U32()) }

// F64 reads a float64.
func (r *Reader) F64() float64 { return math.Float64frombits(r.U64()) }

// Int reads a uint32 and checks that it is at most limit.
func (r *Reader) Int(field string, limit int) int {
	v := r.U32()
	if limit < 0 || uint64(v) > uint64(limit) {
		r.Fail("%s %d out of range (at most %d)", field, v, limit)
		return 0
	}
	return int(v)
}

// Uvarint reads an unsigned varint in its shortest form (so that every
// value has one encoding) and checks that it is at most limit.
func (r *Reader) Uvarint(field string, limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.p)
	if n <= 0 || n > 1 && r.p[n-1] == 0 {
		r.Fail("%s: truncated or overlong varint", field)
		return 0
	}
	r.p = r.p[n:]
	if x > limit {
		r.Fail("%s %d out of range (at most %d)", field, x, limit)
		return 0
	}
	return x
}

// Bytes reads a length-prefixed byte run; the result aliases the data.
func (r *Reader) Bytes() []byte { return r.take(int(r.U32())) }

// RawBytes reads n bytes written by Writer.RawBytes; the result aliases
// the data.
func (r *Reader) RawBytes(n int) []byte { return r.take(n) }

// String reads a length-prefixed string.
func (r *Reader) String() string { return string(r.Bytes()) }

// F32s reads a length-prefixed float32 run (nil when empty).
func (r *Reader) F32s() []float32 { return r.RawF32s(int(r.U32())) }

// RawF32s reads n float32 values written by Writer.RawF32s (nil when n is
// 0).
func (r *Reader) RawF32s(n int) []float32 {
	if n > len(r.p)/4 {
		r.Fail("truncated: %d float32 values with %d bytes left", n, len(r.p))
		return nil
	}
	b := r.take(4 * n)
	if b == nil || n == 0 {
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// ConfigMismatch is the error of OpenState for a state saved under
// another configuration. It matches ErrMismatch.
type ConfigMismatch struct{ Format, Saved, Here string }

func (e *ConfigMismatch) Error() string {
	return fmt.Sprintf("%s saved with configuration %s, resuming with %s", e.Format, e.Saved, e.Here)
}

// Is reports whether target is ErrMismatch.
func (e *ConfigMismatch) Is(target error) bool { return target == ErrMismatch }

// OpenState opens a frame of f whose first field is a configuration
// written by Writer.Config, and returns a Reader over the fields after it,
// or a *ConfigMismatch unless that configuration is cfg's.
func (f Format) OpenState(data []byte, cfg any) (*Reader, error) {
	r, err := f.Open(data)
	if err != nil {
		return nil, err
	}
	saved := r.String()
	if r.err != nil {
		return nil, r.err
	}
	if here := fmt.Sprintf("%+v", cfg); saved != here {
		return nil, &ConfigMismatch{Format: f.Name, Saved: saved, Here: here}
	}
	return r, nil
}
