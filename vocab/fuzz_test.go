package vocab

import (
	"sync"
	"testing"
)

// fuzzVocabs are vocabularies over the known documents and some 20
// Newsgroups posts, one per kind of analysis.
var fuzzVocabs = sync.OnceValues(func() ([]*Vocab, error) {
	docs := append(syntheticDocs(20), knownDocs...)
	docs = append(docs, tokenizeCases...)
	var vs []*Vocab
	for _, o := range []Options{{Size: 500}, {Stem: true}, {KeepDigits: true, MinLength: 1}} {
		b, err := NewBuilder(o)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			b.Add(d)
		}
		v, err := b.Build()
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
})

func FuzzVectorize(f *testing.F) {
	for _, d := range knownDocs {
		f.Add(d)
	}
	for _, d := range tokenizeCases {
		f.Add(d)
	}
	vs, err := fuzzVocabs()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, v := range vs {
			vec := v.Vectorize(text)
			if len(vec.Idx) != len(vec.Val) {
				t.Fatalf("%d indices, %d values", len(vec.Idx), len(vec.Val))
			}
			for k, j := range vec.Idx {
				if j < 0 || int(j) >= v.Len() || k > 0 && j <= vec.Idx[k-1] {
					t.Fatalf("indices %v not strictly increasing below %d", vec.Idx, v.Len())
				}
				if x := vec.Val[k]; x < 1 || x != float32(int(x)) {
					t.Fatalf("value %v is not a positive integer", x)
				}
			}
			checkVector(t, v, text)
		}
	})
}
