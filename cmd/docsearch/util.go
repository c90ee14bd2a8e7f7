package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/rbmstack"
)

// resumeHint adds how to continue to the error of a run that kept its
// checkpoint.
func resumeHint(err error) error {
	var kept *pipeline.CheckpointKept
	if errors.As(err, &kept) {
		return fmt.Errorf("%w\nto continue: run the same command with --resume", err)
	}
	return err
}

// observer returns the progress bars of a command on its error writer,
// nil with --quiet.
func observer(c *cli.Context) rbmstack.Observer {
	if c.Bool("quiet") {
		return nil
	}
	return rbmstack.ProgressBars(c.App.ErrWriter)
}

func evalPlot(path, title string, ev *pipeline.Evaluation) error {
	return eval.Plot(path, title, ev.Report, ev.Order)
}

func evalTable(w io.Writer, ev *pipeline.Evaluation) error {
	return eval.WriteTable(w, ev.Report, ev.Order)
}
