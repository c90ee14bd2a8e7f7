// Package rbmstack is the numeric core of docsearch: restricted Boltzmann
// machines and what is built from them, after Hinton & Salakhutdinov,
// "Reducing the dimensionality of data with neural networks" (Science
// 2006), shared by the document path (word counts) and the MNIST path
// (pixels). It knows nothing of documents, storage or the command line.
//
// # Packages
//
//   - mat: the dense float32 matrix of every model, the Matrix interface
//     trainers read their cases through, and the kernels.
//   - rbm: one RBM (binary, linear and replicated-softmax units), trained
//     by CD-k or persistent CD.
//   - stack: greedy stacks of RBMs, the pretraining of the autoencoders.
//   - dbn: deep belief nets with a labelled top memory and up-down
//     fine-tuning (Hinton, Osindero & Teh 2006).
//   - dbm: deep Boltzmann machines, their pretraining, joint training,
//     variational bound and AIS estimate of log Z (Salakhutdinov & Hinton
//     2009).
//
// Package autoencoder (beside this one) unrolls a stack into a deep net
// and fine-tunes it by backpropagation.
//
// # The trainer contract
//
// Every trainer (rbm.Trainer, stack.Trainer, dbn.UpDownTrainer,
// dbm.Trainer, autoencoder.Trainer) is made by a constructor that applies
// its configuration's defaults (EnsureDefaults) and reports every problem
// of the configuration and the data at once (Validate), and then keeps the
// Trainer interface: Train(ctx, observer) runs the epochs that remain,
// MarshalState and RestoreState save and restore it at epoch boundaries.
// Resume runs a trainer against a Store (a checkpoint file), so that a
// killed run continues to the model an uninterrupted run makes.
//
// Progress reaches the caller through one Observer type: Progress events
// within an epoch, EpochEnd events with the losses, StageEnd events when a
// layer is done, and notes. ProgressBars draws them on a terminal; a nil
// Observer ignores them. No package writes anywhere by itself.
//
// Every trainer's optimiser settings are one Schedule: epochs, minibatch
// size, learning rate and its Decay, momentum and weight decay, each
// trainer declaring its defaults as a Schedule value.
//
// # Reproducibility
//
// Every random draw comes from streams derived from a configuration's
// Seed (package internal/rng): per minibatch one base number, per fixed
// block of rows one stream, so results do not depend on goroutine
// scheduling or the number of cores. Training stops with ErrDiverged,
// naming the stage and the epoch, on a NaN or an infinity.
//
// # Stored data
//
// Stacks, trainer states and checkpoints are framed by internal/binenc
// (magic, version, CRC-32C): damage is ErrCorrupt, a file of a docsearch
// whose format this build does not read ErrVersion, a state of another
// run ErrMismatch. These are the same values in packages autoencoder and
// vocab.
package rbmstack
