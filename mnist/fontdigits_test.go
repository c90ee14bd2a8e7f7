package mnist

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestFontDigits writes a small font-digit set, reads it back with Load
// and checks MNIST's layout: balanced labels, ink in every image, the
// centre of mass at the centre, the same set from the same seed.
func TestFontDigits(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFontDigits(dir, 500, 100, 7); err != nil {
		t.Fatal(err)
	}
	train, test, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 500 || test.N != 100 || train.Dim() != Dim {
		t.Fatalf("sizes %d, %d, %dx%d", train.N, test.N, train.Rows, train.Cols)
	}
	if c := train.Counts(); c != [10]int{50, 50, 50, 50, 50, 50, 50, 50, 50, 50} {
		t.Errorf("label counts %v", c)
	}
	for i := range train.N {
		var m, mx, my float64
		for p, v := range train.Image(i) {
			m += float64(v)
			mx += float64(v) * (float64(p%Cols) + 0.5)
			my += float64(v) * (float64(p/Cols) + 0.5)
		}
		if m < 10 {
			t.Fatalf("image %d (digit %d) has almost no ink: %.1f", i, train.Labels[i], m)
		}
		if math.Abs(mx/m-14) > 1 || math.Abs(my/m-14) > 1 {
			t.Errorf("image %d: centre of mass (%.1f, %.1f), want (14, 14)", i, mx/m, my/m)
		}
	}
	if art := os.Getenv("DOCSEARCH_ARTIFACTS"); art != "" {
		if err := os.MkdirAll(art, 0o755); err != nil {
			t.Fatal(err)
		}
		var imgs [][]float32
		for i := range 100 {
			imgs = append(imgs, train.Image(i))
		}
		if err := WriteGridScale(filepath.Join(art, "font-digits.png"), imgs, 10, 10, Rows, Cols, 2); err != nil {
			t.Fatal(err)
		}
	}
	again := t.TempDir()
	if err := WriteFontDigits(again, 500, 100, 7); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{TrainImagesFile, TestImagesFile, TrainLabelsFile} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		if string(a) != string(b) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if err := WriteFontDigits(dir, 5, 100, 7); err == nil {
		t.Error("5 training images accepted")
	}
}
