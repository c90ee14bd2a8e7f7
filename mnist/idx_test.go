package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxBytes encodes an IDX file: magic, big-endian dimensions, data.
func idxBytes(magic uint32, dims []uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// seq returns n bytes i*step mod 256.
func seq(n, step int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * step)
	}
	return b
}

func TestReadRoundTrip(t *testing.T) {
	t.Parallel()
	const n, rows, cols = 5, 3, 4
	pix := seq(n*rows*cols, 7)
	lab := []byte{3, 0, 9, 1, 7}
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		ib := idxBytes(MagicImages, []uint32{n, rows, cols}, pix)
		lb := idxBytes(MagicLabels, []uint32{n}, lab)
		if gz {
			ib, lb = gzipBytes(ib), gzipBytes(lb)
		}
		// Names without .gz: gzip is recognised by its magic bytes.
		ip := writeFile(t, dir, "images", ib)
		lp := writeFile(t, dir, "labels", lb)

		x, gn, gr, gc, err := ReadImages(ip)
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if gn != n || gr != rows || gc != cols || len(x) != len(pix) {
			t.Fatalf("gz=%v: got %d images of %dx%d, %d pixels", gz, gn, gr, gc, len(x))
		}
		for i, b := range pix {
			if x[i] != float32(b)/255 {
				t.Fatalf("gz=%v: pixel %d = %g, want %d/255", gz, i, x[i], b)
			}
		}
		y, err := ReadLabels(lp)
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if !bytes.Equal(y, lab) {
			t.Fatalf("gz=%v: labels %v, want %v", gz, y, lab)
		}
	}
}

func TestLoadSynthetic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Train files plain, test files gzipped; a decoy .gz next to a plain
	// file must lose to it.
	writeFile(t, dir, TrainImagesFile, idxBytes(MagicImages, []uint32{3, 2, 2}, seq(12, 20)))
	writeFile(t, dir, TrainImagesFile+".gz", []byte("not gzip"))
	writeFile(t, dir, TrainLabelsFile, idxBytes(MagicLabels, []uint32{3}, []byte{1, 2, 3}))
	writeFile(t, dir, TestImagesFile+".gz", gzipBytes(idxBytes(MagicImages, []uint32{2, 2, 2}, seq(8, 30))))
	writeFile(t, dir, TestLabelsFile+".gz", gzipBytes(idxBytes(MagicLabels, []uint32{2}, []byte{9, 0})))
	train, test, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 3 || train.Rows != 2 || train.Cols != 2 || test.N != 2 {
		t.Fatalf("train %d of %dx%d, test %d", train.N, train.Rows, train.Cols, test.N)
	}
	if got, want := test.Image(1)[3], float32(byte(7*30))/255; got != want {
		t.Errorf("test image 1 pixel 3 = %g, want %g", got, want)
	}
	if test.Labels[0] != 9 || train.Labels[2] != 3 {
		t.Errorf("labels %v %v", train.Labels, test.Labels)
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	goodImages := idxBytes(MagicImages, []uint32{2, 3, 3}, seq(18, 1))
	gzImages := gzipBytes(goodImages)
	badCRC := bytes.Clone(gzImages)
	badCRC[len(badCRC)-6] ^= 0xff // CRC-32 is the trailer's first 4 bytes
	cases := []struct {
		name   string
		labels bool // read with ReadLabels, else ReadImages
		data   []byte
		want   string // in the message, besides the path
	}{
		{"empty", false, nil, "truncated"},
		{"short magic", false, []byte{0, 0, 8}, "truncated"},
		{"short header", false, goodImages[:10], "truncated"},
		{"short pixels", false, goodImages[:len(goodImages)-1], "truncated"},
		{"trailing", false, append(bytes.Clone(goodImages), 0), "trailing"},
		{"labels as images", false, idxBytes(MagicLabels, []uint32{2}, []byte{1, 2}), "wrong magic number 0x00000801"},
		{"images as labels", true, goodImages, "wrong magic number 0x00000803"},
		{"garbage magic", false, []byte("PK\x03\x04 a zip file, not IDX"), "wrong magic"},
		{"billion images", false, idxBytes(MagicImages, []uint32{1e9, 28, 28}, seq(784, 1)), "1000000000 images of 28x28"},
		{"overflowing dims", false, idxBytes(MagicImages, []uint32{1<<32 - 1, 1<<32 - 1, 1<<32 - 1}, nil), "absurd"},
		{"zero rows", false, idxBytes(MagicImages, []uint32{5, 0, 28}, nil), "no pixels"},
		{"billion images gz", false, gzipBytes(idxBytes(MagicImages, []uint32{1e9, 28, 28}, seq(784, 1))), "absurd"},
		{"billion labels", true, idxBytes(MagicLabels, []uint32{1e9}, []byte{1}), "1000000000 labels"},
		{"short gz", false, gzImages[:len(gzImages)/2], "truncated"},
		{"gz without trailer", false, gzImages[:len(gzImages)-8], "truncated"},
		{"gz bad crc", false, badCRC, "checksum"},
		{"gz bad header", false, []byte{0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0}, "gzip"},
		{"label 10", true, idxBytes(MagicLabels, []uint32{4}, []byte{0, 9, 10, 3}), "label 10 at index 2"},
		{"label 255 gz", true, gzipBytes(idxBytes(MagicLabels, []uint32{2}, []byte{1, 255})), "label 255 at index 1"},
	}
	dir := t.TempDir()
	for i, c := range cases {
		path := writeFile(t, dir, "f"+string(rune('a'+i)), c.data)
		var err error
		if c.labels {
			_, err = ReadLabels(path)
		} else {
			_, _, _, _, err = ReadImages(path)
		}
		t.Logf("%s: %v", c.name, err)
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case !errors.Is(err, ErrCorrupt):
			t.Errorf("%s: %v does not match ErrCorrupt", c.name, err)
		case !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: error %q should name %s and say %q", c.name, err, path, c.want)
		}
	}
}

