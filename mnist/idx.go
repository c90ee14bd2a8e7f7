package mnist

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
)

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned byte)
// and the number of dimensions.
const (
	MagicImages = 0x00000803 // IDX3: n × rows × cols bytes
	MagicLabels = 0x00000801 // IDX1: n bytes
)

// ErrCorrupt is matched (errors.Is) by every error about a malformed IDX
// file: wrong magic, truncated or trailing data, absurd header sizes, bad
// gzip data, labels above 9, images and labels of different counts.
var ErrCorrupt = errors.New("mnist: corrupt IDX file")

// CorruptError reports a malformed IDX file. It matches ErrCorrupt.
type CorruptError struct {
	Path   string // the file
	Reason string // what is wrong with it
	Err    error  // underlying error (e.g. from compress/gzip), or nil
}

func (e *CorruptError) Error() string {
	s := "mnist: " + e.Path + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *CorruptError) Unwrap() error { return e.Err }

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

func corrupt(path, format string, args ...any) error {
	return &CorruptError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// maxDeflateRatio bounds the expansion of deflate (RFC 1951): at best a
// 258-byte match costs 2 bits, so one compressed byte yields at most 1032.
const maxDeflateRatio = 1032

// pixel maps a byte to its value in [0,1].
var pixel = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// ReadImages reads an IDX3 image file (magic 0x00000803), plain or gzipped
// (recognised by its magic bytes 1f 8b, whatever the name), and returns its
// n images of rows×cols pixels row-major with pixels scaled to [0,1].
func ReadImages(path string) (images []float32, n, rows, cols int, err error) {
	f, size, err := open(path)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	defer f.Close()
	return decodeImages(f, size, path)
}

// ReadLabels reads an IDX1 label file (magic 0x00000801), plain or gzipped.
// A label above 9 is an error naming the file and the index.
func ReadLabels(path string) ([]uint8, error) {
	f, size, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeLabels(f, size, path)
}

func open(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("mnist: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("mnist: %w", err)
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		size = -1
	}
	return f, size, nil
}

// decodeImages parses an IDX3 stream of size bytes (-1 if unknown).
func decodeImages(r io.Reader, size int64, path string) (images []float32, n, rows, cols int, err error) {
	x, err := openIDX(r, size, path, MagicImages, 3)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	n, rows, cols = x.dims[0], x.dims[1], x.dims[2]
	if n > 0 && (rows == 0 || cols == 0) {
		return nil, 0, 0, 0, corrupt(path, "header claims %s: images have no pixels", x.what())
	}
	images = make([]float32, 0, x.initialCap())
	err = x.read(func(b []byte) error {
		for _, v := range b {
			images = append(images, pixel[v])
		}
		return nil
	})
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return images, n, rows, cols, nil
}

// decodeLabels parses an IDX1 stream of size bytes (-1 if unknown).
func decodeLabels(r io.Reader, size int64, path string) ([]uint8, error) {
	x, err := openIDX(r, size, path, MagicLabels, 1)
	if err != nil {
		return nil, err
	}
	labels := make([]uint8, 0, x.initialCap())
	err = x.read(func(b []byte) error {
		for _, v := range b {
			if v > 9 {
				return corrupt(path, "label %d at index %d is not a digit 0-9", v, len(labels))
			}
			labels = append(labels, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return labels, nil
}

// idx is an IDX stream whose header has been read and checked.
type idx struct {
	path  string
	src   io.Reader // positioned at the first data byte
	gz    bool
	size  int64 // file size in bytes, -1 if unknown
	dims  []int
	bytes int64 // data bytes the header claims: the product of dims
}

func (x *idx) what() string {
	if len(x.dims) == 3 {
		return fmt.Sprintf("%d images of %dx%d (%d bytes of pixels)", x.dims[0], x.dims[1], x.dims[2], x.bytes)
	}
	return fmt.Sprintf("%d labels", x.dims[0])
}

// initialCap is how many elements to allocate before reading. Plain files
// were checked to hold x.bytes; a gzip stream may still fall short, so it
// only gets a guess proportional to its size and grows as data arrives.
func (x *idx) initialCap() int64 {
	c := x.bytes
	switch {
	case x.gz && x.size >= 0:
		c = min(c, 8*x.size)
	case x.size < 0:
		c = min(c, 1<<16)
	}
	return c
}

// openIDX detects gzip, reads the header and checks the magic and the
// claimed sizes against the file size.
func openIDX(r io.Reader, size int64, path string, magic uint32, ndims int) (*idx, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	x := &idx{path: path, src: br, size: size}
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, x.readErr(err, "truncated gzip header")
		}
		x.src, x.gz = zr, true
	}
	hdr := make([]byte, 4+4*ndims)
	if _, err := io.ReadFull(x.src, hdr[:4]); err != nil {
		return nil, x.readErr(err, "truncated: file ends inside the header")
	}
	if m := binary.BigEndian.Uint32(hdr); m != magic {
		return nil, corrupt(path, "wrong magic number 0x%08x, want 0x%08x (%s)%s", m, magic, kind(magic), guess(m))
	}
	if _, err := io.ReadFull(x.src, hdr[4:]); err != nil {
		return nil, x.readErr(err, "truncated: file ends inside the header")
	}
	var prod uint64 = 1
	for i := range ndims {
		d := binary.BigEndian.Uint32(hdr[4+4*i:])
		x.dims = append(x.dims, int(d))
		hi, lo := bits.Mul64(prod, uint64(d))
		if hi != 0 {
			lo = math.MaxUint64
		}
		prod = lo
	}
	if prod > math.MaxInt64/8 {
		return nil, corrupt(path, "absurd header: dimensions %v", x.dims)
	}
	x.bytes = int64(prod)
	switch {
	case size < 0:
	case !x.gz:
		avail := size - int64(len(hdr))
		if x.bytes > avail {
			return nil, corrupt(path, "truncated: header claims %s but only %d bytes follow the header", x.what(), avail)
		}
		if x.bytes < avail {
			return nil, corrupt(path, "%d bytes of trailing data after %s", avail-x.bytes, x.what())
		}
	default:
		if limit := maxDeflateRatio * size; x.bytes > limit {
			return nil, corrupt(path, "absurd header: claims %s but a %d-byte gzip file holds at most %d bytes", x.what(), size, limit)
		}
	}
	return x, nil
}

// read passes the x.bytes data bytes to fn in chunks, then checks that the
// stream ends there (which also verifies a gzip checksum).
func (x *idx) read(fn func([]byte) error) error {
	buf := make([]byte, min(x.bytes, 1<<16))
	var done int64
	for done < x.bytes {
		n, err := io.ReadFull(x.src, buf[:min(x.bytes-done, int64(len(buf)))])
		done += int64(n)
		if ferr := fn(buf[:n]); ferr != nil {
			return ferr
		}
		if err != nil {
			return x.readErr(err, fmt.Sprintf("truncated: header claims %s but the data ends after %d bytes", x.what(), done))
		}
	}
	var one [1]byte
	switch n, err := io.ReadFull(x.src, one[:]); {
	case n > 0:
		return corrupt(x.path, "trailing data after %s", x.what())
	case err != io.EOF:
		return x.readErr(err, "truncated after the data")
	}
	return nil
}

// readErr classifies an error met while reading: the end of the data or
// bad gzip data make a CorruptError saying reason, anything else is an I/O
// error.
func (x *idx) readErr(err error, reason string) error {
	var fe flate.CorruptInputError
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if x.gz {
			return &CorruptError{Path: x.path, Reason: reason, Err: errors.New("gzip stream ends early")}
		}
		return corrupt(x.path, "%s", reason)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &fe):
		return &CorruptError{Path: x.path, Reason: "bad gzip data", Err: err}
	}
	return fmt.Errorf("mnist: reading %s: %w", x.path, err)
}

func kind(magic uint32) string {
	switch magic {
	case MagicImages:
		return "IDX3 images"
	case MagicLabels:
		return "IDX1 labels"
	}
	return "unknown"
}

// guess names a known magic found in the wrong place.
func guess(m uint32) string {
	switch m {
	case MagicImages, MagicLabels:
		return "; this is an " + kind(m) + " file"
	}
	return ""
}
