package vocab

import (
	"errors"
	"slices"
	"testing"
)

func TestVectorBinary(t *testing.T) {
	t.Parallel()
	for _, v := range []Vector{
		{},
		{Idx: []int32{0}, Val: []float32{1}},
		{Idx: []int32{3, 4, 200, 1999}, Val: []float32{2, 1, 0.5, 7}},
	} {
		b, err := v.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeVector(b, 2000)
		if err != nil || !slices.Equal(got.Idx, v.Idx) || !slices.Equal(got.Val, v.Val) {
			t.Errorf("round trip of %v: %v, %v", v, got, err)
		}
		if _, err := DecodeVector(b, 1000); len(v.Idx) == 4 && !errors.Is(err, ErrCorrupt) {
			t.Errorf("index 1999 accepted for 1000 terms: %v", err)
		}
		for cut := range len(b) {
			if _, err := DecodeVector(b[:cut], 2000); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%v cut to %d bytes: %v", v, cut, err)
			}
		}
	}
	if _, err := (Vector{Idx: []int32{2, 2}, Val: []float32{1, 1}}).AppendBinary(nil); err == nil {
		t.Error("repeated index encoded")
	}
}

// FuzzDecodeVector: no panic, and what decodes re-encodes to the same bytes.
func FuzzDecodeVector(f *testing.F) {
	b, _ := Vector{Idx: []int32{1, 5}, Val: []float32{1, 2}}.AppendBinary(nil)
	f.Add(b)
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, p []byte) {
		v, err := DecodeVector(p, 100)
		if err != nil {
			return
		}
		q, err := v.AppendBinary(nil)
		if err != nil || !slices.Equal(p, q) {
			t.Fatalf("%x re-encodes as %x, %v", p, q, err)
		}
	})
}
