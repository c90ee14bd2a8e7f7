package mnist

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
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

// Write writes train and test to dir as the four IDX files of Load, each
// pixel rounded to a byte (MNIST's own pixels come back exactly). With a
// part of the training set as test, every mnist command run with --data
// dir measures its error on held-out training images: how recipes are
// chosen without looking at the test set.
func Write(dir string, train, test *Set) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	for _, part := range []struct {
		s              *Set
		images, labels string
	}{{train, TrainImagesFile, TrainLabelsFile}, {test, TestImagesFile, TestLabelsFile}} {
		s := part.s
		pix := make([]byte, len(s.Images))
		for i, x := range s.Images {
			pix[i] = byte(min(255, max(0, math.Round(float64(x)*255))))
		}
		if err := writeIDX(filepath.Join(dir, part.images), MagicImages, []uint32{uint32(s.N), uint32(s.Rows), uint32(s.Cols)}, pix); err != nil {
			return err
		}
		if err := writeIDX(filepath.Join(dir, part.labels), MagicLabels, []uint32{uint32(s.N)}, s.Labels); err != nil {
			return err
		}
	}
	return nil
}
