// Command quick runs one MNIST experiment under a chosen budget and prints
// its error and wall time, for choosing the quick profile's budget (README
// "Quick profiles"). For example
//
//	go run ./bench/recipes/quick -exp dbn -n 60000 -pe 5 -te 5 -fe 1
//	go run ./bench/recipes/quick -exp dnn -init none -n 60000 -fe 5
//	go run ./bench/recipes/quick -exp dbm -n 60000 -pe 2 -te 1 -fe 5
//	go run ./bench/recipes/quick -exp autoencoder -n 60000 -pe 2 -te 2 -fe 5
//
// -data names another folder of IDX files (as --data does).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/docsearch/docsearch/mnist"
	"github.com/docsearch/docsearch/rbmstack"
)

func main() {
	exp := flag.String("exp", "dbn", "dbn, dnn, dbm or autoencoder")
	n := flag.Int("n", 60000, "training images")
	pe := flag.Int("pe", 3, "pretraining epochs per layer")
	te := flag.Int("te", 3, "top epochs (DBN top memory, DBM joint, linear code)")
	fe := flag.Int("fe", 5, "fine-tuning epochs (up-down for the DBN)")
	name := flag.String("init", "rbm", "dnn start: none, supervised, rbm, autoencoder or denoising")
	dir := flag.String("data", "", "folder of IDX files (default: MNIST from the module cache)")
	seed := flag.Uint64("seed", 1, "")
	bars := flag.Bool("bars", false, "progress bars on stderr")
	flag.Parse()
	if *dir == "" {
		d, err := mnist.DefaultDir()
		check(err)
		*dir = d
	}
	train, test, err := mnist.Load(*dir)
	check(err)
	c := mnist.Common{Budget: mnist.Budget{TrainImages: *n, PretrainEpochs: *pe, TopEpochs: *te, FineTuneEpochs: *fe}, Seed: *seed}
	if *bars {
		c.Observer = rbmstack.ProgressBars(os.Stderr)
	}
	ctx := context.Background()
	start := time.Now()
	var out string
	switch *exp {
	case "dbn":
		res, _, err := mnist.RunDBN(ctx, train, test, mnist.DBNOptions{Common: c})
		check(err)
		out = fmt.Sprintf("test %.2f%% train %.2f%% before up-down %.2f%%", 100*res.TestError, 100*res.TrainError, 100*res.PretrainTestError)
	case "dnn":
		init, err := mnist.ParseInit(*name)
		check(err)
		res, _, err := mnist.RunDNN(ctx, train, test, mnist.DNNOptions{Common: c, Init: init})
		check(err)
		out = fmt.Sprintf("init %s: test %.2f%% train %.2f%% best epoch %d", init, 100*res.TestError, 100*res.TrainError, res.BestEpoch)
	case "dbm":
		res, _, err := mnist.RunDBM(ctx, train, test, mnist.DBMOptions{Common: c, AISRuns: 10, AISBetas: 500})
		check(err)
		out = fmt.Sprintf("test %.2f%% train %.2f%%", 100*res.TestError, 100*res.TrainError)
	case "autoencoder":
		res, _, _, err := mnist.RunAutoencoder(ctx, train, test, mnist.AutoencoderOptions{Common: c})
		check(err)
		out = fmt.Sprintf("autoencoder %.2f PCA %.2f pretrained %.2f", res.AutoencoderTestSqError, res.PCATestSqError, res.PretrainedTestSqError)
	default:
		check(fmt.Errorf("unknown -exp %q", *exp))
	}
	fmt.Printf("%s n=%d pe=%d te=%d fe=%d seed=%d: %s, %.0f s\n", *exp, *n, *pe, *te, *fe, *seed, out, time.Since(start).Seconds())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "quick:", err)
		os.Exit(1)
	}
}
