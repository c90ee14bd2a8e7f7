package autoencoder

import "fmt"

// checkMirror returns an error unless every layer i of n has the transposed
// shape of layer L-1-i, as Tied needs.
func checkMirror(n *Net) error {
	L := len(n.Layers)
	for i := 0; i < L/2; i++ {
		a, b := n.Layers[i], n.Layers[L-1-i]
		if a.In != b.Out || a.Out != b.In {
			return fmt.Errorf("autoencoder: Tied needs a mirror-shaped net; layer %d is %dx%d, layer %d %dx%d", i, a.In, a.Out, L-1-i, b.In, b.Out)
		}
	}
	if L%2 == 1 {
		return fmt.Errorf("autoencoder: Tied needs an even number of layers, got %d", L)
	}
	return nil
}

// tieDecoder sets each decoder layer's weights to its encoder's transpose.
func (n *Net) tieDecoder() {
	L := len(n.Layers)
	for i := 0; i < L/2; i++ {
		a, b := n.Layers[i], n.Layers[L-1-i]
		for r := 0; r < a.In; r++ {
			for c, w := range a.W[r*a.Out : (r+1)*a.Out] {
				b.W[c*b.Out+r] = w
			}
		}
	}
}

// tieGrad folds each decoder layer's weight gradient, transposed, into its
// encoder's and zeroes it, so that the optimiser moves the shared weights
// by their whole gradient and leaves the decoder copies alone.
func (t *Trainer) tieGrad() {
	if !t.Cfg.Tied {
		return
	}
	n := t.Net
	L := len(n.Layers)
	for i := 0; i < L/2; i++ {
		a, b := n.Layers[i], n.Layers[L-1-i]
		ga := t.grad[t.wOff[i] : t.wOff[i]+len(a.W)]
		gb := t.grad[t.wOff[L-1-i] : t.wOff[L-1-i]+len(b.W)]
		for r := 0; r < a.In; r++ {
			row := ga[r*a.Out : (r+1)*a.Out]
			for c := range row {
				row[c] += gb[c*b.Out+r]
			}
		}
		clear(gb)
	}
}

// tieParams refreshes the decoder copies after a step.
func (t *Trainer) tieParams() {
	if t.Cfg.Tied {
		t.Net.tieDecoder()
	}
}
