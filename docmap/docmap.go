// Package docmap draws a map of an index: every document's code projected
// to the plane by principal component analysis and drawn as a scatter
// coloured by label, like Fig. 4 of Hinton & Salakhutdinov (Science 2006),
// which compares 2-D autoencoder codes with 2-D LSA on news stories.
//
// Documents are ranked by the cosine between codes, so the map projects
// the codes scaled to unit length: neighbours on the map are close in the
// angle the ranking uses. Documents without a code (no vocabulary word)
// are left out.
package docmap

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/docsearch/docsearch/index"
)

// ErrNoCodes means no document of the index has a code to place.
var ErrNoCodes = errors.New("docmap: no document has a code")

// Map is the documents of one index generation placed in the plane.
type Map struct {
	// Generation is the index generation the map was made from.
	Generation string
	// X and Y are the coordinates of each document position on the first
	// two principal components; NaN for a document without a code.
	X, Y []float64
	// Labels holds each document's label.
	Labels []string
	// Explained is the share of the codes' variance along each axis.
	Explained [2]float64
	// Placed is the number of documents with coordinates.
	Placed int
}

// Project places every document of ix with a code on the first two
// principal components of the unit-length codes (gonum's stat.PC). Each
// axis is oriented so that its largest loading is positive, which makes
// the map of an index the same from run to run.
func Project(ix *index.Index) (*Map, error) {
	n := ix.Len()
	m := &Map{Generation: ix.Generation(), X: make([]float64, n), Y: make([]float64, n), Labels: make([]string, n)}
	a, rows := m.unitCodes(ix)
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w (%s, %d documents)", ErrNoCodes, m.Generation, n)
	}
	m.Placed = len(rows)
	centreColumns(a)
	axes := mat.NewDense(ix.Dim(), 2, nil) // columns: the two directions
	if len(rows) >= 2 {
		if !m.principalAxes(a, axes) {
			return nil, fmt.Errorf("docmap: %s: the principal component analysis failed", m.Generation)
		}
	}
	var xy mat.Dense
	xy.Mul(a, axes)
	for r, pos := range rows {
		m.X[pos], m.Y[pos] = xy.At(r, 0), xy.At(r, 1)
	}
	return m, nil
}

