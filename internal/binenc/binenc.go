// Package binenc frames the project's small binary formats (checkpoints):
// a magic string, little-endian fields, length-prefixed byte and float32
// runs, and a CRC32-C over everything before it.
package binenc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrFrame means data are not a sealed frame of the expected kind: wrong
// magic, too short, or a checksum mismatch.
var ErrFrame = errors.New("binenc: bad frame")

// Start begins a frame with magic.
func Start(magic string) []byte { return []byte(magic) }

// U32 appends v.
func U32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// U64 appends v.
func U64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// Bytes appends p with its length.
func Bytes(b, p []byte) []byte { return append(U32(b, uint32(len(p))), p...) }

// F32s appends f with its length.
func F32s(b []byte, f []float32) []byte {
	b = U32(b, uint32(len(f)))
	for _, x := range f {
		b = U32(b, math.Float32bits(x))
	}
	return b
}

// Seal appends the CRC32-C of b.
func Seal(b []byte) []byte { return U32(b, crc32.Checksum(b, castagnoli)) }

// Open checks the magic and the checksum of a sealed frame and returns a
// Reader over the fields after the magic.
func Open(data []byte, magic string) (*Reader, error) {
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, ErrFrame
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, ErrFrame
	}
	return &Reader{p: body[len(magic):]}, nil
}

// StartConfig begins a frame with magic and, as its first field, the
// configuration cfg as fmt's %+v prints it: for states that may only be
// restored under the same settings (see OpenConfig).
func StartConfig(magic string, cfg any) []byte {
	return Bytes(Start(magic), []byte(fmt.Sprintf("%+v", cfg)))
}

// ConfigMismatch is OpenConfig's error for a frame made under another
// configuration.
type ConfigMismatch struct{ Saved, Here string }

func (e *ConfigMismatch) Error() string {
	return fmt.Sprintf("saved with configuration %s, resuming with %s", e.Saved, e.Here)
}

// OpenConfig opens a frame begun by StartConfig(magic, ...) and returns a
// Reader over the fields after the configuration, or a *ConfigMismatch
// unless that configuration is cfg's. A frame under old (the same fields
// without the configuration, the format before it was recorded) opens
// unchecked. Other damage is ErrFrame.
func OpenConfig(data []byte, magic, old string, cfg any) (*Reader, error) {
	if r, err := Open(data, old); err == nil {
		return r, nil
	}
	r, err := Open(data, magic)
	if err != nil {
		return nil, err
	}
	saved := string(r.Bytes())
	if r.bad {
		return nil, ErrFrame
	}
	if here := fmt.Sprintf("%+v", cfg); saved != here {
		return nil, &ConfigMismatch{Saved: saved, Here: here}
	}
	return r, nil
}

// Reader reads fields in order; after the first short read every read
// returns zero values and OK reports false.
type Reader struct {
	p   []byte
	bad bool
}

func (r *Reader) take(n int) []byte {
	if r.bad || n < 0 || n > len(r.p) {
		r.bad = true
		return nil
	}
	out := r.p[:n]
	r.p = r.p[n:]
	return out
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

// Bytes reads a length-prefixed byte run; the result aliases the data.
func (r *Reader) Bytes() []byte { return r.take(int(r.U32())) }

// F32s reads a length-prefixed float32 run (nil when empty).
func (r *Reader) F32s() []float32 {
	n := int(r.U32())
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

// OK reports whether every read so far succeeded and all data were read.
func (r *Reader) OK() bool { return !r.bad && len(r.p) == 0 }
