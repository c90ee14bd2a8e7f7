package mnist_test

import (
	"fmt"

	"github.com/docsearch/docsearch/mnist"
)

func ExampleSquaredError() {
	// Two images of two pixels; each reconstruction has one pixel off by 1.
	x := []float32{1, 0, 0, 1}
	y := []float32{0, 0, 1, 1}
	fmt.Println(mnist.SquaredError(x, y, 2))
	// Output: 1
}

func ExampleFitPCA() {
	// Four 3-pixel images on a line through (0.5, 0.5, 0.5): one component
	// reconstructs them exactly.
	x := []float32{
		0.2, 0.5, 0.8,
		0.4, 0.5, 0.6,
		0.6, 0.5, 0.4,
		0.8, 0.5, 0.2,
	}
	p, err := mnist.FitPCA(x, 4, 3, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("mean %.2f\n", p.Mean)
	fmt.Printf("variance %.3f\n", p.Variances[0])
	fmt.Printf("error %.6f\n", mnist.SquaredError(x, p.Reconstruct(x, 4), 4))
	// Output:
	// mean [0.50 0.50 0.50]
	// variance 0.100
	// error 0.000000
}
