package mnist

import (
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"

	"codeberg.org/go-fonts/liberation/liberationmonobold"
	"codeberg.org/go-fonts/liberation/liberationmonoregular"
	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansbolditalic"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-fonts/liberation/liberationserifbold"
	"codeberg.org/go-fonts/liberation/liberationserifbolditalic"
	"codeberg.org/go-fonts/liberation/liberationserifitalic"
	"codeberg.org/go-fonts/liberation/liberationserifregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/gofont/gosmallcaps"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/docsearch/docsearch/internal/rng"
)

// fontDigitFaces are the typefaces of WriteFontDigits: the Go fonts and
// the Liberation fonts that the module graph already brings (gonum/plot
// draws with them), 18 faces in all.
var fontDigitFaces = [][]byte{
	goregular.TTF, gobold.TTF, goitalic.TTF, gobolditalic.TTF, gomedium.TTF, gomono.TTF, gomonobold.TTF, gosmallcaps.TTF,
	liberationsansregular.TTF, liberationsansbold.TTF, liberationsansitalic.TTF, liberationsansbolditalic.TTF,
	liberationserifregular.TTF, liberationserifbold.TTF, liberationserifitalic.TTF, liberationserifbolditalic.TTF,
	liberationmonoregular.TTF, liberationmonobold.TTF,
}

// The glyphs are drawn at glyphPx pixels on a canvas of canvasPx, then
// mapped into MNIST's layout: the digit fitted into a 20x20 box and its
// centre of mass put at the centre of the 28x28 image (LeCun et al.'s
// normalisation of MNIST).
const (
	glyphPx  = 60
	canvasPx = 96
	boxPx    = 20
)

