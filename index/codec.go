package index

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"strconv"
	"strings"
)

// Keys. Slots are 8-byte big-endian so that badger's key order is the
// order of Add; a slot is never reused, so removals leave holes.
const (
	prefixDoc  = "d/"
	prefixCode = "c/"
	prefixData = "x/" // the caller's per-document bytes
	prefixBits = "h/" // binary codes of every width of Meta.Bits
	prefixBlob = "b/" // blob header: size, chunk size, chunk count, CRC of the data
	prefixPart = "p/" // blob chunk: "p/<name>\x00<4-byte big-endian chunk>"
	keyMeta    = "m"

	// blobChunk is the largest piece of a blob stored under one key; it is
	// below badger's value threshold (see badgerOptions), so that every value
	// lives in the tables.
	blobChunk = 512 << 10

	// maxBlobName bounds a blob name so that keys stay small.
	maxBlobName = 256
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func slotKey(prefix string, slot uint64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], slot)
	return k
}

// keySlot returns the slot of a d/, c/ or x/ key.
func keySlot(k []byte) (uint64, bool) {
	if len(k) != 10 {
		return 0, false
	}
	return binary.BigEndian.Uint64(k[2:]), true
}

func partKey(name string, chunk int) []byte {
	k := make([]byte, 0, len(prefixPart)+len(name)+5)
	k = append(k, prefixPart...)
	k = append(k, name...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint32(k, uint32(chunk))
}

// keyString renders a key for error messages: "d/42", "c/7", "x/7",
// "b/vocab", "p/vocab#3", "m".
func keyString(k []byte) string {
	s := string(k)
	switch {
	case (strings.HasPrefix(s, prefixDoc) || strings.HasPrefix(s, prefixCode) || strings.HasPrefix(s, prefixData) || strings.HasPrefix(s, prefixBits)) && len(k) == 10:
		return s[:2] + strconv.FormatUint(binary.BigEndian.Uint64(k[2:]), 10)
	case strings.HasPrefix(s, prefixPart) && len(k) >= 7 && k[len(k)-5] == 0:
		return strconv.Quote(s[:len(s)-5]) + "#" + strconv.FormatUint(uint64(binary.BigEndian.Uint32(k[len(k)-4:])), 10)
	}
	return strconv.Quote(s)
}

// checksum is CRC32-C over key || payload, so that a value moved to another
// key is caught as well as a flipped bit.
func checksum(key, payload []byte) uint32 {
	return crc32.Update(crc32.Update(0, castagnoli, key), castagnoli, payload)
}

// appendValue appends payload || CRC32-C(key || payload) (little-endian).
func appendValue(dst, key, payload []byte) []byte {
	dst = append(dst, payload...)
	return binary.LittleEndian.AppendUint32(dst, checksum(key, payload))
}

// sealValue appends the checksum of key || buf[start:], turning the payload
// at buf[start:] into a value.
func sealValue(buf []byte, start int, key []byte) []byte {
	return binary.LittleEndian.AppendUint32(buf, checksum(key, buf[start:]))
}

// decodeValue checks the trailing checksum and returns the payload, which
// aliases v.
func decodeValue(key, v []byte) ([]byte, error) {
	if len(v) < 4 {
		return nil, fmt.Errorf("value of %d bytes is too short for a checksum", len(v))
	}
	p := v[:len(v)-4]
	want := binary.LittleEndian.Uint32(v[len(v)-4:])
	if got := checksum(key, p); got != want {
		return nil, fmt.Errorf("checksum mismatch (stored %08x, computed %08x)", want, got)
	}
	return p, nil
}

// appendDoc appends the record of d: ID, Label and Title, each as uvarint
// length then bytes, then Words, Known and Gen as uvarints and a flags byte
// (bit 0: NoCode).
func appendDoc(dst []byte, d Doc) []byte {
	for _, s := range [...]string{d.ID, d.Label, d.Title} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, uint64(d.Words))
	dst = binary.AppendUvarint(dst, uint64(d.Known))
	dst = binary.AppendUvarint(dst, d.Gen)
	var flags byte
	if d.NoCode {
		flags |= flagNoCode
	}
	return append(dst, flags)
}

