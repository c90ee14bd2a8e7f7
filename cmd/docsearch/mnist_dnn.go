package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/mnist"
)

func mnistDNNCmd() *cli.Command {
	return &cli.Command{
		Name:  "dnn",
		Usage: "a deep net trained three ways: no pretraining, supervised or unsupervised greedy pretraining (Bengio et al. 2007)",
		Flags: mnistFlags(append([]cli.Flag{
			&cli.StringFlag{Name: "init", Value: "rbm", Usage: "none, supervised, rbm, autoencoder or denoising"},
			&cli.BoolFlag{Name: "compare", Usage: "run every initialisation and print the comparison table"},
		}, classifierFlags()...)...),
		Action: runMNISTDNN,
	}
}

func runMNISTDNN(c *cli.Context) error {
	common, err := mnistCommon(c)
	init, ierr := mnist.ParseInit(c.String("init"))
	if ierr != nil {
		ierr = fmt.Errorf("--init: %w", ierr)
	}
	inits := []mnist.Init{init}
	if c.Bool("compare") {
		inits, ierr = mnist.Inits, nil
	}
	cl, ferr := parseClassifier(c)
	train, test, stop, err := mnistRun(c, err, ierr, ferr)
	if err != nil {
		return err
	}
	defer stop()
	results := map[string]*mnist.DNNResult{}
	for _, in := range inits {
		res, _, err := mnist.RunDNN(c.Context, train, test, mnist.DNNOptions{Common: common, Init: in, Classifier: cl})
		if err != nil {
			return resumeHint(fmt.Errorf("--init %s: %w", in, err))
		}
		results[in.String()] = res
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{"results": results})
	}
	w := c.App.Writer
	fmt.Fprintf(w, "784-500-500-2000-10, %s profile\n%-12s %10s %10s %6s %8s\n", common.Profile, "init", "test err", "train err", "epoch", "seconds")
	for _, in := range inits {
		r := results[in.String()]
		fmt.Fprintf(w, "%-12s %10s %10s %6d %8.0f\n", in, percent(r.TestError), percent(r.TrainError), r.BestEpoch, r.Seconds)
		if r.RefitTestError != nil {
			fmt.Fprintf(w, "%-12s %10s %10s\n", "  refitted", percent(*r.RefitTestError), percent(*r.RefitTrainError))
		}
		printReach(w, r.Reach, percent)
	}
	return nil
}

// classifierFlags are the flags of a classifier's fine-tuning (mnist dnn
// and dbm): --finetune, --select and --refit.
func classifierFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "finetune", Value: "sgd", Usage: "sgd (momentum, cosine schedule, batch 100) or cg (the Science paper's: conjugate gradients, 3 line searches on batches of 1000, the output layer alone for the first 6 epochs)"},
		&cli.StringFlag{Name: "select", Value: "loss", Usage: "what early stopping keeps on the held-out tenth: the epoch of the lowest loss or of the fewest errors (error)"},
		&cli.BoolFlag{Name: "refit", Usage: "after early stopping, train again from the same start on every training image for the chosen number of epochs"},
	}
}

// parseClassifier reads the flags of classifierFlags; the error names
// each bad flag.
func parseClassifier(c *cli.Context) (mnist.Classifier, error) {
	ft, ferr := autoencoder.ParseMethod(c.String("finetune"))
	if ferr == nil && ft == autoencoder.Adam {
		ferr = fmt.Errorf("must be sgd or cg, got %q", c.String("finetune"))
	}
	if ferr != nil {
		ferr = fmt.Errorf("--finetune: %w", ferr)
	}
	sel, serr := autoencoder.ParseSelect(c.String("select"))
	if serr != nil {
		serr = fmt.Errorf("--select: %w", serr)
	}
	return mnist.Classifier{Refit: c.Bool("refit"), Finetune: ft, Select: sel}, errors.Join(ferr, serr)
}
