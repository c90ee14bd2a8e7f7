// Package pipeline runs the main job of docsearch: read a corpus, choose
// the vocabulary, pretrain the RBM stack, unroll and fine-tune the
// autoencoder, encode every document and write the index. It composes the
// stages; each stage's logic lives in its own package.
package pipeline

import (
	"fmt"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/rbmstack"
)

// Profiles names the training recipes: "paper" follows the Science paper's
// architecture with the recipe of RECIPES.md; "quick" trains a few epochs
// for smoke tests and first looks.
var Profiles = []string{"paper", "quick"}

// Recipe is a complete training recipe.
type Recipe struct {
	Stack    rbmstack.StackConfig
	FineTune autoencoder.TrainConfig
	// Skip fine-tuning (the pretrained stack's codes are used).
	NoFineTune bool
}

// RecipeFor returns the recipe of profile for the layer widths hidden (the
// last one is the code size, with linear units) over a vocabulary of any
// size, seeded by seed.
func RecipeFor(profile string, hidden []int, seed uint64) (Recipe, error) {
	var epochs, topEpochs, ftEpochs int
	switch profile {
	case "paper":
		epochs, topEpochs, ftEpochs = 30, 50, 30
	case "quick":
		epochs, topEpochs, ftEpochs = 4, 8, 3
	default:
		return Recipe{}, fmt.Errorf("pipeline: unknown profile %q (known: paper, quick)", profile)
	}
	if len(hidden) < 1 {
		return Recipe{}, fmt.Errorf("pipeline: no layers")
	}
	r := Recipe{Stack: rbmstack.StackConfig{Visible: rbmstack.Softmax, DocLen: 100}}
	for i, h := range hidden {
		lseed := seed*1000 + uint64(i) + 1
		var spec rbmstack.LayerSpec
		switch {
		case i == 0 && len(hidden) > 1:
			// Replicated softmax bottom layer, RECIPES.md "A first-layer recipe that works".
			spec = rbmstack.LayerSpec{Hidden: h, Kind: rbmstack.Binary, Config: rbmstack.Config{
				Epochs: epochs, LR: 1, LRHidBias: 0.01, CDk: 3, SampleVisible: true, InitStd: 0.05, Seed: lseed}}
		case i == len(hidden)-1:
			cfg := rbmstack.Config{Epochs: topEpochs, LR: 0.005, InitStd: 0.1, SampleInput: i > 0, Seed: lseed}
			if i == 0 {
				cfg = rbmstack.Config{Epochs: topEpochs, LR: 0.05, LRHidBias: 0.0005, CDk: 3, SampleVisible: true, InitStd: 0.05, Seed: lseed}
			}
			spec = rbmstack.LayerSpec{Hidden: h, Kind: rbmstack.Linear, Config: cfg}
		default:
			spec = rbmstack.LayerSpec{Hidden: h, Kind: rbmstack.Binary, Config: rbmstack.Config{
				Epochs: epochs, LR: 0.1, InitStd: 0.1, SampleInput: true, Seed: lseed}}
		}
		r.Stack.Layers = append(r.Stack.Layers, spec)
	}
	r.FineTune = autoencoder.TrainConfig{Method: "adam", Epochs: ftEpochs, LR: 1e-4, Holdout: 0.1, Patience: 3, Seed: seed*1000 + 99}
	return r, nil
}
