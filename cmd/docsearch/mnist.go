package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/mnist"
)

func mnistCmd() *cli.Command {
	return &cli.Command{
		Name:        "mnist",
		Usage:       "digit experiments on the same RBM and backprop core",
		Subcommands: []*cli.Command{mnistAutoencoderCmd(), mnistDBNCmd(), mnistDNNCmd(), mnistDBMCmd(), mnistFontDigitsCmd()},
	}
}

// mnistFlags returns the flags every MNIST subcommand shares, then extra.
func mnistFlags(extra ...cli.Flag) []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "data", Usage: "folder of the four MNIST IDX files (default: the copy in the Go module cache)"},
		&cli.StringFlag{Name: "profile", Value: "quick", Usage: "quick (minutes) or paper (the published recipe)"},
		&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed (same seed, same model)"},
		&cli.StringFlag{Name: "checkpoint", Usage: "folder where every training stage is saved after every epoch"},
		&cli.BoolFlag{Name: "resume", Usage: "continue the run saved in --checkpoint (same options and seed give the same model)"},
		&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
		&cli.BoolFlag{Name: "quiet", Usage: "no progress output"},
	}, extra...)
}

// mnistCommon maps the shared flags to mnist.Common, reporting every
// problem at once.
func mnistCommon(c *cli.Context) (mnist.Common, error) {
	var errs []error
	p, err := mnist.ParseProfile(c.String("profile"))
	if err != nil {
		errs = append(errs, fmt.Errorf("--profile: %w", err))
	}
	if c.Uint64("seed") == 0 {
		errs = append(errs, errors.New("--seed: must be positive"))
	}
	if c.Bool("resume") && c.String("checkpoint") == "" {
		errs = append(errs, errors.New("--resume: needs --checkpoint DIR, the folder of the run to continue"))
	}
	o := mnist.Common{Profile: p, Seed: c.Uint64("seed"), Checkpoint: c.String("checkpoint"), Resume: c.Bool("resume")}
	o.Observer = observer(c)
	return o, errors.Join(errs...)
}

// mnistData loads the training and test sets of --data.
func mnistData(c *cli.Context) (train, test *mnist.Set, err error) {
	dir := c.String("data")
	if dir == "" {
		if dir, err = mnist.DefaultDir(); err != nil {
			return nil, nil, err
		}
	}
	return mnist.Load(dir)
}

// mnistRun prepares an MNIST subcommand: its options' problems first
// (all of them, before any data are read), then the data and a context
// that an interrupt cancels (a cancelled run keeps its checkpoint).
func mnistRun(c *cli.Context, errs ...error) (train, test *mnist.Set, stop func(), err error) {
	if err := errors.Join(errs...); err != nil {
		return nil, nil, nil, err
	}
	if train, test, err = mnistData(c); err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := signal.NotifyContext(c.Context, os.Interrupt)
	c.Context = ctx
	return train, test, cancel, nil
}

func writeJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

// parseSizes reads comma-separated positive layer widths, between lo and
// hi of them.
func parseSizes(s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1<<16 {
			return nil, fmt.Errorf("want comma-separated widths in [1, 65536], got %q", s)
		}
		out = append(out, n)
	}
	if len(out) < lo || len(out) > hi {
		return nil, fmt.Errorf("want %d to %d widths, got %q", lo, hi, s)
	}
	return out, nil
}

// printReach prints when a run first reached its paper's figure, if it did.
func printReach(w io.Writer, r *mnist.Reach, format func(float64) string) {
	if r == nil {
		return
	}
	fmt.Fprintf(w, "  the paper's %s first reached after %.0f s (%s epoch %d: %s)\n", format(r.Paper), r.Seconds, r.Stage, r.Epoch, format(r.Figure))
}

// percent formats an error rate.
func percent(x float64) string { return strconv.FormatFloat(100*x, 'f', 2, 64) + "%" }
