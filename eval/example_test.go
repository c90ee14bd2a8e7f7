package eval_test

import (
	"fmt"
	"os"

	"github.com/docsearch/docsearch/eval"
)

// Four 2-D codes in two classes: each code's nearest neighbour by cosine
// shares its label, so precision is 1 until the other class is reached.
func ExampleEvaluate() {
	codes := []float32{
		1, 0.1, // sport
		1, 0.2, // sport
		0.1, 1, // space
		0.3, 1, // space
	}
	labels := []string{"sport", "sport", "space", "space"}
	c, queries := eval.Evaluate(eval.CosineScorer(codes, 2), labels)
	fmt.Println("queries:", queries)
	fmt.Println("precision at recall 1.0:", c.PrecisionAtRecall[eval.RecallKey(1)])
	fmt.Printf("accuracy at 3: %.3f\n", c.AccuracyAtK[eval.KKey(3)])
	fmt.Println("mean average precision:", c.MAP)

	r := eval.Report{Queries: queries, Methods: map[string]eval.Curve{"codes": c}}
	if err := eval.WriteTable(os.Stdout, r, nil); err != nil {
		fmt.Println(err)
	}
	// Output:
	// queries: 4
	// precision at recall 1.0: 1
	// accuracy at 3: 0.333
	// mean average precision: 1
	// queries 4
	//                codes
	// P@R 0.001     1.0000
	// P@R 0.002     1.0000
	// P@R 0.005     1.0000
	// P@R 0.01      1.0000
	// P@R 0.02      1.0000
	// P@R 0.05      1.0000
	// P@R 0.1       1.0000
	// P@R 0.2       1.0000
	// P@R 0.4       1.0000
	// P@R 0.8       1.0000
	// P@R 1.0       1.0000
	// acc@k 1       1.0000
	// acc@k 3       0.3333
	// acc@k 7       0.3333
	// acc@k 10      0.3333
	// acc@k 15      0.3333
	// acc@k 31      0.3333
	// acc@k 63      0.3333
	// acc@k 127     0.3333
	// acc@k 255     0.3333
	// acc@k 511     0.3333
	// acc@k 1023    0.3333
	// MAP           1.0000
}
