package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleReport returns a report with two made-up methods; "short" lacks
// some levels.
func sampleReport() Report {
	r := Report{Queries: 7532, Methods: map[string]Curve{}}
	for m, name := range []string{"LSA-10", "autoencoder-10"} {
		c := Curve{PrecisionAtRecall: map[string]float64{}, AccuracyAtK: map[string]float64{}}
		for i, lv := range RecallLevels {
			c.PrecisionAtRecall[RecallKey(lv)] = 0.9 - 0.08*float64(i) + 0.01*float64(m)
		}
		for i, k := range KLevels {
			c.AccuracyAtK[KKey(k)] = 0.8 - 0.05*float64(i) + 0.02*float64(m)
		}
		c.MAP = 0.3 + 0.01*float64(m)
		r.Methods[name] = c
	}
	r.Methods["short"] = Curve{
		PrecisionAtRecall: map[string]float64{"0.1": 0.5, "1.0": 0.05},
		AccuracyAtK:       map[string]float64{"1": 0.25},
	}
	return r
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleReport(), []string{"autoencoder-10", "LSA-10", "short"}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "table.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("table:\n%s\nwant:\n%s", buf.Bytes(), want)
	}
	if err := WriteTable(&buf, sampleReport(), []string{"nope"}); !errors.Is(err, ErrMethod) {
		t.Errorf("unknown method: err = %v", err)
	}
}

func TestPlot(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fig4.png")
	if err := Plot(path, "20 Newsgroups", sampleReport(), nil); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 10 x 4.5 inches at 96 dpi.
	if b := img.Bounds(); b.Dx() != 960 || b.Dy() != 432 {
		t.Errorf("image is %dx%d, want 960x432", b.Dx(), b.Dy())
	}
	if err := Plot(path, "", sampleReport(), []string{"nope"}); !errors.Is(err, ErrMethod) {
		t.Errorf("unknown method: err = %v", err)
	}
}

// TestReportJSON pins the JSON field names and key format other tools read.
func TestReportJSON(t *testing.T) {
	t.Parallel()
	r := Report{Queries: 2, Methods: map[string]Curve{"m": {
		PrecisionAtRecall: map[string]float64{RecallKey(1): 0.5},
		AccuracyAtK:       map[string]float64{KKey(1023): 0.25},
		MAP:               0.125,
	}, "empty": {PrecisionAtRecall: map[string]float64{}, AccuracyAtK: map[string]float64{}}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"queries":2,"methods":{"empty":{"precision_at_recall":{},"accuracy_at_k":{}},"m":{"precision_at_recall":{"1.0":0.5},"accuracy_at_k":{"1023":0.25},"map":0.125}}}`
	if string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
}
