package mnist

import (
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
)

// gridSeparator is the grey of the 1-pixel lines between the cells of a grid.
const gridSeparator = 128

// Grid lays out images, each h×w row-major grey values in [0,1] (0 black,
// 1 white; values outside are clipped, NaN is black), as rows×cols cells in
// row-major order, each scaled up scale times, with 1-pixel grey lines
// between cells. Cells beyond len(images) stay black; images beyond
// rows·cols are an error. The result is
// (cols·w·scale + cols-1) × (rows·h·scale + rows-1) pixels.
func Grid(images [][]float32, rows, cols, h, w, scale int) (*image.Gray, error) {
	switch {
	case rows < 1 || cols < 1 || h < 1 || w < 1 || scale < 1:
		return nil, fmt.Errorf("mnist: grid of %dx%d cells of %dx%d pixels at scale %d", rows, cols, h, w, scale)
	case len(images) > rows*cols:
		return nil, fmt.Errorf("mnist: %d images do not fit a %dx%d grid", len(images), rows, cols)
	}
	cw, ch := w*scale, h*scale
	img := image.NewGray(image.Rect(0, 0, cols*(cw+1)-1, rows*(ch+1)-1))
	for i := range img.Pix {
		img.Pix[i] = gridSeparator
	}
	for c := range rows * cols {
		x0, y0 := (c%cols)*(cw+1), (c/cols)*(ch+1)
		var im []float32
		if c < len(images) {
			im = images[c]
			if len(im) != h*w {
				return nil, fmt.Errorf("mnist: grid image %d has %d pixels, want %dx%d", c, len(im), h, w)
			}
		}
		for y := range ch {
			row := img.Pix[(y0+y)*img.Stride+x0:]
			for x := range cw {
				var g uint8
				if im != nil {
					g = grey(im[(y/scale)*w+x/scale])
				}
				row[x] = g
			}
		}
	}
	return img, nil
}

func grey(v float32) uint8 {
	switch {
	case !(v > 0): // also NaN
		return 0
	case v >= 1:
		return 255
	}
	return uint8(math.Round(float64(v) * 255))
}

// WriteGrid writes Grid(images, rows, cols, h, w, 1) to path as a PNG.
func WriteGrid(path string, images [][]float32, rows, cols, h, w int) error {
	return WriteGridScale(path, images, rows, cols, h, w, 1)
}

// WriteGridScale writes Grid(images, rows, cols, h, w, scale) to path as a
// PNG, e.g. scale 2 for 56×56-pixel digits.
func WriteGridScale(path string, images [][]float32, rows, cols, h, w, scale int) error {
	img, err := Grid(images, rows, cols, h, w, scale)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("mnist: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("mnist: writing %s: %w", path, err)
	}
	return nil
}
