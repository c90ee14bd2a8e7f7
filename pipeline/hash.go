package pipeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
	"github.com/docsearch/docsearch/vocab"
)

// HashWidths are the widths of binary codes an index may carry
// (Options.Bits): the paper's 32-bit addresses and two longer codes for
// Hamming ranking.
var HashWidths = []int{32, 64, 128}

// checkWidths checks a list of binary code widths: each one of
// HashWidths, none twice, ascending.
func checkWidths(bits []int) error {
	for i, b := range bits {
		if !slices.Contains(HashWidths, b) {
			return fmt.Errorf("binary codes of %d bits: the widths are %v", b, HashWidths)
		}
		if i > 0 && b <= bits[i-1] {
			return fmt.Errorf("widths %v must be distinct and ascending", bits)
		}
	}
	return nil
}

// The recipe of the binary codes (Salakhutdinov & Hinton, "Semantic
// hashing", 2009): the lower layers of the real-valued model, pretrained
// once, and above them an RBM with logistic hidden units, unrolled with
// them and fine-tuned with deterministic Gaussian noise added to the code
// layer's input, so that the codes become nearly binary.
var (
	// HashLayer is the top RBM of a binary code: BinaryLayer's recipe
	// (logistic hidden units, rate 0.1, CD-1 on sampled inputs), trained
	// for the code layer's epochs.
	HashLayer = BinaryLayer
	// HashNoise is the standard deviation of the code layer's noise in
	// fine-tuning, chosen on held-out training posts of 20 Newsgroups (the
	// latest fifth of each group; bench/recipes/hashing) among 0, 4 (the
	// paper's variance of 16), 8, 16 and 32: the 32-bit Hamming ranking's
	// precision at recall 0.1 was 0.385, 0.432, 0.454, 0.463 and 0.455,
	// at recall 0.4 0.246, 0.306, 0.336, 0.350 and 0.342.
	HashNoise float32 = 16
)

// HashRecipeFor returns the recipe of binary codes of width bits on the
// lower layers of r (every layer but its code layer): r's input and stack
// with its code layer replaced by a logistic one, and r's fine-tuning with
// HashNoise drawn once (the paper's deterministic noise), each seeded by
// its name and seed.
func HashRecipeFor(r Recipe, bits int, seed uint64) Recipe {
	h := Recipe{Stack: r.Stack, FineTune: r.FineTune, Input: r.Input}
	h.Stack.Layers = slices.Clone(r.Stack.Layers)
	top := &h.Stack.Layers[len(h.Stack.Layers)-1]
	epochs := top.Config.Epochs
	top.Hidden, top.Kind, top.Config = bits, rbm.Binary, HashLayer
	top.Config.Epochs, top.Config.Seed = epochs, rng.Named(seed, fmt.Sprintf("hash %d rbm", bits))
	h.FineTune.CodeNoise, h.FineTune.FreshNoise = HashNoise, false
	h.FineTune.Seed = rng.Named(seed, fmt.Sprintf("hash %d fine-tune", bits))
	return h
}

// TrainHash trains the net of binary codes of recipe r (HashRecipeFor) on
// the training counts data: the top RBM above the lower layers of s (all
// but s's code layer, reused, not retrained, trained on data weighed as
// r.Input says), then, if fineTune, the unrolled net with the code layer's
// noise. Each stage checkpoints in its store (nil: none) and
// resumes from it. The codes are the net's code-layer outputs thresholded
// at 0.5 (query.Pack).
func TrainHash(ctx context.Context, s *stack.Stack, data *vocab.Matrix, r Recipe, fineTune bool, stackStore, ftStore rbmstack.Store, obs rbmstack.Observer) (*autoencoder.Net, error) {
	if len(s.Layers) != len(r.Stack.Layers) {
		return nil, fmt.Errorf("pipeline: a stack of %d layers for a recipe of %d", len(s.Layers), len(r.Stack.Layers))
	}
	w := r.InputWeights(data)
	st, err := stack.NewTrainerAbove(Weigh(data, w), r.Stack, s.Layers[:len(s.Layers)-1])
	if err != nil {
		return nil, err
	}
	if err := rbmstack.Resume(ctx, st, stackStore, obs); err != nil {
		return nil, fmt.Errorf("pretraining the top layer: %w", err)
	}
	net, err := autoencoder.Unroll(st.Stack())
	if err != nil {
		return nil, err
	}
	net.InputWeights = w
	if !fineTune {
		return net, nil
	}
	ft, err := autoencoder.NewTrainer(net, Reconstruction(data, w, net.Loss), r.FineTune)
	if err != nil {
		return nil, err
	}
	ft.Stage = fmt.Sprintf("fine-tune %d bits", r.Stack.Layers[len(r.Stack.Layers)-1].Hidden)
	if err := rbmstack.Resume(ctx, ft, ftStore, obs); err != nil {
		return nil, fmt.Errorf("fine-tuning: %w", err)
	}
	return net, nil
}
