package eval

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of the image Plot writes: 960 x 432 pixels at vgimg's 96 dpi.
const (
	PlotWidth  = 10 * vg.Inch
	PlotHeight = 4.5 * vg.Inch
)

// ErrMethod is returned when a method named in an order is not in the
// report.
var ErrMethod = errors.New("eval: method not in report")

// methodOrder returns order, or the report's method names sorted when order
// is empty, checking that each is in r.
func methodOrder(r Report, order []string) ([]string, error) {
	if len(order) == 0 {
		for name := range r.Methods {
			order = append(order, name)
		}
		slices.Sort(order)
		return order, nil
	}
	for _, name := range order {
		if _, ok := r.Methods[name]; !ok {
			return nil, fmt.Errorf("%w: %q", ErrMethod, name)
		}
	}
	return order, nil
}

// Plot writes a PNG image to path with two panels, like Fig. 4 of
// Hinton & Salakhutdinov (2006): precision against recall (log scale,
// RecallLevels) and accuracy against the number retrieved (log scale,
// KLevels), one line per method in the given order (all methods, sorted by
// name, when order is empty). Levels a curve lacks are left out.
func Plot(path string, title string, r Report, order []string) error {
	order, err := methodOrder(r, order)
	if err != nil {
		return err
	}
	pr, pk := recallPanel(title), accuracyPanel(r.Queries)
	for i, name := range order {
		xr, xk := curves(r.Methods[name])
		// The same color, dashes and glyph for a method in both panels;
		// the legend goes in the first.
		if err := addSeries(pr, i, name, xr); err != nil {
			return err
		}
		if err := addSeries(pk, i, "", xk); err != nil {
			return err
		}
	}
	return writePanels(path, pr, pk)
}

// recallPanel returns the empty left panel: precision against recall at
// RecallLevels, on a log scale, with the legend.
func recallPanel(title string) *plot.Plot {
	pr := plot.New()
	pr.Title.Text = title
	pr.X.Label.Text = "Recall"
	pr.Y.Label.Text = "Precision"
	pr.X.Scale = plot.LogScale{}
	pr.X.Tick.Marker = levelTicks(RecallLevels, func(x float64) string {
		if x == 0.8 { // too close to 1 for two labels
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	})
	pr.X.Min, pr.X.Max = RecallLevels[0], RecallLevels[len(RecallLevels)-1]
	pr.Y.Min, pr.Y.Max = 0, 1
	pr.Y.Tick.Marker = unitTicks()
	pr.Legend.Top = true
	pr.Add(plotter.NewGrid())
	return pr
}

// accuracyPanel returns the empty right panel: accuracy against the number
// of documents retrieved at KLevels, on a log scale, titled by the number
// of queries when known.
func accuracyPanel(queries int) *plot.Plot {
	pk := plot.New()
	if queries > 0 {
		pk.Title.Text = fmt.Sprintf("%d queries", queries)
	}
	pk.X.Label.Text = "Documents retrieved"
	pk.Y.Label.Text = "Accuracy (same label)"
	pk.X.Scale = plot.LogScale{}
	ks := make([]float64, len(KLevels))
	for i, k := range KLevels {
		ks[i] = float64(k)
	}
	pk.X.Tick.Marker = levelTicks(ks, func(x float64) string {
		return strconv.Itoa(int(x))
	})
	pk.X.Min, pk.X.Max = ks[0], ks[len(ks)-1]
	pk.Y.Min, pk.Y.Max = 0, 1
	pk.Y.Tick.Marker = unitTicks()
	pk.Add(plotter.NewGrid())
	return pk
}

// curves returns the points of c in the two panels: precision at each
// recall level and accuracy at each k that c holds.
func curves(c Curve) (xr, xk plotter.XYs) {
	for _, lv := range RecallLevels {
		if v, ok := c.PrecisionAtRecall[RecallKey(lv)]; ok {
			xr = append(xr, plotter.XY{X: lv, Y: v})
		}
	}
	for _, k := range KLevels {
		if v, ok := c.AccuracyAtK[KKey(k)]; ok {
			xk = append(xk, plotter.XY{X: float64(k), Y: v})
		}
	}
	return xr, xk
}

// writePanels draws pr and pk side by side, their axes aligned, into a PNG
// file of PlotWidth x PlotHeight at path.
func writePanels(path string, pr, pk *plot.Plot) error {
	img := vgimg.New(PlotWidth, PlotHeight)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{{pr, pk}}, tiles, dc)
	pr.Draw(canvases[0][0])
	pk.Draw(canvases[0][1])

	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("eval: plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("eval: plot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("eval: plot %s: %w", path, err)
	}
	return nil
}

// levelTicks returns labelled ticks at the given values.
func levelTicks(values []float64, label func(float64) string) plot.ConstantTicks {
	ticks := make(plot.ConstantTicks, len(values))
	for i, v := range values {
		ticks[i] = plot.Tick{Value: v, Label: label(v)}
	}
	return ticks
}

// unitTicks returns ticks every 0.1 on [0, 1], labelled every 0.2.
func unitTicks() plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for i := 0; i <= 10; i++ {
		t := plot.Tick{Value: float64(i) / 10}
		if i%2 == 0 {
			t.Label = strconv.FormatFloat(t.Value, 'f', 1, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// addSeries adds the points xys to p as a line with glyphs in the i-th
// color, dashes and shape of plotutil, with a legend entry when name is
// not empty. An empty series adds nothing.
func addSeries(p *plot.Plot, i int, name string, xys plotter.XYs) error {
	if len(xys) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("eval: plot %s: %w", name, err)
	}
	l.Color = plotutil.Color(i)
	l.Dashes = plotutil.Dashes(i)
	s.Color = plotutil.Color(i)
	s.Shape = plotutil.Shape(i)
	p.Add(l, s)
	if name != "" {
		p.Legend.Add(name, l, s)
	}
	return nil
}
