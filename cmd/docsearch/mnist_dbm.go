package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/mnist"
	"github.com/docsearch/docsearch/rbmstack"
)

func mnistDBMCmd() *cli.Command {
	return &cli.Command{
		Name:  "dbm",
		Usage: "deep Boltzmann machine 784-500-1000: AIS log Z, test log-probability, classification (Salakhutdinov & Hinton 2009)",
		Flags: mnistFlags(append([]cli.Flag{
			&cli.StringFlag{Name: "sizes", Value: "500,1000", Usage: "hidden layer widths, two or three, comma-separated"},
			&cli.IntFlag{Name: "joint-epochs", Usage: "epochs of joint training (default: the profile's, 30 for paper: 18,000 updates; the paper made 300,000, 500 epochs)"},
			&cli.StringFlag{Name: "samples", Usage: "PNG of 100 persistent chains' visible probabilities (10x10 grid)"},
			&cli.IntFlag{Name: "ais-runs", Usage: "AIS runs", DefaultText: "50, paper profile 100"},
			&cli.IntFlag{Name: "ais-betas", Usage: "AIS intermediate distributions", DefaultText: "2000, paper profile 14500"},
			&cli.StringFlag{Name: "ais-base", Value: "data", Usage: "AIS base model's hidden layers: data (units on as often as the model's posteriors on 10,000 training images) or uniform"},
			&cli.StringFlag{Name: "ais-chains", Value: "odd", Usage: "the layers AIS runs its chains over, the others summed out: odd (h1) or even (v, h2)"},
		}, classifierFlags()...)...),
		Action: runMNISTDBM,
	}
}

func runMNISTDBM(c *cli.Context) error {
	common, err := mnistCommon(c)
	errs := []error{err}
	sizes, err := parseSizes(c.String("sizes"), 2, 3)
	if err != nil {
		errs = append(errs, fmt.Errorf("--sizes: %w", err))
	}
	if n := c.Int("joint-epochs"); n < 0 || n > 100000 {
		errs = append(errs, fmt.Errorf("--joint-epochs: must be in [0, 100000] (0: the profile's), got %d", n))
	}
	if n := c.Int("ais-runs"); n < 0 {
		errs = append(errs, fmt.Errorf("--ais-runs: must not be negative, got %d", n))
	}
	if n := c.Int("ais-betas"); n < 0 || (n > 0 && n < 3) {
		errs = append(errs, fmt.Errorf("--ais-betas: must be at least 3, got %d", n))
	}
	if ch := c.String("ais-chains"); ch != "even" && ch != "odd" {
		errs = append(errs, fmt.Errorf("--ais-chains: must be even or odd, got %q", ch))
	}
	if b := c.String("ais-base"); b != "uniform" && b != "data" {
		errs = append(errs, fmt.Errorf("--ais-base: must be uniform or data, got %q", b))
	}
	cl, err := parseClassifier(c)
	errs = append(errs, err)
	train, test, stop, err := mnistRun(c, errs...)
	if err != nil {
		return err
	}
	defer stop()
	res, _, err := mnist.RunDBM(c.Context, train, test, mnist.DBMOptions{Common: common, Sizes: sizes, Epochs: c.Int("joint-epochs"), AISRuns: c.Int("ais-runs"), AISBetas: c.Int("ais-betas"), AISChains: c.String("ais-chains"), AISBase: c.String("ais-base"),
		Classifier: cl})
	if err != nil {
		return resumeHint(err)
	}
	if path := c.String("samples"); path != "" {
		if err := mnist.WriteDBMSamples(path, res.Particles); err != nil {
			return err
		}
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, res)
	}
	w, pub := c.App.Writer, mnist.Published
	fmt.Fprintf(w, "deep Boltzmann machine 784-%s (%s profile, %d training images, %d epochs):\n", rbmstack.Shape(sizes...), common.Profile, res.TrainImages, res.Epochs)
	fmt.Fprintf(w, "  %-34s %9s  (paper %s; train %s; epoch %d)\n", "test error", percent(res.TestError), percent(pub.DBMTestError), percent(res.TrainError), res.BestEpoch)
	if res.RefitTestError != nil {
		fmt.Fprintf(w, "  %-34s %9s  (train %s)\n", "refitted on every image", percent(*res.RefitTestError), percent(*res.RefitTrainError))
	}
	fmt.Fprintf(w, "  %-34s %8.2f   (paper %.2f; 10,000 training images %.2f)\n", "test log-probability bound, nats", res.TestLogProb, pub.DBMTestLogProb, res.TrainLogProb)
	fmt.Fprintf(w, "  %-34s %8.2f   (paper %.2f; +%.2f at 3 s.e., %d runs x %d betas, %s chains, %s base)\n", "log Z by AIS", res.LogZ, pub.DBMLogZ, res.LogZErr, res.AISRuns, res.AISBetas, res.AISChains, res.AISBase)
	fmt.Fprintf(w, "  %-34s %8.1f of %d runs (log-weight s.d. %.2f nats)\n", "AIS effective sample size", res.AISESS, res.AISRuns, res.AISLogWStd)
	if !res.LogZReliable {
		fmt.Fprintf(w, "  warning: a few AIS runs carry the estimate, so log Z is probably too low and the\n"+
			"  log-probability too high; raise --ais-betas until log Z stops rising\n")
	}
	fmt.Fprintf(w, "  time %.0f s\n", res.Seconds)
	return nil
}
