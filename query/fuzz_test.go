package query

import (
	"math"
	"testing"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/vocab"
)

// tinyModel builds an untrained model over a small vocabulary.
func tinyModel(t testing.TB) *Model {
	b, err := vocab.NewBuilder(vocab.Options{Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	b.Add("apple banana cherry date elder fig grape honeydew kiwi lemon mango")
	v, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	n, err := autoencoder.New([]int{v.Len(), 5, 3, 5, v.Len()},
		[]autoencoder.Act{autoencoder.Sigmoid, autoencoder.Linear, autoencoder.Sigmoid, autoencoder.Softmax}, autoencoder.SoftmaxCE, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	n.InputLen, n.Code = 100, 1
	return &Model{Vocab: v, Net: n, Mean: []float32{0.1, 0.2, 0.3}}
}

func TestModelBlobsRoundTrip(t *testing.T) {
	m := tinyModel(t)
	blobs, err := m.Blobs()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(func(name string) ([]byte, error) { return blobs[name], nil })
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint() != m.Fingerprint() {
		t.Error("fingerprint changed in a round trip")
	}
	blobs[BlobMean] = blobs[BlobMean][:5]
	if _, err := Decode(func(name string) ([]byte, error) { return blobs[name], nil }); err == nil {
		t.Error("a truncated code mean was accepted")
	}
}

// FuzzEncode feeds arbitrary query text through analysis and the network:
// no panic, and a finite code of the model's size.
func FuzzEncode(f *testing.F) {
	m := tinyModel(f)
	for _, s := range []string{"apple banana", "", "\xff\xfe\x00", "APPLE's fig-grape kiwi", "ꙮ 🍎 lemon"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		code, n := m.Encode(text)
		if len(code) != 3 || n < 0 {
			t.Fatalf("code %v, %d words", code, n)
		}
		for _, x := range code {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("non-finite code %v for %q", code, text)
			}
		}
	})
}
