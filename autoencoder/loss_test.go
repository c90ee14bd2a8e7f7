package autoencoder

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLogisticLossSkipsZeroTerms: lossOf leaves out the terms of weight 0
// and gives the sum of every term, bit for bit, on targets of 0, 1 and
// between, outputs anywhere in [0, 1] (the ends are clamped).
func TestLogisticLossSkipsZeroTerms(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	y, tg := make([]float32, 784), make([]float32, 784)
	for trial := 0; trial < 200; trial++ {
		for j := range y {
			y[j] = []float32{0, 1, 1e-9, r.Float32()}[r.IntN(4)]
			tg[j] = []float32{0, 0, 1, r.Float32()}[r.IntN(4)]
		}
		var want float64
		for j, tj := range tg {
			yj := min(max(float64(y[j]), 1e-7), 1-1e-7)
			want -= float64(tj)*math.Log(yj) + (1-float64(tj))*math.Log(1-yj)
		}
		if got := lossOf(LogisticCE, y, tg); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("trial %d: lossOf = %v, every term summed = %v", trial, got, want)
		}
	}
}
