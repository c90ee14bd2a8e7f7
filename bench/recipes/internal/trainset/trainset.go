// Package trainset reads from an index what the recipe drivers of
// bench/recipes refit on: its training counts, the same without the
// documents that have no vocabulary word, and the counts of its indexed
// documents.
package trainset

import (
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/vocab"
)

// Read returns the training counts of eng's index (all, as the baselines
// fit them), those that have a word of the vocabulary (train, as the model
// trains on them), and the counts of its indexed documents.
func Read(eng *query.Engine) (all, train, counts *vocab.Matrix, err error) {
	all, err = query.ReadTrainCounts(eng.Index)
	if err != nil {
		return nil, nil, nil, err
	}
	counts, err = query.ReadCounts(eng.Index, eng.Model.Vocab.Len())
	if err != nil {
		return nil, nil, nil, err
	}
	var nonEmpty []int
	for i := 0; i < all.Rows(); i++ {
		if all.RowSum(i) > 0 {
			nonEmpty = append(nonEmpty, i)
		}
	}
	return all, all.Subset(nonEmpty), counts, nil
}
