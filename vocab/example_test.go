package vocab_test

import (
	"fmt"

	"github.com/docsearch/docsearch/vocab"
)

func Example() {
	b, err := vocab.NewBuilder(vocab.Options{Size: 4})
	if err != nil {
		panic(err)
	}
	for _, doc := range []string{
		"The cat's toys. Cats don't like dogs; the dog likes cats!",
		"A dog and 3 cats in 2024: cats, cats.",
	} {
		b.Add(doc)
	}
	v, err := b.Build()
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Terms, v.DF, v.Count)

	x := v.Vectorize("Dogs and cats, cats and a cat.")
	fmt.Println(x.Idx, x.Val)
	// Output:
	// [cats dog cat dogs] [2 2 1 1] [5 2 1 1]
	// [0 2 3] [2 1 1]
}