const flagNoCode = 1

func docSize(d Doc) int {
	return len(d.ID) + len(d.Label) + len(d.Title) + 6*binary.MaxVarintLen64 + 1
}

// uvarint reads one minimal uvarint from p.
func uvarint(p []byte) (uint64, []byte, error) {
	n, w := binary.Uvarint(p)
	if w <= 0 || (w > 1 && p[w-1] == 0) { // overflow, truncation or non-minimal
		return 0, nil, errors.New("bad length in document record")
	}
	return n, p[w:], nil
}

func decodeDoc(p []byte) (Doc, error) {
	var f [3]string
	for i := range f {
		n, rest, err := uvarint(p)
		if err != nil {
			return Doc{}, err
		}
		p = rest
		if n > uint64(len(p)) {
			return Doc{}, fmt.Errorf("document field of %d bytes overruns the record", n)
		}
		f[i] = string(p[:n])
		p = p[n:]
	}
	var v [3]uint64
	for i := range v {
		n, rest, err := uvarint(p)
		if err != nil {
			return Doc{}, err
		}
		v[i], p = n, rest
	}
	if v[0] > math.MaxInt32 || v[1] > v[0] {
		return Doc{}, fmt.Errorf("document record: %d known of %d words", v[1], v[0])
	}
	if len(p) != 1 || p[0]&^flagNoCode != 0 {
		return Doc{}, fmt.Errorf("document record: %d bytes where one flags byte belongs", len(p))
	}
	if f[0] == "" {
		return Doc{}, errors.New("document record with an empty id")
	}
	return Doc{ID: f[0], Label: f[1], Title: f[2], Words: int(v[0]), Known: int(v[1]), Gen: v[2], NoCode: p[0]&flagNoCode != 0}, nil
}

// appendCode appends code as little-endian float32.
func appendCode(dst []byte, code []float32) []byte {
	for _, x := range code {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(x))
	}
	return dst
}

// decodeCodeTo fills dst from p, which must hold exactly len(dst) finite
// little-endian float32 values.
func decodeCodeTo(dst []float32, p []byte) error {
	if len(p) != 4*len(dst) {
		return fmt.Errorf("code of %d bytes, want %d (dim %d)", len(p), 4*len(dst), len(dst))
	}
	for i := range dst {
		x := math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("code value %d is %v", i, x)
		}
		dst[i] = x
	}
	return nil
}

// maxDim bounds Meta.Dim so that a damaged meta cannot ask for absurd memory.
const maxDim = 1 << 16

func encodeMeta(m Meta) ([]byte, error) { return json.Marshal(m) }

// decodeMeta parses and validates meta; a FormatVersion other than
// FormatVersion gives ErrVersion.
func decodeMeta(p []byte) (Meta, error) {
	var m Meta
	if err := json.Unmarshal(p, &m); err != nil {
		return Meta{}, fmt.Errorf("meta: %v", err)
	}
	if m.FormatVersion != FormatVersion {
		return Meta{}, fmt.Errorf("%w: stored index has format version %d, this build reads version %d",
			ErrVersion, m.FormatVersion, FormatVersion)
	}
	if m.Dim <= 0 || m.Dim > maxDim {
		return Meta{}, fmt.Errorf("meta: dim %d out of range [1, %d]", m.Dim, maxDim)
	}
	if m.Count < 0 || m.Count > math.MaxInt32 || uint64(m.Count) > m.NextSlot {
		return Meta{}, fmt.Errorf("meta: count %d out of range (next slot %d)", m.Count, m.NextSlot)
	}
	if m.Generation == 0 {
		return Meta{}, errors.New("meta: generation 0")
	}
	if err := checkBits(m.Bits); err != nil {
		return Meta{}, fmt.Errorf("meta: %v", err)
	}
	return m, nil
}

// MaxBits bounds the width of a binary code.
const MaxBits = 1024

// Words returns the number of 64-bit words a binary code of width bits
// takes.
func Words(bits int) int { return (bits + 63) / 64 }

