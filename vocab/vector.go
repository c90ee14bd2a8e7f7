package vocab

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/docsearch/docsearch/internal/par"
)

// VectorizeAllWords is VectorizeAll that also returns each text's number
// of word tokens (see VectorizeWords).
func (v *Vocab) VectorizeAllWords(texts []string) (*Matrix, []int) {
	rows := make([]Vector, len(texts))
	words := make([]int, len(texts))
	par.For(len(texts), 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			rows[i], words[i] = v.VectorizeWords(texts[i])
		}
	})
	m := NewMatrix(v.Len())
	nnz := 0
	for _, r := range rows {
		nnz += len(r.Idx)
	}
	m.Indptr = slices.Grow(m.Indptr, len(rows))
	m.Idx = make([]int32, 0, nnz)
	m.Val = make([]float32, 0, nnz)
	for _, r := range rows {
		m.Append(r)
	}
	return m, words
}

// AppendBinary appends the compact encoding of v: the number of entries as
// a uvarint, then per entry the index as a uvarint difference from the
// previous one and the value as a little-endian float32. Indices must be
// strictly increasing and non-negative.
func (v Vector) AppendBinary(dst []byte) ([]byte, error) {
	if len(v.Idx) != len(v.Val) {
		return nil, fmt.Errorf("vocab: vector with %d indices and %d values", len(v.Idx), len(v.Val))
	}
	dst = binary.AppendUvarint(dst, uint64(len(v.Idx)))
	prev := int32(-1)
	for k, j := range v.Idx {
		if j <= prev {
			return nil, fmt.Errorf("vocab: vector indices not increasing at entry %d (%d after %d)", k, j, prev)
		}
		dst = binary.AppendUvarint(dst, uint64(j-prev-1))
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v.Val[k]))
		prev = j
	}
	return dst, nil
}

// DecodeVector decodes what AppendBinary wrote for a vocabulary of cols
// terms. It returns an error matching ErrCorrupt for anything else (a
// uvarint that is not minimal included, so that every accepted input has
// one encoding).
func DecodeVector(p []byte, cols int) (Vector, error) {
	n, w := binary.Uvarint(p)
	if w <= 0 || (w > 1 && p[w-1] == 0) || n > uint64(len(p)) {
		return Vector{}, fmt.Errorf("%w: vector length", ErrCorrupt)
	}
	p = p[w:]
	v := Vector{Idx: make([]int32, 0, n), Val: make([]float32, 0, n)}
	prev := int64(-1)
	for k := uint64(0); k < n; k++ {
		d, w := binary.Uvarint(p)
		if w <= 0 || (w > 1 && p[w-1] == 0) || len(p) < w+4 {
			return Vector{}, fmt.Errorf("%w: vector entry %d truncated", ErrCorrupt, k)
		}
		j := prev + 1 + int64(d)
		if d > uint64(cols) || j >= int64(cols) {
			return Vector{}, fmt.Errorf("%w: vector index %d outside a vocabulary of %d terms", ErrCorrupt, j, cols)
		}
		x := math.Float32frombits(binary.LittleEndian.Uint32(p[w:]))
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) || x < 0 {
			return Vector{}, fmt.Errorf("%w: vector value %v", ErrCorrupt, x)
		}
		v.Idx = append(v.Idx, int32(j))
		v.Val = append(v.Val, x)
		prev = j
		p = p[w+4:]
	}
	if len(p) != 0 {
		return Vector{}, fmt.Errorf("%w: %d stray bytes after a vector", ErrCorrupt, len(p))
	}
	return v, nil
}
