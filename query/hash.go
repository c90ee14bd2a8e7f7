package query

import (
	"fmt"
	"slices"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/vocab"
)

// Hasher maps word counts to a binary code of Bits bits (semantic hashing,
// Salakhutdinov & Hinton 2009): the logistic code layer of Net, trained
// with noise so that its outputs lie near 0 or 1, thresholded at 0.5. It
// reads the vocabulary of the Model it belongs to.
type Hasher struct {
	Bits int
	Net  *autoencoder.Net
}

// BlobHashNet returns the name of the blob that holds the net of the
// binary codes of width bits ("hash-net-32").
func BlobHashNet(bits int) string { return fmt.Sprintf("hash-net-%d", bits) }

// Pack writes the bits of code (1 where a value exceeds 0.5) into dst, bit
// j in bit j%64 of word j/64, and returns dst; dst must have
// index.Words(len(code)) words.
func Pack(dst []uint64, code []float32) []uint64 {
	clear(dst)
	for j, x := range code {
		if x > 0.5 {
			dst[j/64] |= 1 << (j % 64)
		}
	}
	return dst
}

// EncodeCountsTo appends the binary codes of the rows of counts to dst,
// index.Words(Bits) words a row.
func (h *Hasher) EncodeCountsTo(dst []uint64, counts mat.Matrix) []uint64 {
	codes := h.Net.Encode(counts)
	w := index.Words(h.Bits)
	for i := 0; i < codes.Rows; i++ {
		n := len(dst)
		dst = append(dst, make([]uint64, w)...)
		Pack(dst[n:], codes.Row(i))
	}
	return dst
}

// EncodeVector returns the binary code of one document's counts.
func (h *Hasher) EncodeVector(v vocab.Vector) []uint64 {
	return Pack(make([]uint64, index.Words(h.Bits)), h.Net.EncodeSparse(v.Idx, v.Val))
}

// DecodeHashers rebuilds the hashers of the widths bits from their blobs
// and checks that each reads terms terms and makes codes of its width.
func DecodeHashers(blob func(name string) ([]byte, error), bits []int, terms int) ([]*Hasher, error) {
	var hs []*Hasher
	for _, b := range bits {
		data, err := blob(BlobHashNet(b))
		if err != nil {
			return nil, fmt.Errorf("query: reading the %d-bit hashing model: %w", b, err)
		}
		h := &Hasher{Bits: b, Net: new(autoencoder.Net)}
		if err := h.Net.UnmarshalBinary(data); err != nil {
			return nil, fmt.Errorf("query: %d-bit hashing model: %w", b, err)
		}
		if h.Net.Code < 0 || h.Net.CodeSize() != b || h.Net.Layers[0].In != terms {
			return nil, fmt.Errorf("%w: the %d-bit hashing model makes %d bits from %d terms (vocabulary %d)",
				ErrMismatch, b, h.Net.CodeSize(), h.Net.Layers[0].In, terms)
		}
		hs = append(hs, h)
	}
	return hs, nil
}

// hasher returns the hasher of width bits (nil if none).
func (m *Model) hasher(bits int) *Hasher {
	i := slices.IndexFunc(m.Hash, func(h *Hasher) bool { return h.Bits == bits })
	if i < 0 {
		return nil
	}
	return m.Hash[i]
}

// EncodeBits returns the concatenated binary codes of every hasher of m
// for the rows of counts: Entry.Bits of each row, row after row.
func (m *Model) EncodeBits(counts mat.Matrix) [][]uint64 {
	n, _ := counts.Dims()
	out := make([][]uint64, n)
	for _, h := range m.Hash {
		codes := h.EncodeCountsTo(nil, counts)
		w := index.Words(h.Bits)
		for i := range out {
			out[i] = append(out[i], codes[i*w:(i+1)*w]...)
		}
	}
	return out
}
