package query

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/vocab"
)

// ErrMismatch means a model and an index (or a vocabulary and a net) were
// not built together.
var ErrMismatch = errors.New("query: model does not fit the index")

// Model maps text to codes: the vocabulary, the autoencoder and the mean
// code of the training documents, which is subtracted before cosine
// ranking (so that the cosine measures direction away from the average
// document rather than from the origin).
type Model struct {
	Vocab *vocab.Vocab
	Net   *autoencoder.Net
	Mean  []float32
	// Hash holds the models of the binary codes (semantic hashing), one
	// per width, ascending; none when the index has no binary codes. They
	// are stored in blobs of their own (BlobHashNet) and are not part of
	// the Fingerprint, nor of Blobs and Decode: DecodeHashers reads them.
	Hash []*Hasher
}

// Validate checks that the parts fit together.
func (m *Model) Validate() error {
	if m.Vocab == nil || m.Net == nil {
		return fmt.Errorf("%w: incomplete model", ErrMismatch)
	}
	if in := m.Net.Layers[0].In; in != m.Vocab.Len() {
		return fmt.Errorf("%w: the net reads %d terms, the vocabulary has %d", ErrMismatch, in, m.Vocab.Len())
	}
	if m.Net.Code < 0 {
		return fmt.Errorf("%w: the net has no code layer", ErrMismatch)
	}
	if len(m.Mean) != 0 && len(m.Mean) != m.Net.CodeSize() {
		return fmt.Errorf("%w: code mean has %d values, the code %d", ErrMismatch, len(m.Mean), m.Net.CodeSize())
	}
	return nil
}

// Dim returns the code size.
func (m *Model) Dim() int { return m.Net.CodeSize() }

// Fingerprint identifies the model: a hash of the vocabulary's fingerprint,
// the net's bytes and the mean. An index records the fingerprint of the
// model that wrote its codes.
func (m *Model) Fingerprint() string {
	h := sha256.New()
	h.Write([]byte(m.Vocab.Fingerprint()))
	nb, _ := m.Net.MarshalBinary()
	h.Write(nb)
	for _, x := range m.Mean {
		h.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(x)))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Blobs returns the model's parts, encoded for storage.
func (m *Model) Blobs() (map[string][]byte, error) {
	vb, err := m.Vocab.MarshalBinary()
	if err != nil {
		return nil, err
	}
	nb, err := m.Net.MarshalBinary()
	if err != nil {
		return nil, err
	}
	mb := make([]byte, 0, 4*len(m.Mean))
	for _, x := range m.Mean {
		mb = binary.LittleEndian.AppendUint32(mb, math.Float32bits(x))
	}
	return map[string][]byte{BlobVocab: vb, BlobNet: nb, BlobMean: mb}, nil
}

// Decode rebuilds a model from its blobs.
func Decode(blob func(name string) ([]byte, error)) (*Model, error) {
	m := &Model{Vocab: new(vocab.Vocab), Net: new(autoencoder.Net)}
	b, err := blob(BlobVocab)
	if err != nil {
		return nil, fmt.Errorf("query: reading the vocabulary: %w", err)
	}
	if err := m.Vocab.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("query: vocabulary: %w", err)
	}
	if b, err = blob(BlobNet); err != nil {
		return nil, fmt.Errorf("query: reading the model: %w", err)
	}
	if err := m.Net.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("query: model: %w", err)
	}
	if b, err = blob(BlobMean); err != nil {
		return nil, fmt.Errorf("query: reading the code mean: %w", err)
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("query: code mean: %d bytes is not a whole number of float32", len(b))
	}
	for i := 0; i < len(b); i += 4 {
		m.Mean = append(m.Mean, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
	}
	return m, m.Validate()
}

// EncodeCounts returns the centred codes of the rows of counts.
func (m *Model) EncodeCounts(counts mat.Matrix) *mat.Dense {
	codes := m.Net.Encode(counts)
	m.center(codes)
	return codes
}

func (m *Model) center(codes *mat.Dense) { Centre(codes, m.Mean) }

// Centre subtracts mean (nil: none) from every row of codes, as the index
// centres the codes of its documents and queries.
func Centre(codes *mat.Dense, mean []float32) {
	if len(mean) == 0 {
		return
	}
	for i := 0; i < codes.Rows; i++ {
		r := codes.Row(i)
		for j := range r {
			r[j] -= mean[j]
		}
	}
}

// Encode returns the centred code of one text and the number of
// vocabulary words it contains (0: the text has no known word and its
// code is that of an empty document).
func (m *Model) Encode(text string) ([]float32, int) {
	v := m.Vocab.Vectorize(text)
	code := m.Net.EncodeSparse(v.Idx, v.Val)
	for j := range code {
		if len(m.Mean) != 0 {
			code[j] -= m.Mean[j]
		}
	}
	return code, int(v.Sum())
}

// Layer returns the outputs of encoder layer l (0-based) for the rows of
// counts, centred by their own mean: the representation of the pretrained
// or fine-tuned net at that depth, for layer-by-layer evaluation.
func (m *Model) Layer(counts mat.Matrix, l int) *mat.Dense {
	out := m.Net.Activations(counts, l)
	mean := make([]float64, out.Cols)
	for i := 0; i < out.Rows; i++ {
		for j, x := range out.Row(i) {
			mean[j] += float64(x)
		}
	}
	for i := 0; i < out.Rows; i++ {
		r := out.Row(i)
		for j := range r {
			r[j] -= float32(mean[j] / float64(out.Rows))
		}
	}
	return out
}

// MeanOf returns the mean row of codes.
func MeanOf(codes *mat.Dense) []float32 {
	acc := make([]float64, codes.Cols)
	for i := 0; i < codes.Rows; i++ {
		for j, x := range codes.Row(i) {
			acc[j] += float64(x)
		}
	}
	out := make([]float32, codes.Cols)
	for j := range out {
		out[j] = float32(acc[j] / float64(max(1, codes.Rows)))
	}
	return out
}
