// Command dnn runs mnist.RunDNN on a slice of MNIST with a chosen greedy
// learning rate, for comparing recipes cheaply. README's 20,000-image
// figures for the autoencoder start come from
//
//	go run ./bench/recipes/dnn -init autoencoder -plr 0.1
//	go run ./bench/recipes/dnn -init autoencoder -plr 0.01
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/docsearch/docsearch/mnist"
	"github.com/docsearch/docsearch/rbmstack"
)

func main() {
	n := flag.Int("n", 20000, "")
	pe := flag.Int("pe", 10, "")
	fe := flag.Int("fe", 15, "")
	name := flag.String("init", "autoencoder", "none, supervised, rbm, autoencoder or denoising")
	lr := flag.Float64("plr", 0.1, "")
	flag.Parse()
	init, err := mnist.ParseInit(*name)
	if err != nil {
		panic(err)
	}
	dir, _ := mnist.DefaultDir()
	train, test, _ := mnist.Load(dir)
	c := mnist.Common{Budget: mnist.Budget{TrainImages: *n, PretrainEpochs: *pe, TopEpochs: *pe, FineTuneEpochs: *fe}, Seed: 1,
		Observer: rbmstack.ProgressBars(os.Stderr)}
	res, _, err := mnist.RunDNN(context.Background(), train, test, mnist.DNNOptions{Common: c, Init: init, PretrainLR: float32(*lr)})
	if err != nil {
		panic(err)
	}
	fmt.Printf("init %s plr %g: test %.2f%% train %.2f%% best %d\n", init, *lr, 100*res.TestError, 100*res.TrainError, res.BestEpoch)
}
