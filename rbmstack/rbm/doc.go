// Package rbm trains restricted Boltzmann machines by contrastive
// divergence: the building block of the greedy stacks (package stack),
// deep belief nets (dbn) and deep Boltzmann machines (dbm), for word
// counts and pixels alike.
//
// # Model
//
// An RBM joins NVis visible units v and NHid hidden units h through the
// weights W (NVis x NHid, row-major: W[i*NHid+j] joins v_i and h_j), with
// visible biases b and hidden biases a. Unit kinds:
//
//   - Binary (logistic): p(h_j=1 | v) = sigmoid(sum_i v_i W_ij + a_j).
//   - Linear: Gaussian units with unit variance; the mean is the total input
//     and a sample adds N(0, 1) noise. The code layer of the autoencoder uses
//     linear hidden units (Science 2006, supporting material).
//   - Softmax (visible only): the replicated softmax of Salakhutdinov &
//     Hinton (NIPS 2009) for word counts. The visible distribution over the
//     vocabulary is softmax(W h + b), a document of N words is N draws from it,
//     and the hidden input is sum_i v_i W_ij + N*a_j. With DocLen > 0 every
//     document is first rescaled to DocLen words (counts/N*DocLen) in training
//     and encoding alike, the recipe recorded in RECIPES.md that keeps the
//     hidden biases from running away on documents of 1 to 12,000 words.
//
// With Labels > 0 the last Labels visible units form one softmax group, a
// one-hot class label: the top memory of a deep belief net.
//
// # Training
//
// A Trainer runs contrastive divergence CD-k or persistent CD (Tieleman
// 2008) on minibatches, with the rbmstack.Schedule of its Config
// (defaults: 30 epochs of 100 cases, rate 0.1, momentum 0.5 for 5 epochs
// then 0.9, weight decay 2e-4) and a separate rate for the hidden biases.
// For Softmax visible units the statistics are taken per word
// (proportions v/N), so dW = <p h>_data - <p h>_model. It keeps the
// rbmstack.Trainer contract: Train(ctx, observer), MarshalState and
// RestoreState at epoch boundaries.
//
// # Reproducibility
//
// Every random draw comes from streams derived from Config.Seed (package
// internal/rng): per minibatch one base number, per fixed block of rows one
// stream, so results do not depend on goroutine scheduling.
//
// # Buffers
//
// A Trainer owns its workspaces and reuses them across minibatches; the
// RBM's parameter slices are owned by the RBM and updated in place.
package rbm
