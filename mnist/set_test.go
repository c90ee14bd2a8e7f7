package mnist

import (
	"slices"
	"testing"
)

func smallSet() *Set {
	s := &Set{N: 4, Rows: 1, Cols: 2, Labels: []uint8{0, 1, 2, 3}}
	for i := range 8 {
		s.Images = append(s.Images, float32(i))
	}
	return s
}

func TestSet(t *testing.T) {
	t.Parallel()
	s := smallSet()
	if got := s.Image(2); !slices.Equal(got, []float32{4, 5}) || cap(got) != 2 {
		t.Errorf("Image(2) = %v (cap %d)", got, cap(got))
	}
	sl := s.Slice(1, 3)
	if sl.N != 2 || !slices.Equal(sl.Images, []float32{2, 3, 4, 5}) || !slices.Equal(sl.Labels, []uint8{1, 2}) {
		t.Errorf("Slice(1,3) = %+v", sl)
	}
	sl.Images[0] = -1 // a view
	if s.Images[2] != -1 {
		t.Error("Slice does not share storage")
	}
	sub := s.Subset([]int{3, 0, 3})
	if sub.N != 3 || !slices.Equal(sub.Images, []float32{6, 7, 0, 1, 6, 7}) || !slices.Equal(sub.Labels, []uint8{3, 0, 3}) {
		t.Errorf("Subset = %+v", sub)
	}
	sub.Images[0] = -2 // a copy
	if s.Images[6] == -2 {
		t.Error("Subset shares storage")
	}
	if c := s.Counts(); c != [10]int{1, 1, 1, 1} {
		t.Errorf("Counts = %v", c)
	}
	for _, f := range []func(){func() { s.Image(4) }, func() { s.Slice(2, 5) }, func() { s.Subset([]int{-1}) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("out-of-range index did not panic")
				}
			}()
			f()
		}()
	}
}
