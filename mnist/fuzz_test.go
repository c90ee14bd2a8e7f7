package mnist

import (
	"bytes"
	"errors"
	"testing"
)

// The readers must turn arbitrary bytes into images or an error, never a
// panic or a huge allocation. Run with
//
//	go test -run '^$' -fuzz FuzzReadImages -fuzztime 20s ./mnist/
//
// Inputs found interesting are kept in testdata/fuzz.

func FuzzReadImages(f *testing.F) {
	good := idxBytes(MagicImages, []uint32{2, 2, 3}, seq(12, 40))
	f.Add(good)
	f.Add(gzipBytes(good))
	f.Add(good[:15])
	f.Add(idxBytes(MagicImages, []uint32{1e9, 28, 28}, nil))
	f.Add(gzipBytes(idxBytes(MagicImages, []uint32{3, 1, 1}, []byte{0, 255})))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, size := range []int64{int64(len(b)), -1} {
			x, n, rows, cols, err := decodeImages(bytes.NewReader(b), size, "fuzz")
			if err != nil {
				if x != nil || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%d pixels and error %v", len(x), err)
				}
				continue
			}
			if len(x) != n*rows*cols {
				t.Fatalf("%d pixels for %d images of %dx%d", len(x), n, rows, cols)
			}
			for _, v := range x {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("pixel %g outside [0,1]", v)
				}
			}
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	good := idxBytes(MagicLabels, []uint32{4}, []byte{0, 9, 3, 1})
	f.Add(good)
	f.Add(gzipBytes(good))
	f.Add(good[:7])
	f.Add(idxBytes(MagicLabels, []uint32{2}, []byte{1, 10}))
	f.Add(idxBytes(MagicLabels, []uint32{1e9}, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, size := range []int64{int64(len(b)), -1} {
			y, err := decodeLabels(bytes.NewReader(b), size, "fuzz")
			if err != nil {
				if y != nil || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("labels %v and error %v", y, err)
				}
				continue
			}
			for i, l := range y {
				if l > 9 {
					t.Fatalf("label %d at %d", l, i)
				}
			}
		}
	})
}