func TestReadMissing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nothing")
	_, _, _, _, err := ReadImages(path)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadImages(missing) = %v", err)
	}
	if _, _, err := Load(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), TrainImagesFile) {
		t.Errorf("Load(empty dir) = %v", err)
	}
}

func TestLoadCountMismatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, TrainImagesFile, idxBytes(MagicImages, []uint32{3, 2, 2}, seq(12, 1)))
	lp := writeFile(t, dir, TrainLabelsFile+".gz", gzipBytes(idxBytes(MagicLabels, []uint32{2}, []byte{1, 2})))
	_, _, err := Load(dir)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), lp) || !strings.Contains(err.Error(), "2 labels but") {
		t.Errorf("Load with 3 images and 2 labels: %v", err)
	}
}

// TestWriteRoundTrip: Write then Load gives back every pixel and label, a
// held-out part of a set written as its test files.
func TestWriteRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, TrainImagesFile, idxBytes(MagicImages, []uint32{5, 2, 3}, seq(30, 8)))
	writeFile(t, dir, TrainLabelsFile, idxBytes(MagicLabels, []uint32{5}, []byte{4, 0, 9, 1, 7}))
	writeFile(t, dir, TestImagesFile, idxBytes(MagicImages, []uint32{1, 2, 3}, seq(6, 1)))
	writeFile(t, dir, TestLabelsFile, idxBytes(MagicLabels, []uint32{1}, []byte{2}))
	all, _, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "split")
	if err := Write(out, all.Slice(0, 3), all.Slice(3, 5)); err != nil {
		t.Fatal(err)
	}
	train, held, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 3 || held.N != 2 || held.Rows != 2 || held.Cols != 3 {
		t.Fatalf("train %d, held out %d of %dx%d", train.N, held.N, held.Rows, held.Cols)
	}
	if !slices.Equal(train.Images, all.Images[:18]) || !slices.Equal(held.Images, all.Images[18:]) ||
		!slices.Equal(held.Labels, []uint8{1, 7}) || !slices.Equal(train.Labels, []uint8{4, 0, 9}) {
		t.Error("the written parts differ from the set")
	}
}
