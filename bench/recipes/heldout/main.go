// Command heldout writes an IDX folder whose training files are the first
// -train images of a data set's training set and whose test files are the
// next -held: every `docsearch mnist` command run with `--data` on it then
// reports its error on held-out training images, which is where recipes
// are chosen (never on the test set). The paper's choice of the DBN's
// up-down settings, for example (Hinton, Osindero & Teh 2006: 44,000
// images trained, 10,000 validated):
//
//	go run ./bench/recipes/heldout -train 44000 -held 10000 -out /tmp/mnist-44k
//	docsearch mnist dbn --profile paper --data /tmp/mnist-44k --updown-momentum 0.5 ...
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/docsearch/docsearch/mnist"
)

func main() {
	data := flag.String("data", "", "IDX folder to split (default: MNIST from the Go module cache)")
	train := flag.Int("train", 44000, "training images kept for training: the first ones")
	held := flag.Int("held", 10000, "training images held out as the test files: the next ones")
	out := flag.String("out", "", "folder to write (required)")
	flag.Parse()
	if *out == "" {
		log.Fatal("heldout: -out is required")
	}
	dir := *data
	if dir == "" {
		var err error
		if dir, err = mnist.DefaultDir(); err != nil {
			log.Fatal(err)
		}
	}
	all, _, err := mnist.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	if *train < 1 || *held < 1 || *train+*held > all.N {
		log.Fatalf("heldout: -train %d and -held %d must be positive and fit the %d training images of %s", *train, *held, all.N, dir)
	}
	if err := mnist.Write(*out, all.Slice(0, *train), all.Slice(*train, *train+*held)); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d training images, %d held out (images %d to %d of %s)\n", *out, *train, *held, *train, *train+*held-1, dir)
}
