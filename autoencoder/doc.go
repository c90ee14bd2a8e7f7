// Package autoencoder unrolls a stack of RBMs into a deep network and
// fine-tunes it with backpropagation (Hinton & Salakhutdinov, Science 2006):
// the encoder uses each RBM's weights W and hidden biases, the decoder the
// transposed weights and visible biases, mirrored. The same feed-forward Net
// serves the deep classifiers of the MNIST mode.
//
// # Net
//
// Layer l maps its input x (rows = cases) to act(x W_l + b_l), with W_l of
// shape In x Out. Activations: Sigmoid, Linear, Softmax (rows). The loss is
// matched to the output activation so that the output delta is y - t:
//
//   - SoftmaxCE: -sum_j t_j log y_j with softmax outputs; t is a
//     distribution per row (word proportions, or one-hot class labels);
//   - LogisticCE: -sum_j t_j log y_j + (1-t_j) log(1-y_j) with sigmoid outputs;
//   - Squared: 1/2 sum_j (y_j - t_j)^2 with linear outputs.
//
// Losses are reported as the mean over cases of the per-case sum.
//
// All weights and biases live in one slice, Net.Params, so optimizers
// (Adam, and conjugate gradients through gonum/optimize) see one vector.
//
// # Training
//
// A Trainer fine-tunes a Net on the cases of a Batcher (Reconstruction for
// an autoencoder, Classification for a classifier) by Adam, SGD with
// momentum or conjugate gradients (Method), with early stopping on a
// held-out fraction, and optionally with the decoder tied to the encoder.
// It keeps the rbmstack.Trainer contract (Train with a context and an
// Observer, MarshalState and RestoreState at epoch boundaries), its
// Config embeds an rbmstack.Schedule whose defaults depend on the method
// (DefaultAdam, DefaultSGD, DefaultCG), and it stops with
// rbmstack.ErrDiverged on a NaN. Stored nets and trainer states are
// framed by internal/binenc; damage is rbmstack.ErrCorrupt.
//
// # Documents
//
// With InputLen > 0 every input row is rescaled to sum InputLen before the
// first layer, as the replicated-softmax RBM it came from saw it, and the
// SoftmaxCE target is the row's word proportions.
package autoencoder
