package vocab

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"testing"
)

func sampleMatrix() *Matrix {
	m := NewMatrix(6)
	m.Append(Vector{Idx: []int32{0, 3}, Val: []float32{2, 1}})
	m.Append(Vector{})
	m.Append(Vector{Idx: []int32{1, 2, 5}, Val: []float32{1, 4, 7}})
	return m
}

func TestMatrixEncodingRoundTripAndDamage(t *testing.T) {
	t.Parallel()
	m := sampleMatrix()
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Matrix
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, m) {
		t.Fatalf("round trip: %+v, want %+v", got, m)
	}
	for n := 0; n < len(b); n++ {
		if err := new(Matrix).UnmarshalBinary(b[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	for i := range b {
		for bit := 0; bit < 8; bit++ {
			c := append([]byte(nil), b...)
			c[i] ^= 1 << bit
			if err := new(Matrix).UnmarshalBinary(c); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("flip of bit %d in byte %d not detected: %v", bit, i, err)
			}
		}
	}
}

// TestMatrixLegacyFormat: the count matrices of the first indexes (magic
// "DSCSR001", no version field) still load.
func TestMatrixLegacyFormat(t *testing.T) {
	t.Parallel()
	m := sampleMatrix()
	b, _ := m.MarshalBinary()
	// The same fields after the old magic, without the version.
	body := append([]byte(legacyMatrixMagic), b[len(matrixFormat.Magic)+4:len(b)-4]...)
	old := binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	var got Matrix
	if err := got.UnmarshalBinary(old); err != nil || !reflect.DeepEqual(&got, m) {
		t.Fatalf("legacy matrix: %v, %+v", err, got)
	}
}

func FuzzMatrixUnmarshal(f *testing.F) {
	b, _ := sampleMatrix().MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Matrix
		if err := m.UnmarshalBinary(data); err != nil {
			return
		}
		// A matrix that decodes is usable: every row reads within bounds.
		for i := 0; i < m.Rows(); i++ {
			idx, _ := m.Row(i)
			for _, j := range idx {
				if int(j) >= m.Cols {
					t.Fatalf("column %d >= %d", j, m.Cols)
				}
			}
		}
	})
}

func TestVectorFromCounts(t *testing.T) {
	t.Parallel()
	v := VectorFromCounts(map[int32]float32{5: 2, 1: 1, 3: 4})
	if !reflect.DeepEqual(v, Vector{Idx: []int32{1, 3, 5}, Val: []float32{1, 4, 2}}) {
		t.Errorf("got %+v", v)
	}
	if v := VectorFromCounts(nil); len(v.Idx) != 0 || v.Sum() != 0 {
		t.Errorf("empty: %+v", v)
	}
}