// unitCodes returns the codes of ix scaled to unit length, a row each, and
// the positions of their documents; it fills m.Labels and marks every
// document unplaced (NaN) until projected. Documents without a code, or
// with a zero or non-finite one, are left out.
func (m *Map) unitCodes(ix *index.Index) (*mat.Dense, []int) {
	n, d := ix.Len(), ix.Dim()
	var rows []int
	code := make([]float32, d)
	data := make([]float64, 0, n*d)
	for i := range n {
		doc := ix.Doc(i)
		m.Labels[i] = doc.Label
		m.X[i], m.Y[i] = math.NaN(), math.NaN()
		if doc.NoCode {
			continue
		}
		ix.CodeTo(code, i)
		var ss float64
		for _, v := range code {
			ss += float64(v) * float64(v)
		}
		if ss == 0 || math.IsNaN(ss) || math.IsInf(ss, 0) {
			continue
		}
		inv := 1 / math.Sqrt(ss)
		for _, v := range code {
			data = append(data, float64(v)*inv)
		}
		rows = append(rows, i)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return mat.NewDense(len(rows), d, data), rows
}

// centreColumns subtracts from every column of a its mean: the projection
// is of the deviations from the mean.
func centreColumns(a *mat.Dense) {
	_, d := a.Dims()
	for j := range d {
		col := mat.Col(nil, j, a)
		mean := stat.Mean(col, nil)
		for i := range col {
			a.Set(i, j, col[i]-mean)
		}
	}
}

// principalAxes writes the first two principal directions of the centred
// rows of a into the columns of axes, each signed so that its entry of
// largest magnitude is positive, and their shares of the variance into
// m.Explained. It reports whether the analysis succeeded.
func (m *Map) principalAxes(a, axes *mat.Dense) bool {
	var pc stat.PC
	if !pc.PrincipalComponents(a, nil) {
		return false
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	var total float64
	for _, v := range vars {
		total += v
	}
	_, k := vecs.Dims()
	for c := range min(2, k) {
		col := mat.Col(nil, c, &vecs)
		big := 0
		for j := range col {
			if math.Abs(col[j]) > math.Abs(col[big]) {
				big = j
			}
		}
		sign := 1.0
		if col[big] < 0 {
			sign = -1
		}
		for j := range col {
			axes.Set(j, c, sign*col[j])
		}
		if total > 0 {
			m.Explained[c] = vars[c] / total
		}
	}
	return true
}

// Image size and look.
const (
	// Width and Height are 900 x 600 pixels at vgimg's 96 dpi.
	Width  = 9.375 * vg.Inch
	Height = 6.25 * vg.Inch
	// legendWidth is the strip on the right that lists the labels.
	legendWidth = 2.3 * vg.Inch
	// MaxColors is the number of labels with a colour of their own; the
	// smaller labels beyond share grey as "other".
	MaxColors = 20
)

// palette is Tableau 20: ten hues, each dark then light, distinct enough
// for the 20 groups of 20 Newsgroups.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xae, 0xc7, 0xe8, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0xff, 0xbb, 0x78, 0xff},
	{0x2c, 0xa0, 0x2c, 0xff}, {0x98, 0xdf, 0x8a, 0xff}, {0xd6, 0x27, 0x28, 0xff}, {0xff, 0x98, 0x96, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0xc5, 0xb0, 0xd5, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xc4, 0x9c, 0x94, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0xf7, 0xb6, 0xd2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff}, {0xc7, 0xc7, 0xc7, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0xdb, 0xdb, 0x8d, 0xff}, {0x17, 0xbe, 0xcf, 0xff}, {0x9e, 0xda, 0xe5, 0xff},
}

var otherColor = color.RGBA{0xb0, 0xb0, 0xb0, 0xff}

// groups returns the labels that get a colour: the MaxColors largest
// (ties by name), in alphabetical order.
func (m *Map) groups() []string {
	count := make(map[string]int)
	for i, l := range m.Labels {
		if !math.IsNaN(m.X[i]) {
			count[l]++
		}
	}
	names := make([]string, 0, len(count))
	for l := range count {
		names = append(names, l)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := count[b] - count[a]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	names = names[:min(len(names), MaxColors)]
	slices.Sort(names) // the legend reads alphabetically
	return names
}

// Draw renders the map to a PNG image: one dot per placed document,
// coloured by label, and a black disc on each document position in
// marked (the results of a query; positions without a code are skipped).
func (m *Map) Draw(w io.Writer, title string, marked []int) error {
	names := m.groups()
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = fmt.Sprintf("first principal component (%.0f%% of the variance)", 100*m.Explained[0])
	p.Y.Label.Text = fmt.Sprintf("second (%.0f%%)", 100*m.Explained[1])
	leg := plot.NewLegend()
	leg.TextStyle.Font.Size = vg.Points(9)
	if err := m.addDots(p, &leg, names); err != nil {
		return err
	}
	if err := m.addMarks(p, &leg, marked); err != nil {
		return err
	}
	img := vgimg.New(Width, Height)
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	leg.Top, leg.Left = true, true
	leg.XOffs = vg.Points(8)
	leg.YOffs = -vg.Points(12)
	leg.Draw(draw.Crop(dc, Width-legendWidth, 0, 0, 0))
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("docmap: writing the image: %w", err)
	}
	return nil
}

// addDots adds a scatter per label of names, each in its palette colour,
// and one of every other label in grey, "other" first, to p and its legend.
func (m *Map) addDots(p *plot.Plot, leg *plot.Legend, names []string) error {
	colorOf := make(map[string]int, len(names))
	for i, l := range names {
		colorOf[l] = i
	}
	groups := make([]plotter.XYs, len(names)+1) // the last is "other"
	for i, l := range m.Labels {
		if math.IsNaN(m.X[i]) {
			continue
		}
		g, ok := colorOf[l]
		if !ok {
			g = len(names)
		}
		groups[g] = append(groups[g], plotter.XY{X: m.X[i], Y: m.Y[i]})
	}
	add := func(xys plotter.XYs, c color.Color, name string) error {
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
		p.Add(s)
		if name != "" {
			leg.Add(name, s)
		}
		return nil
	}
	if len(groups[len(names)]) > 0 {
		if err := add(groups[len(names)], otherColor, "other"); err != nil {
			return err
		}
	}
	for i, l := range names {
		if len(groups[i]) == 0 {
			continue
		}
		name := l
		if name == "" {
			name = "(no label)"
		}
		if err := add(groups[i], palette[i%len(palette)], name); err != nil {
			return err
		}
	}
	return nil
}

// addMarks adds a black disc in a white halo on each placed position of
// marked, visible on any colour and in a crowd of dots.
func (m *Map) addMarks(p *plot.Plot, leg *plot.Legend, marked []int) error {
	var hits plotter.XYs
	for _, pos := range marked {
		if pos >= 0 && pos < len(m.X) && !math.IsNaN(m.X[pos]) {
			hits = append(hits, plotter.XY{X: m.X[pos], Y: m.Y[pos]})
		}
	}
	if len(hits) == 0 {
		return nil
	}
	halo, err := plotter.NewScatter(hits)
	if err != nil {
		return err
	}
	halo.GlyphStyle = draw.GlyphStyle{Color: color.White, Radius: vg.Points(5.5), Shape: draw.CircleGlyph{}}
	dot, err := plotter.NewScatter(hits)
	if err != nil {
		return err
	}
	dot.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
	p.Add(halo, dot)
	leg.Add("results of the query", halo, dot)
	return nil
}
