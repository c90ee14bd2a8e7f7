package main

import (
	"io"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/pipeline"
)

func quiet(c *cli.Context) {
	if c.Bool("quiet") {
		progress.SetOutput(nil)
	}
}

func evalPlot(path, title string, ev *pipeline.Evaluation) error {
	return eval.Plot(path, title, ev.Report, ev.Order)
}

func evalTable(w io.Writer, ev *pipeline.Evaluation) error {
	return eval.WriteTable(w, ev.Report, ev.Order)
}
