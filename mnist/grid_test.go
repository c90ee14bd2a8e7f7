package mnist

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteGrid(t *testing.T) {
	t.Parallel()
	const h, w = 3, 2
	black := make([]float32, h*w)
	ramp := []float32{0, 0.5, 1, 2, -1, float32(math.NaN())}
	cases := []struct {
		rows, cols, scale int
		images            [][]float32
		width, height     int // cols·w·scale + cols-1, rows·h·scale + rows-1
	}{
		{1, 1, 1, [][]float32{ramp}, 2, 3},
		{2, 3, 1, [][]float32{ramp, black, ramp, ramp}, 3*2 + 2, 2*3 + 1},
		{10, 10, 2, [][]float32{ramp}, 10*4 + 9, 10*6 + 9},
	}
	dir := t.TempDir()
	for i, c := range cases {
		path := filepath.Join(dir, "grid.png")
		var err error
		if c.scale == 1 {
			err = WriteGrid(path, c.images, c.rows, c.cols, h, w)
		} else {
			err = WriteGridScale(path, c.images, c.rows, c.cols, h, w, c.scale)
		}
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if b := img.Bounds(); b != image.Rect(0, 0, c.width, c.height) {
			t.Errorf("case %d: bounds %v, want %dx%d", i, b, c.width, c.height)
			continue
		}
		g, ok := img.(*image.Gray)
		if !ok {
			t.Fatalf("case %d: decoded %T, want *image.Gray", i, img)
		}
		// The ramp in the first cell, clipped: 0, 0.5, 1, 2→1, -1→0, NaN→0.
		want := []uint8{0, 128, 255, 255, 0, 0}
		for p, v := range want {
			x, y := (p%w)*c.scale, (p/w)*c.scale
			if got := g.GrayAt(x+c.scale-1, y+c.scale-1).Y; got != v {
				t.Errorf("case %d: pixel %d = %d, want %d", i, p, got, v)
			}
		}
		if c.cols > 1 {
			if got := g.GrayAt(w*c.scale, 0).Y; got != gridSeparator {
				t.Errorf("case %d: separator = %d, want %d", i, got, gridSeparator)
			}
		}
	}
}

func TestGridErrors(t *testing.T) {
	t.Parallel()
	im := make([]float32, 4)
	if _, err := Grid([][]float32{im, im, im}, 1, 2, 2, 2, 1); err == nil {
		t.Error("3 images in a 1x2 grid: no error")
	}
	if _, err := Grid([][]float32{im[:3]}, 1, 1, 2, 2, 1); err == nil {
		t.Error("3-pixel image in 2x2 cells: no error")
	}
	if _, err := Grid(nil, 1, 1, 2, 2, 0); err == nil {
		t.Error("scale 0: no error")
	}
	if err := WriteGrid(filepath.Join(t.TempDir(), "no", "such", "dir.png"), nil, 1, 1, 2, 2); err == nil {
		t.Error("WriteGrid into a missing folder: no error")
	}
}
