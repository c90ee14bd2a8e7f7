package mnist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Standard names of the four MNIST files; each may also carry a .gz suffix.
const (
	TrainImagesFile = "train-images-idx3-ubyte"
	TrainLabelsFile = "train-labels-idx1-ubyte"
	TestImagesFile  = "t10k-images-idx3-ubyte"
	TestLabelsFile  = "t10k-labels-idx1-ubyte"
)

// Load reads the training set (60,000 digits) and the test set (10,000) from
// dir, which holds the four files under their standard names, each plain or
// gzipped (name.gz; the plain file wins if both exist).
func Load(dir string) (train, test *Set, err error) {
	train, err = LoadSet(dir, TrainImagesFile, TrainLabelsFile)
	if err != nil {
		return nil, nil, err
	}
	test, err = LoadSet(dir, TestImagesFile, TestLabelsFile)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// LoadSet reads one images file and its labels file from dir; each name may
// be found as given or with a .gz suffix.
func LoadSet(dir, images, labels string) (*Set, error) {
	ipath, err := findFile(dir, images)
	if err != nil {
		return nil, err
	}
	lpath, err := findFile(dir, labels)
	if err != nil {
		return nil, err
	}
	x, n, rows, cols, err := ReadImages(ipath)
	if err != nil {
		return nil, err
	}
	y, err := ReadLabels(lpath)
	if err != nil {
		return nil, err
	}
	if len(y) != n {
		return nil, &CorruptError{Path: lpath, Reason: fmt.Sprintf("%d labels but %s holds %d images", len(y), ipath, n)}
	}
	return &Set{Images: x, Labels: y, N: n, Rows: rows, Cols: cols}, nil
}

// findFile returns dir/name, or dir/name.gz if only that exists.
func findFile(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	for _, q := range []string{p, p + ".gz"} {
		st, err := os.Stat(q)
		if err == nil && !st.IsDir() {
			return q, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("mnist: %w", err)
		}
	}
	return "", fmt.Errorf("mnist: %s: %w (nor %s.gz)", p, fs.ErrNotExist, name)
}