// checkBits checks a list of binary code widths: each in [1, MaxBits],
// strictly ascending.
func checkBits(bits []int) error {
	for i, b := range bits {
		if b < 1 || b > MaxBits {
			return fmt.Errorf("binary code width %d out of range [1, %d]", b, MaxBits)
		}
		if i > 0 && b <= bits[i-1] {
			return fmt.Errorf("binary code widths %v are not strictly ascending", bits)
		}
	}
	return nil
}

// bitsWords is the number of words of the binary codes of one document.
func bitsWords(bits []int) int {
	n := 0
	for _, b := range bits {
		n += Words(b)
	}
	return n
}

// appendBits appends words as little-endian uint64.
func appendBits(dst []byte, words []uint64) []byte {
	for _, w := range words {
		dst = binary.LittleEndian.AppendUint64(dst, w)
	}
	return dst
}

// decodeBitsTo fills dst from p, which must hold exactly len(dst)
// little-endian words; widths says which high bits must be zero.
func decodeBitsTo(dst []uint64, p []byte, widths []int) error {
	if len(p) != 8*len(dst) {
		return fmt.Errorf("binary codes of %d bytes, want %d", len(p), 8*len(dst))
	}
	for i := range dst {
		dst[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
	off := 0
	for _, b := range widths {
		off += Words(b)
		if r := b % 64; r != 0 && dst[off-1]>>r != 0 {
			return fmt.Errorf("binary code of width %d has bits set beyond it", b)
		}
	}
	return nil
}

// blobHeader describes a blob stored as Chunks values of ChunkSize bytes
// (the last one shorter) under partKey(name, 0..Chunks-1).
type blobHeader struct {
	Size      uint64
	ChunkSize uint32
	Chunks    uint32
	CRC       uint32 // CRC32-C of the whole blob
}

const blobHeaderLen = 8 + 4 + 4 + 4

func appendBlobHeader(dst []byte, h blobHeader) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, h.Size)
	dst = binary.LittleEndian.AppendUint32(dst, h.ChunkSize)
	dst = binary.LittleEndian.AppendUint32(dst, h.Chunks)
	return binary.LittleEndian.AppendUint32(dst, h.CRC)
}

func decodeBlobHeader(p []byte) (blobHeader, error) {
	if len(p) != blobHeaderLen {
		return blobHeader{}, fmt.Errorf("blob header of %d bytes, want %d", len(p), blobHeaderLen)
	}
	h := blobHeader{
		Size:      binary.LittleEndian.Uint64(p),
		ChunkSize: binary.LittleEndian.Uint32(p[8:]),
		Chunks:    binary.LittleEndian.Uint32(p[12:]),
		CRC:       binary.LittleEndian.Uint32(p[16:]),
	}
	if h.ChunkSize == 0 || h.Size > 1<<40 {
		return blobHeader{}, fmt.Errorf("blob header: size %d, chunk size %d", h.Size, h.ChunkSize)
	}
	if want := (h.Size + uint64(h.ChunkSize) - 1) / uint64(h.ChunkSize); uint64(h.Chunks) != want {
		return blobHeader{}, fmt.Errorf("blob header: %d chunks for %d bytes in chunks of %d", h.Chunks, h.Size, h.ChunkSize)
	}
	return h, nil
}

// chunkLen is the length chunk i of a blob must have.
func (h blobHeader) chunkLen(i int) int {
	if uint64(i+1)*uint64(h.ChunkSize) <= h.Size {
		return int(h.ChunkSize)
	}
	return int(h.Size - uint64(i)*uint64(h.ChunkSize))
}

func validBlobName(name string) error {
	switch {
	case name == "":
		return errors.New("index: empty blob name")
	case len(name) > maxBlobName:
		return fmt.Errorf("index: blob name of %d bytes, at most %d allowed", len(name), maxBlobName)
	case strings.IndexByte(name, 0) >= 0:
		return fmt.Errorf("index: blob name %q contains a NUL byte", name)
	}
	return nil
}
