package vocab

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// The binary format of a Vocab, all integers unsigned varints unless said:
//
//	magic    "DSVOCAB\x00"            8 bytes
//	version  uint32, little endian    formatVersion
//	options  Size, MinLength, flags byte (1: Stem, 2: KeepDigits)
//	docs     Docs
//	n        number of terms
//	n times  len(term), term bytes, DF, Count
//	crc      uint32, little endian: CRC-32C of everything before it
//
// Every version keeps the magic, the version field and the trailing CRC, so
// that a reader can tell a damaged file (ErrCorrupt) from a newer one
// (ErrVersion).
const (
	magic         = "DSVOCAB\x00"
	formatVersion = 1

	flagStem       = 1
	flagKeepDigits = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes v in the format described above.
func (v *Vocab) MarshalBinary() ([]byte, error) {
	if len(v.DF) != len(v.Terms) || len(v.Count) != len(v.Terms) {
		return nil, fmt.Errorf("vocab: marshal: %d terms but %d DF and %d Count", len(v.Terms), len(v.DF), len(v.Count))
	}
	o := v.Opts
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("vocab: marshal: %w", err)
	}
	size := len(magic) + 4 + 3*binary.MaxVarintLen64 + 4
	for _, t := range v.Terms {
		size += len(t) + 3*binary.MaxVarintLen64
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	b = appendOptions(b, o)
	b = binary.AppendUvarint(b, uint64(v.Docs))
	b = binary.AppendUvarint(b, uint64(len(v.Terms)))
	for i, t := range v.Terms {
		if v.DF[i] < 0 || v.Count[i] < 0 {
			return nil, fmt.Errorf("vocab: marshal: negative statistics for term %q", t)
		}
		b = appendString(b, t)
		b = binary.AppendUvarint(b, uint64(v.DF[i]))
		b = binary.AppendUvarint(b, uint64(v.Count[i]))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// appendOptions appends o as the options field of the format.
func appendOptions(b []byte, o Options) []byte {
	b = binary.AppendUvarint(b, uint64(o.Size))
	b = binary.AppendUvarint(b, uint64(o.MinLength))
	var flags byte
	if o.Stem {
		flags |= flagStem
	}
	if o.KeepDigits {
		flags |= flagKeepDigits
	}
	return append(b, flags)
}

// UnmarshalBinary decodes data written by MarshalBinary into v. Damaged data
// gives an error wrapping ErrCorrupt, data of another format version one
// wrapping ErrVersion; v is left unchanged then.
func (v *Vocab) UnmarshalBinary(data []byte) error {
	const minLen = len(magic) + 4 + 4
	if len(data) < minLen {
		return fmt.Errorf("%w: %d bytes, shorter than any vocabulary", ErrCorrupt, len(data))
	}
	if string(data[:len(magic)]) != magic {
		return fmt.Errorf("%w: not a vocabulary (bad magic)", ErrCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	if ver := binary.LittleEndian.Uint32(body[len(magic):]); ver != formatVersion {
		return fmt.Errorf("%w: version %d, this code reads version %d", ErrVersion, ver, formatVersion)
	}
	d := decoder{b: body[len(magic)+4:]}
	var o Options
	o.Size = d.int("Size", math.MaxInt32)
	o.MinLength = d.int("MinLength", math.MaxInt32)
	flags := d.byte()
	o.Stem, o.KeepDigits = flags&flagStem != 0, flags&flagKeepDigits != 0
	if flags&^(flagStem|flagKeepDigits) != 0 {
		d.fail(fmt.Errorf("unknown option flags %#x", flags))
	}
	docs := d.int("Docs", math.MaxInt)
	// Each term takes at least three bytes: this bounds n before allocating.
	n := d.int("number of terms", len(d.b)/3)
	if d.err != nil {
		return d.err
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if n > o.Size {
		return fmt.Errorf("%w: %d terms, more than Size %d", ErrCorrupt, n, o.Size)
	}
	terms, df, count := make([]string, n), make([]int, n), make([]int64, n)
	seen := make(map[string]struct{}, n)
	for i := range n {
		terms[i] = d.string()
		df[i] = d.int("DF", docs)
		count[i] = int64(d.int("Count", math.MaxInt))
		if d.err != nil {
			return d.err
		}
		if _, dup := seen[terms[i]]; dup {
			return fmt.Errorf("%w: term %q repeated", ErrCorrupt, terms[i])
		}
		seen[terms[i]] = struct{}{}
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d bytes after the last term", ErrCorrupt, len(d.b))
	}
	v.Terms, v.DF, v.Count, v.Docs, v.Opts = terms, df, count, docs, o
	v.st.Store(newVocabState(v, nil))
	return nil
}

// decoder reads the fields of the format, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
}

// int reads a uvarint no greater than limit.
func (d *decoder) int(field string, limit int) int {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 || n > 1 && d.b[n-1] == 0 {
		// A zero last byte pads a varint: only the shortest form is valid,
		// so that every vocabulary has one encoding.
		d.fail(fmt.Errorf("%s: truncated or overlong varint", field))
		return 0
	}
	d.b = d.b[n:]
	if x > uint64(limit) {
		d.fail(fmt.Errorf("%s %d out of range (limit %d)", field, x, limit))
		return 0
	}
	return int(x)
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.fail(errors.New("truncated options"))
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) string() string {
	n := d.int("term length", math.MaxInt)
	if d.err != nil {
		return ""
	}
	if n == 0 || n > len(d.b) {
		d.fail(fmt.Errorf("term length %d with %d bytes left", n, len(d.b)))
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
