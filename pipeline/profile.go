package pipeline

import (
	"fmt"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
)

// Profile names a training recipe.
type Profile string

const (
	// Paper is the Science paper's architecture with the recipe of
	// RECIPES.md.
	Paper Profile = "paper"
	// Quick trains a few epochs, for smoke tests and first looks.
	Quick Profile = "quick"
)

// FineTuning is how the unrolled autoencoder is fine-tuned.
type FineTuning string

const (
	FineTuneAdam FineTuning = "adam" // Adam, the FineTune recipe
	FineTuneCG   FineTuning = "cg"   // the Science paper's conjugate gradients
	FineTuneNone FineTuning = "none" // the pretrained stack's codes
)

// The document recipes (RECIPES.md, "A first-layer recipe that works" and
// "Upper layers", measured on 20 Newsgroups). Epochs and seeds are set by
// RecipeFor from the profile and the seed.
var (
	// DocLen is the length every document is rescaled to before the
	// replicated-softmax layer, in training and encoding alike: with raw
	// counts (1 to 12,186 words) the hidden biases run away and the codes
	// retrieve at chance.
	DocLen float32 = 100
	// SoftmaxLayer is the replicated-softmax bottom layer: rate 1 for W
	// and the visible biases but 0.01 for the hidden biases (they enter
	// multiplied by DocLen), CD-3 with sampled reconstructions, initial
	// weights N(0, 0.05^2). Its 500 hidden units alone retrieve at 0.50
	// (precision at recall 0.1), like LSA-50.
	SoftmaxLayer = rbm.Config{Schedule: rbmstack.Schedule{LR: 1}, LRHidBias: 0.01, CDk: 3, SampleVisible: true, InitStd: 0.05}
	// BinaryLayer is a middle layer: binary RBM at rate 0.1, initial
	// weights N(0, 0.1^2), CD-1, trained on binary states sampled from
	// the layer below for every minibatch, which beat its probabilities.
	BinaryLayer = rbm.Config{Schedule: rbmstack.Schedule{LR: 0.1}, InitStd: 0.1, SampleInput: true}
	// CodeLayer is the linear code layer above the others, at rate 0.005.
	CodeLayer = rbm.Config{Schedule: rbmstack.Schedule{LR: 0.005}, InitStd: 0.1, SampleInput: true}
	// SoftmaxCodeLayer is a code layer straight above the words (a stack
	// of one layer): the softmax recipe at rate 0.05, 0.0005 for the
	// hidden biases.
	SoftmaxCodeLayer = rbm.Config{Schedule: rbmstack.Schedule{LR: 0.05}, LRHidBias: 0.0005, CDk: 3, SampleVisible: true, InitStd: 0.05}
	// FineTune fine-tunes the unrolled autoencoder with Adam at 1e-4 on
	// the softmax cross-entropy against word proportions, keeping the epoch
	// of lowest loss on a held-out tenth of the training documents (it
	// moved a good stack by about +-0.01; past early stopping retrieval
	// drops).
	FineTune = autoencoder.Config{Method: autoencoder.Adam, Schedule: rbmstack.Schedule{LR: 1e-4}, Holdout: 0.1, Patience: 3}
	// PaperInput is the paper profile's weighting of the counts: log(1+tf)
	// x idf, the weighting of full-strength LSA, before the stack and the
	// net; with Options.Input InputAuto (the default) the first candidate,
	// kept on a tie and when the training corpus has too few labels to
	// choose. PaperCodeNoise is the standard deviation of the Gaussian noise
	// added to the code layer's input in the paper profile's fine-tuning,
	// drawn anew every epoch (autoencoder.Config.FreshNoise). Both chosen
	// on held-out training posts of 20 Newsgroups (RECIPES.md, "Better
	// 10-D codes"; bench/recipes/codes): precision at recall 0.1 of the
	// fine-tuned 10-D codes 0.428 with counts and no noise, 0.454 with
	// noise 4 drawn once, 0.464 drawn every epoch, 0.461 with log-idf and
	// no noise, 0.504 with both (LSA-10 0.403, LSA-50 0.536); noise 2 or
	// 8 did worse, 60 epochs no better.
	PaperInput             = InputLogIDF
	PaperCodeNoise float32 = 4
)

// profileEpochs are the epochs of the layers below the code, of the code
// layer and of fine-tuning: "paper" as RECIPES.md (60 epochs or a
// decaying rate gave nothing more; the top layer 50), "quick" a few.
var profileEpochs = map[Profile][3]int{Paper: {30, 50, 30}, Quick: {4, 8, 3}}

// Recipe is a complete training recipe.
type Recipe struct {
	// Input is the weighting of the counts (empty: InputCounts).
	Input    Input
	Stack    stack.Config
	FineTune autoencoder.Config
}

// RecipeFor returns the recipe of profile for the layer widths hidden (the
// last one is the code size, with linear units) over a vocabulary of any
// size, each part seeded by its name and seed (rng.Named).
func RecipeFor(profile Profile, hidden []int, seed uint64) (Recipe, error) {
	ep, ok := profileEpochs[profile]
	if !ok {
		return Recipe{}, fmt.Errorf("pipeline: unknown profile %q (known: paper, quick)", profile)
	}
	if len(hidden) < 1 {
		return Recipe{}, fmt.Errorf("pipeline: no layers")
	}
	r := Recipe{Stack: stack.Config{Visible: rbm.Softmax, DocLen: DocLen}}
	for i, h := range hidden {
		l := stack.Layer{Hidden: h, Kind: rbm.Binary, Config: BinaryLayer}
		epochs := ep[0]
		switch {
		case i == 0 && len(hidden) > 1:
			l.Config = SoftmaxLayer
		case i == len(hidden)-1:
			l.Kind, l.Config, epochs = rbm.Linear, CodeLayer, ep[1]
			if i == 0 {
				l.Config = SoftmaxCodeLayer
			}
		}
		l.Config.Epochs, l.Config.Seed = epochs, rng.Named(seed, fmt.Sprintf("rbm %d", i+1))
		r.Stack.Layers = append(r.Stack.Layers, l)
	}
	r.FineTune = FineTune
	r.FineTune.Epochs, r.FineTune.Seed = ep[2], rng.Named(seed, "fine-tune")
	r.Input = InputCounts
	if profile == Paper {
		// The quick profile keeps the counts and noiseless fine-tuning: its
		// few epochs are for smoke tests, whose figures are pinned.
		r.Input = PaperInput
		r.FineTune.CodeNoise, r.FineTune.FreshNoise = PaperCodeNoise, true
	}
	return r, nil
}