// WriteFontDigits writes a data set of printed digits in MNIST's four IDX
// files (train-images-idx3-ubyte, ...) to dir: train and test images of
// the digits 0-9 in equal numbers, each drawn in one of 18 typefaces with a
// random rotation (up to 15 degrees), shear, aspect ratio and stroke
// weight, from the stream seed. It is a second data set for the MNIST
// mode (`--data DIR`), different in kind from handwriting, so that a
// recipe is not judged on MNIST alone. The test images use the same
// typefaces with other random draws.
func WriteFontDigits(dir string, train, test int, seed uint64) error {
	if train < 10 || test < 10 || train > 1<<24 || test > 1<<24 {
		return fmt.Errorf("mnist: font digits: train %d and test %d images must be in [10, %d]", train, test, 1<<24)
	}
	faces := make([]font.Face, len(fontDigitFaces))
	for i, ttf := range fontDigitFaces {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return fmt.Errorf("mnist: font digits: typeface %d: %w", i, err)
		}
		if faces[i], err = opentype.NewFace(f, &opentype.FaceOptions{Size: glyphPx, DPI: 72, Hinting: font.HintingNone}); err != nil {
			return fmt.Errorf("mnist: font digits: typeface %d: %w", i, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, part := range []struct {
		n              int
		images, labels string
		stream         uint64
	}{{train, TrainImagesFile, TrainLabelsFile, 0}, {test, TestImagesFile, TestLabelsFile, 1}} {
		pix, lab := renderFontDigits(faces, part.n, rng.New(seed, part.stream))
		if err := writeIDX(filepath.Join(dir, part.images), 0x803, []uint32{uint32(part.n), Rows, Cols}, pix); err != nil {
			return err
		}
		if err := writeIDX(filepath.Join(dir, part.labels), 0x801, []uint32{uint32(part.n)}, lab); err != nil {
			return err
		}
	}
	return nil
}

// renderFontDigits draws n digits (i%10 for the i-th) in random faces.
func renderFontDigits(faces []font.Face, n int, r *rng.Source) (pix, labels []byte) {
	pix = make([]byte, n*Rows*Cols)
	labels = make([]byte, n)
	canvas := image.NewGray(image.Rect(0, 0, canvasPx, canvasPx))
	thick := make([]byte, canvasPx*canvasPx)
	for i := range n {
		d := i % 10
		labels[i] = byte(d)
		face := faces[r.IntN(len(faces))]
		drawGlyph(canvas, face, d)
		dilate(thick, canvas.Pix, r.IntN(3))
		a := randomAffine(r)
		fitDigit(pix[i*Rows*Cols:(i+1)*Rows*Cols], thick, a)
	}
	return pix, labels
}

// drawGlyph draws digit d white on black, roughly centred on canvas.
func drawGlyph(canvas *image.Gray, face font.Face, d int) {
	clear(canvas.Pix)
	s := string(rune('0' + d))
	b, _ := font.BoundString(face, s)
	w, h := (b.Max.X - b.Min.X).Round(), (b.Max.Y - b.Min.Y).Round()
	dot := fixed.P((canvasPx-w)/2, (canvasPx-h)/2).Sub(b.Min)
	dr := font.Drawer{Dst: canvas, Src: image.White, Face: face, Dot: dot}
	dr.DrawString(s)
}

// dilate writes src thickened by a square of radius rad (a max filter) to
// dst: the heavier strokes of handwriting and bold pens.
func dilate(dst, src []byte, rad int) {
	for y := range canvasPx {
		for x := range canvasPx {
			var m byte
			for dy := -rad; dy <= rad; dy++ {
				yy := y + dy
				if yy < 0 || yy >= canvasPx {
					continue
				}
				for dx := -rad; dx <= rad; dx++ {
					xx := x + dx
					if xx >= 0 && xx < canvasPx {
						m = max(m, src[yy*canvasPx+xx])
					}
				}
			}
			dst[y*canvasPx+x] = m
		}
	}
}

// randomAffine returns a random linear map: rotation up to 15 degrees,
// shear up to 0.25 and aspect ratio 0.8-1.2.
func randomAffine(r *rng.Source) [4]float64 {
	th := (2*r.Float64() - 1) * 15 * math.Pi / 180
	sh := (2*r.Float64() - 1) * 0.25
	asp := 0.8 + 0.4*r.Float64()
	c, s := math.Cos(th), math.Sin(th)
	// rotation . shear . diag(asp, 1)
	return [4]float64{c * asp, (c*sh - s), s * asp, (s*sh + c)}
}

// fitDigit maps the ink of the canvas src through the linear map a, fits
// it into the 20x20 box and centres its mass in the 28x28 image out.
func fitDigit(out []byte, src []byte, a [4]float64) {
	x0, y0, x1, y1 := canvasPx, canvasPx, -1, -1
	for y := range canvasPx {
		for x := range canvasPx {
			if src[y*canvasPx+x] > 0 {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		clear(out)
		return
	}
	cx, cy := float64(x0+x1+1)/2, float64(y0+y1+1)/2
	// The box of the mapped ink, from the mapped corners.
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, p := range [][2]float64{{float64(x0), float64(y0)}, {float64(x1 + 1), float64(y0)}, {float64(x0), float64(y1 + 1)}, {float64(x1 + 1), float64(y1 + 1)}} {
		u, v := p[0]-cx, p[1]-cy
		q := [2]float64{a[0]*u + a[1]*v, a[2]*u + a[3]*v}
		for k := range 2 {
			lo[k], hi[k] = min(lo[k], q[k]), max(hi[k], q[k])
		}
	}
	scale := boxPx / max(hi[0]-lo[0], hi[1]-lo[1])
	det := a[0]*a[3] - a[1]*a[2]
	inv := [4]float64{a[3] / det, -a[1] / det, -a[2] / det, a[0] / det}
	// Draw once centred on the box, then again shifted so that the centre
	// of mass falls on the image's centre.
	var off [2]float64
	for pass := range 2 {
		var m, mx, my float64
		for y := range Rows {
			for x := range Cols {
				v := supersample(src, inv, scale, cx, cy, off, x, y)
				out[y*Cols+x] = byte(math.Round(255 * v))
				m, mx, my = m+v, mx+v*(float64(x)+0.5), my+v*(float64(y)+0.5)
			}
		}
		if pass == 0 && m > 0 {
			off = [2]float64{Cols/2 - mx/m, Rows/2 - my/m}
		}
	}
}

// supersample returns the mean intensity in [0, 1] of 3x3 points of the
// output pixel (x, y), each mapped back into the canvas.
func supersample(src []byte, inv [4]float64, scale, cx, cy float64, off [2]float64, x, y int) float64 {
	var sum float64
	for sy := range 3 {
		for sx := range 3 {
			u := (float64(x) + (float64(sx)+0.5)/3 - Cols/2 - off[0]) / scale
			v := (float64(y) + (float64(sy)+0.5)/3 - Rows/2 - off[1]) / scale
			sum += bilinear(src, inv[0]*u+inv[1]*v+cx, inv[2]*u+inv[3]*v+cy)
		}
	}
	return min(1, sum/9)
}

// bilinear samples the canvas at (x, y) in pixel units (pixel centres at
// half-integers), 0 outside.
func bilinear(src []byte, x, y float64) float64 {
	x, y = x-0.5, y-0.5
	ix, iy := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(ix), y-float64(iy)
	at := func(i, j int) float64 {
		if i < 0 || j < 0 || i >= canvasPx || j >= canvasPx {
			return 0
		}
		return float64(src[j*canvasPx+i]) / 255
	}
	return (1-fy)*((1-fx)*at(ix, iy)+fx*at(ix+1, iy)) + fy*((1-fx)*at(ix, iy+1)+fx*at(ix+1, iy+1))
}

// writeIDX writes one IDX file: magic, big-endian dimensions, the bytes.
func writeIDX(path string, magic uint32, dims []uint32, data []byte) error {
	head := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		head = binary.BigEndian.AppendUint32(head, d)
	}
	if err := os.WriteFile(path, append(head, data...), 0o644); err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	return nil
}
