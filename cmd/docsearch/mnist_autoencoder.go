package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/mnist"
)

func mnistAutoencoderCmd() *cli.Command {
	return &cli.Command{
		Name:  "autoencoder",
		Usage: "784-1000-500-250-30 autoencoder against PCA-30 (Science 2006, Fig. 2)",
		Flags: mnistFlags(
			&cli.StringFlag{Name: "plot", Usage: "PNG of test digits, autoencoder and PCA reconstructions"},
			&cli.StringFlag{Name: "finetune", Value: "adam", Usage: "adam, sgd or cg"},
		),
		Action: runMNISTAutoencoder,
	}
}

func runMNISTAutoencoder(c *cli.Context) error {
	common, err := mnistCommon(c)
	o := mnist.AutoencoderOptions{Common: common}
	method, merr := autoencoder.ParseMethod(c.String("finetune"))
	if merr != nil {
		merr = fmt.Errorf("--finetune: %w", merr)
	}
	o.FineTune = method
	train, test, stop, err := mnistRun(c, err, merr)
	if err != nil {
		return err
	}
	defer stop()
	res, net, pca, err := mnist.RunAutoencoder(c.Context, train, test, o)
	if err != nil {
		return resumeHint(err)
	}
	if path := c.String("plot"); path != "" {
		if err := mnist.WriteReconstructions(path, net, pca, test, 10); err != nil {
			return err
		}
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, res)
	}
	w, pub := c.App.Writer, mnist.Published
	fmt.Fprintf(w, "average squared reconstruction error per test image (%d training images, %s profile):\n", res.TrainImages, common.Profile)
	fmt.Fprintf(w, "  %-28s %8.2f   (paper %.2f)\n", "autoencoder 784-...-30", res.AutoencoderTestSqError, pub.AutoencoderSqError)
	fmt.Fprintf(w, "  %-28s %8.2f\n", "pretrained only", res.PretrainedTestSqError)
	fmt.Fprintf(w, "  %-28s %8.2f   (paper %.2f)\n", "PCA, 30 components", res.PCATestSqError, pub.PCASqError)
	fmt.Fprintf(w, "  time %.0f s\n", res.Seconds)
	printReach(w, res.Reach, func(x float64) string { return fmt.Sprintf("%.2f", x) })
	return nil
}
