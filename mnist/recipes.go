package mnist

import (
	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/dbm"
	"github.com/docsearch/docsearch/rbmstack/dbn"
	"github.com/docsearch/docsearch/rbmstack/rbm"
)

// The recipes of the experiments. Epochs and seeds are set by each run
// from its Budget and Seed; every other setting is here, with where it
// comes from. RECIPES.md records what was measured with them.
var (
	// RBMPixels trains the binary RBMs over pixel intensities of the
	// autoencoder, the deep belief net and the deep net's RBM start: rate
	// 0.1, initial weights N(0, 0.1^2), CD-1 with the rbm package's
	// momentum and weight decay (Hinton & Salakhutdinov 2006, supporting
	// material; RECIPES.md "MNIST").
	RBMPixels = rbm.Config{Schedule: rbmstack.Schedule{LR: 0.1}, InitStd: 0.1}
	// LinearCode trains the autoencoder's 30 linear code units at rate
	// 0.001 (Science 2006, supporting material).
	LinearCode = rbm.Config{Schedule: rbmstack.Schedule{LR: 0.001}, InitStd: 0.1}
	// AutoencoderFineTune fine-tunes the unrolled autoencoder with Adam at
	// 1e-3 on the logistic cross-entropy, keeping the epoch of lowest loss
	// on a held-out tenth (RECIPES.md: 2.83 after 50 epochs in PyTorch;
	// docsearch 2.80 with early stopping). The paper used conjugate
	// gradients (Method CG).
	AutoencoderFineTune = autoencoder.Config{Method: autoencoder.Adam, Schedule: rbmstack.Schedule{LR: 1e-3}, Holdout: 0.1, Patience: 5}
	// TopMemory trains the deep belief net's top associative memory of
	// 2000 units with CD-3 (Hinton, Osindero & Teh 2006, section 6).
	TopMemory = rbm.Config{Schedule: rbmstack.Schedule{LR: 0.1}, InitStd: 0.1, CDk: 3}
	// UpDown fine-tunes the deep belief net at a constant rate of 0.01
	// with the paper's Gibbs schedule in the top memory: 3 steps for the
	// first third of the epochs, 6 for the second, 10 for the last (it
	// took 0.09 points off the test error against CD-3 throughout, README).
	UpDown = dbn.UpDownConfig{Schedule: rbmstack.Schedule{LR: 0.01}, CDkSchedule: []int{3, 6, 10}}
	// Backprop fine-tunes every deep classifier (deep nets, the DBM's):
	// SGD at 0.1 with momentum 0.9 on a cosine schedule, minibatches of
	// 100, the epoch of lowest held-out loss on a tenth of the images kept
	// (RECIPES.md: 1.31-1.34% for the pretrained net).
	Backprop = autoencoder.Config{Method: autoencoder.SGD, Schedule: rbmstack.Schedule{LR: 0.1, BatchSize: 100}, Holdout: 0.1}
	// BackpropCG is the Science paper's fine-tuning of its MNIST
	// classifier (Hinton & Salakhutdinov 2006, backpropclassify.m):
	// conjugate gradients with 3 line searches on minibatches of 1000, the
	// first 6 epochs on the output layer alone; held-out tenth and early
	// stopping as Backprop. Not tuned here.
	BackpropCG = autoencoder.Config{Method: autoencoder.CG, Schedule: rbmstack.Schedule{BatchSize: 1000}, LineSearches: 3, TopFirstEpochs: 6, Holdout: 0.1}
	// GreedyLayer trains the deep net's greedy autoencoder and supervised
	// layers by SGD on minibatches of 100 (Bengio et al. 2007); the rate is
	// DNNOptions.PretrainLR.
	GreedyLayer = autoencoder.Config{Method: autoencoder.SGD, Schedule: rbmstack.Schedule{BatchSize: 100}}
	// DBMPretrain trains the deep Boltzmann machine's modified RBMs: rate
	// 0.05, initial weights N(0, 0.01^2) and weight decay 1e-3, five times
	// the rbm default, which kept all 1000 top units alive (with 2e-4, 151
	// never turned on: 20,000 images, 20 epochs, bench/recipes/dbm).
	DBMPretrain = rbm.Config{Schedule: rbmstack.Schedule{LR: 0.05, WeightDecay: 1e-3}, InitStd: 0.01}
	// DBMJoint trains the DBM jointly at 0.01 decaying linearly to zero,
	// momentum 0.5 throughout: on 20,000 images and 10 epochs momentum 0.9
	// set the persistent chains oscillating (-122 nats) and 0.5 gave -105
	// at 0.005 and -101.5 at 0.01 (bench/recipes/dbm). The paper starts at
	// 0.005 (Salakhutdinov & Hinton 2009, section 4).
	DBMJoint = dbm.Config{Schedule: rbmstack.Schedule{LR: 0.01, Momentum: 0.5, InitialMomentum: 0.5}}
)

// rbmLayer returns recipe r for a run of epochs epochs drawn with seed.
// The momentum rises from its initial value after the first quarter of
// the epochs, at most five and at least one: the rbm default of five
// initial epochs is the quarter of the papers' 20 (so the Paper profile
// is unchanged), and a short run would otherwise never leave momentum 0.5.
func rbmLayer(r rbm.Config, epochs int, seed uint64) rbm.Config {
	r.Epochs, r.Seed = epochs, seed
	if r.InitialEpochs == 0 {
		r.InitialEpochs = min(5, max(1, epochs/4))
	}
	return r
}

// backprop returns recipe r for a run of epochs epochs drawn with seed.
func backprop(r autoencoder.Config, epochs int, seed uint64) autoencoder.Config {
	r.Epochs, r.Seed = epochs, seed
	r.TopFirstEpochs = min(r.TopFirstEpochs, epochs) // a run shorter than the recipe's top-first phase
	return r
}
