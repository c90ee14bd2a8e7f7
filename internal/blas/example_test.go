package blas_test

import (
	"fmt"

	"github.com/docsearch/docsearch/internal/blas"
)

// A 2×3 times the transpose of a 2×3 matrix: C = A Bᵀ is 2×2.
func ExampleSgemm() {
	a := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	b := []float32{
		1, 0, 1,
		0, 1, 0,
	}
	c := make([]float32, 2*2)
	blas.Sgemm(false, true, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}
