package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

func evalCmd() *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "precision-recall of the product's rankings and of baselines, every labeled document querying all others",
		Description: "Every labeled document queries all the others (Hinton & Salakhutdinov 2006): the codes'\n" +
			"cosine (autoencoder-D, semantic mode), the product's keyword and hybrid rankings of the\n" +
			"document (\"more like this\", as `query --doc`) and baselines computed on the same words.\n" +
			"An index built with --bits adds hamming-B (Hamming ranking of the B-bit codes) and\n" +
			"hash-32-tfidf (the 300 or more documents nearest the 32-bit address, ranked by TF-IDF, first).\n" +
			"--short adds the short-query protocol: each document's title (a post's Subject without\n" +
			"\"Re:\") is typed as a query in every mode.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
			&cli.StringFlag{Name: "plot", Usage: "write the precision-recall curves as a PNG"},
			&cli.StringFlag{Name: "title", Usage: "title of the plot (default: the index folder's name)"},
			&cli.StringSliceFlag{Name: "modes", Value: cli.NewStringSlice("keyword", "hybrid"), Usage: "product rankings to evaluate besides the codes: keyword, hybrid (empty for none)"},
			&cli.BoolFlag{Name: "short", Usage: "also run the short-query protocol (titles as queries)"},
			&cli.StringSliceFlag{Name: "baselines", Value: cli.NewStringSlice(pipeline.Baselines...), Usage: "baselines: lsa-K, tfidf, bm25 (empty for none)"},
			&cli.BoolFlag{Name: "pretrained", Value: true, Usage: "also report the stack's codes before fine-tuning"},
			&cli.BoolFlag{Name: "layers", Usage: "also report every pretrained hidden layer"},
			&cli.StringSliceFlag{Name: "with", Usage: "another index of the same documents (e.g. a larger --code) to compare on the same report"},
		},
		Action: func(c *cli.Context) error {
			o := pipeline.EvalOptions{Pretrained: c.Bool("pretrained"), Layers: c.Bool("layers"), With: c.StringSlice("with"), Short: c.Bool("short")}
			o.Baselines = nonEmpty(c.StringSlice("baselines"))
			o.Modes = []query.Mode{}
			for _, s := range nonEmpty(c.StringSlice("modes")) {
				m, err := query.ParseMode(s)
				if err != nil || m == query.Semantic {
					return fmt.Errorf("--modes: %q: the product rankings are keyword and hybrid (semantic is the autoencoder row)", s)
				}
				o.Modes = append(o.Modes, m)
			}
			ev, err := pipeline.Evaluate(c.String("index"), o)
			if err != nil {
				return err
			}
			if p := c.String("plot"); p != "" {
				name := c.String("title")
				if name == "" {
					name = filepath.Base(filepath.Clean(c.String("index")))
				}
				title := fmt.Sprintf("%s: %d queries", name, ev.Report.Queries)
				if err := evalPlot(p, title, ev); err != nil {
					return err
				}
			}
			w := c.App.Writer
			if c.Bool("json") {
				return json.NewEncoder(w).Encode(struct {
					eval.Report
					Short *pipeline.ShortReport `json:"short_queries,omitempty"`
				}{ev.Report, ev.Short})
			}
			fmt.Fprintf(w, "%d queries, %d methods, %.1f s\n", ev.Report.Queries, len(ev.Order), ev.Seconds)
			if err := evalTable(w, ev); err != nil {
				return err
			}
			if ev.Short != nil {
				printShort(w, ev.Short)
			}
			return nil
		},
	}
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func printShort(w interface{ Write([]byte) (int, error) }, s *pipeline.ShortReport) {
	fmt.Fprintf(w, "\nshort queries (titles), %d queries\n%-10s %8s %8s %8s %8s\n", s.Queries, "mode", "P@1", "P@3", "P@10", "MAP")
	for _, m := range query.Modes {
		c, ok := s.Methods[m.String()]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "%-10s %8.3f %8.3f %8.3f %8.3f\n", m, c.PrecisionAtK["1"], c.PrecisionAtK["3"], c.PrecisionAtK["10"], c.MAP)
	}
}
