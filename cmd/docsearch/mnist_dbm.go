package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/mnist"
)

// dbmCmd is `docsearch mnist dbm`; common adds the flags every MNIST
// subcommand shares (data, profile, seed, json, quiet).
func dbmCmd(common func(extra ...cli.Flag) []cli.Flag) *cli.Command {
	return &cli.Command{
		Name:  "dbm",
		Usage: "deep Boltzmann machine 784-500-1000: AIS log Z, test log-probability, classification (Salakhutdinov & Hinton 2009)",
		Flags: common(
			&cli.StringFlag{Name: "sizes", Value: "500,1000", Usage: "hidden layer widths, two or three, comma-separated"},
			&cli.StringFlag{Name: "samples", Usage: "PNG of 100 persistent chains' visible probabilities (10x10 grid)"},
			&cli.IntFlag{Name: "ais-runs", Usage: "AIS runs", DefaultText: "50, paper profile 100"},
			&cli.IntFlag{Name: "ais-betas", Usage: "AIS intermediate distributions", DefaultText: "2000, paper profile 14500"},
			checkpointFlag(), resumeFlag(),
		),
		Action: func(c *cli.Context) error {
			quiet(c)
			sizes, err := parseSizes(c.String("sizes"))
			if err != nil {
				return fmt.Errorf("--sizes: %w", err)
			}
			if n := c.Int("ais-runs"); n < 0 {
				return fmt.Errorf("--ais-runs: must not be negative, got %d", n)
			}
			if n := c.Int("ais-betas"); n < 0 || (n > 0 && n < 3) {
				return fmt.Errorf("--ais-betas: must be at least 3, got %d", n)
			}
			ckDir, resume, err := checkpointOptions(c)
			if err != nil {
				return err
			}
			train, test, p, err := mnistSetup(c)
			if err != nil {
				return err
			}
			res, _, err := mnist.RunDBM(train, test, mnist.DBMOptions{Profile: p, Sizes: sizes,
				AISRuns: c.Int("ais-runs"), AISBetas: c.Int("ais-betas"), Seed: c.Uint64("seed"), Checkpoint: ckDir, Resume: resume})
			if err != nil {
				return err
			}
			if path := c.String("samples"); path != "" {
				if err := mnist.WriteDBMSamples(path, res.Particles); err != nil {
					return err
				}
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, res)
			}
			w := c.App.Writer
			fmt.Fprintf(w, "deep Boltzmann machine 784-%s (%s profile, %d training images, %d epochs):\n", strings.ReplaceAll(c.String("sizes"), ",", "-"), p.Name, res.TrainImages, res.Epochs)
			fmt.Fprintf(w, "  %-34s %8.2f%%  (paper 0.95%%; train %.2f%%)\n", "test error", 100*res.TestError, 100*res.TrainError)
			fmt.Fprintf(w, "  %-34s %8.2f   (paper -84.62; 10,000 training images %.2f)\n", "test log-probability bound, nats", res.TestLogProb, res.TrainLogProb)
			fmt.Fprintf(w, "  %-34s %8.2f   (paper 356.18; +%.2f at 3 s.e., %d runs x %d betas)\n", "log Z by AIS", res.LogZ, res.LogZErr, res.AISRuns, res.AISBetas)
			fmt.Fprintf(w, "  %-34s %8.1f of %d runs (log-weight s.d. %.2f nats)\n", "AIS effective sample size", res.AISESS, res.AISRuns, res.AISLogWStd)
			if !res.LogZReliable {
				fmt.Fprintf(w, "  warning: a few AIS runs carry the estimate, so log Z is probably too low and the\n"+
					"  log-probability too high; raise --ais-betas until log Z stops rising\n")
			}
			fmt.Fprintf(w, "  time %.0f s\n", res.Seconds)
			return nil
		},
	}
}

// parseSizes reads comma-separated positive layer widths.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1<<16 {
			return nil, fmt.Errorf("want comma-separated widths in [1, 65536], got %q", s)
		}
		out = append(out, n)
	}
	if len(out) < 2 || len(out) > 3 {
		return nil, fmt.Errorf("want two or three hidden layers, got %q", s)
	}
	return out, nil
}
