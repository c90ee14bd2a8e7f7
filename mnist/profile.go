package mnist

import "github.com/docsearch/docsearch/internal/enum"

// Profile names the size of an experiment: Quick fits in a few minutes on
// a 2-core machine; Paper follows the published recipes.
type Profile uint8

const (
	Quick Profile = iota + 1
	Paper
)

var profileNames = enum.Names[Profile]{Quick: "quick", Paper: "paper"}

func (p Profile) String() string { return profileNames.String("Profile", p) }

// ParseProfile returns the Profile named s: "quick" or "paper".
func ParseProfile(s string) (Profile, error) { return profileNames.Parse("profile", s) }

// Budget is how much an experiment trains.
type Budget struct {
	// TrainImages limits the training set (0: all 60,000).
	TrainImages int
	// PretrainEpochs per RBM or per greedy layer; TopEpochs for a linear
	// code layer and a DBM's joint training; FineTuneEpochs for
	// backpropagation and up-down.
	PretrainEpochs, TopEpochs, FineTuneEpochs int
}

// Budget returns the budget of p: Quick trains 3 epochs a layer and 5 of
// fine-tuning on 10,000 images; Paper 20 a layer and 50 of fine-tuning on
// all 60,000, as the papers (the Science paper's supporting material:
// 20 epochs a layer for the MNIST autoencoder).
func (p Profile) Budget() Budget {
	if p == Paper {
		return Budget{PretrainEpochs: 20, TopEpochs: 20, FineTuneEpochs: 50}
	}
	return Budget{TrainImages: 10000, PretrainEpochs: 3, TopEpochs: 3, FineTuneEpochs: 5}
}

// trainSet applies the budget's training-set limit.
func (b Budget) trainSet(s *Set) *Set {
	if b.TrainImages > 0 && b.TrainImages < s.N {
		return s.Slice(0, b.TrainImages)
	}
	return s
}
