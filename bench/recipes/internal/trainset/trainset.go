// Package trainset opens an index for the recipe drivers of bench/recipes
// and reads what they refit on: its labels, how its model was trained,
// its training counts (all of them, and those with a vocabulary word) and
// the counts of its indexed documents.
package trainset

import (
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/vocab"
)

// Set is an opened index and what the drivers read from it.
type Set struct {
	Eng    *query.Engine
	Labels []string        // the label of every indexed document
	Info   query.TrainInfo // how the index's model was trained
	// All are the training counts, as the baselines fit them; Train
	// those with a word of the vocabulary, as the model trained on them;
	// Counts those of the indexed documents.
	All, Train, Counts *vocab.Matrix
}

// Open opens the index in dir and reads its Set. Close the Engine after.
func Open(dir string) (*Set, error) {
	eng, err := query.Open(dir)
	if err != nil {
		return nil, err
	}
	s, err := read(eng)
	if err != nil {
		eng.Close()
		return nil, err
	}
	return s, nil
}

func read(eng *query.Engine) (*Set, error) {
	ix := eng.Index
	s := &Set{Eng: eng, Labels: make([]string, ix.Len())}
	for i := range s.Labels {
		s.Labels[i] = ix.Doc(i).Label
	}
	var err error
	if s.Info, err = query.ReadTrainInfo(ix.Blob); err != nil {
		return nil, err
	}
	if s.All, err = query.ReadTrainCounts(ix); err != nil {
		return nil, err
	}
	if s.Counts, err = query.ReadCounts(ix, eng.Model.Vocab.Len()); err != nil {
		return nil, err
	}
	var nonEmpty []int
	for i := 0; i < s.All.Rows(); i++ {
		if s.All.RowSum(i) > 0 {
			nonEmpty = append(nonEmpty, i)
		}
	}
	s.Train = s.All.Subset(nonEmpty)
	return s, nil
}
