// Command dnn runs mnist.RunDNN on a slice of MNIST with a chosen greedy
// learning rate, for comparing recipes cheaply. README's 20,000-image
// figures for the autoencoder start come from
//
//	go run ./bench/recipes/dnn -init autoencoder -plr 0.1
//	go run ./bench/recipes/dnn -init autoencoder -plr 0.01
package main

import (
	"flag"
	"fmt"

	"github.com/docsearch/docsearch/mnist"
)

func main() {
	n := flag.Int("n", 20000, "")
	pe := flag.Int("pe", 10, "")
	fe := flag.Int("fe", 15, "")
	init := flag.String("init", "autoencoder", "")
	lr := flag.Float64("plr", 0.1, "")
	flag.Parse()
	dir, _ := mnist.DefaultDir()
	train, test, _ := mnist.Load(dir)
	p := mnist.Profile{Name: "exp", TrainImages: *n, PretrainEpochs: *pe, TopEpochs: *pe, FineTuneEpochs: *fe}
	res, _, err := mnist.RunDNN(train, test, mnist.DNNOptions{Profile: p, Init: *init, PretrainLR: float32(*lr), Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("init %s plr %g: test %.2f%% train %.2f%% best %d\n", *init, *lr, 100*res.TestError, 100*res.TrainError, res.BestEpoch)
}
