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
	// PretrainEpochs per RBM or per greedy layer; TopEpochs for a DBN's
	// top memory, a linear code layer and a DBM's joint training;
	// FineTuneEpochs for backpropagation and up-down.
	PretrainEpochs, TopEpochs, FineTuneEpochs int
}

// PaperBudget is the Paper profile's budget: 20 epochs a layer and 50 of
// fine-tuning on all 60,000 images, as the papers (the Science paper's
// supporting material: 20 epochs a layer for the MNIST autoencoder).
var PaperBudget = Budget{PretrainEpochs: 20, TopEpochs: 20, FineTuneEpochs: 50}

// The Quick profile's budgets, one per experiment, each chosen to show its
// method working in about two minutes on a 2-core machine: every deep-net
// start and the deep belief net at most 3% test error, the DBM too, the
// autoencoder below PCA (go run ./bench/recipes/quick; README "Quick
// profiles" has the figures, on MNIST and on printed digits).
var (
	// QuickAutoencoder: 10,000 images, 3 epochs a layer, 5 of
	// fine-tuning.
	QuickAutoencoder = Budget{TrainImages: 10000, PretrainEpochs: 3, TopEpochs: 3, FineTuneEpochs: 5}
	// QuickDNN: all images, 2 epochs a greedy layer, 12 of backprop.
	QuickDNN = Budget{PretrainEpochs: 2, FineTuneEpochs: 12}
	// QuickDBN: all images, 5 epochs a layer and of the top memory, 2 of
	// up-down.
	QuickDBN = Budget{PretrainEpochs: 5, TopEpochs: 5, FineTuneEpochs: 2}
	// QuickDBM: all images, 4 epochs a layer of pretraining, 1 of joint
	// training, 12 of the classifier's backprop.
	QuickDBM = Budget{PretrainEpochs: 4, TopEpochs: 1, FineTuneEpochs: 12}
)

// Budget returns the budget of p: PaperBudget for Paper, else quick, the
// experiment's own quick budget.
func (p Profile) Budget(quick Budget) Budget {
	if p == Paper {
		return PaperBudget
	}
	return quick
}

// trainSet applies the budget's training-set limit.
func (b Budget) trainSet(s *Set) *Set {
	if b.TrainImages > 0 && b.TrainImages < s.N {
		return s.Slice(0, b.TrainImages)
	}
	return s
}
