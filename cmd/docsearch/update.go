package main

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/pipeline"
)

func addCmd() *cli.Command {
	return &cli.Command{
		Name:  "add",
		Usage: "add documents to an index with its model (no retraining)",
		Description: "Encodes the documents of --corpus with the index's own vocabulary and model and adds them\n" +
			"to its codes and its full-text index. A document whose id is already indexed fails the whole\n" +
			"add unless --replace. Queries running meanwhile see the index before or after, never between.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.StringFlag{Name: "corpus", Required: true, Usage: "documents to add (folder, .tar.gz, JSON Lines; PATH#SUBDIR)"},
			&cli.BoolFlag{Name: "replace", Usage: "replace documents whose id is already indexed"},
			&cli.Int64Flag{Name: "max-doc-bytes", Usage: "cut longer documents to this many bytes, and list them (default 32 MiB)"},
			&cli.BoolFlag{Name: "quiet", Usage: "no progress output"},
		},
		Action: func(c *cli.Context) error {
			o := pipeline.AddOptions{Dir: c.String("index"), Corpus: c.String("corpus"), Replace: c.Bool("replace"), Observer: observer(c)}
			if err := flagErrors(o.Validate(), addFlags); err != nil {
				return err
			}
			s, err := pipeline.Add(o)
			if err != nil {
				return err
			}
			w := c.App.Writer
			fmt.Fprintf(w, "added %d documents (%d replaced) to %s: %d documents, %s, in %s\n",
				s.Added, s.Replaced, o.Dir, s.Total, s.Generation, s.Took.Round(1e6))
			printIntake(w, &s.Intake)
			return nil
		},
	}
}

func removeCmd() *cli.Command {
	return &cli.Command{
		Name:      "remove",
		Usage:     "remove documents from an index by id",
		ArgsUsage: "ID...",
		Description: "Removes the documents from the codes and the full-text index. An unknown id fails the whole\n" +
			"command and changes nothing.",
		Flags: []cli.Flag{&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"}},
		Action: func(c *cli.Context) error {
			s, err := pipeline.Remove(c.String("index"), c.Args().Slice())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "removed %d documents from %s: %d documents, %s\n", s.Removed, c.String("index"), s.Total, s.Generation)
			return nil
		},
	}
}

func reanalyzeCmd() *cli.Command {
	return &cli.Command{
		Name:  "reanalyze",
		Usage: "rewrite an index's full-text index with this version's text analysis",
		Description: "Rebuilds the keyword side of an index from its stored text, titles and labels with the text\n" +
			"analysis of this version (info shows which one an index has); the model, codes and documents\n" +
			"stay. Like add and remove it writes a new generation: a kill leaves the index as it was.",
		Flags: []cli.Flag{&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"}},
		Action: func(c *cli.Context) error {
			gen, err := pipeline.Reanalyze(c.String("index"))
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "reanalyzed %s with %s: %s\n", c.String("index"), index.TextAnalyzer, gen)
			return nil
		},
	}
}

func infoCmd() *cli.Command {
	return &cli.Command{
		Name:  "info",
		Usage: "describe an index: documents, labels, model, vocabulary coverage",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
		},
		Action: func(c *cli.Context) error {
			info, err := pipeline.Inspect(c.String("index"))
			if err != nil {
				return err
			}
			w := c.App.Writer
			if c.Bool("json") {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			fmt.Fprintf(w, "index      %s (%s, updated %s)\n", info.Dir, info.Generation, info.Updated.Local().Format("2006-01-02 15:04"))
			fmt.Fprintf(w, "documents  %d in %d labels", info.Documents, len(info.Labels))
			if info.NoCode > 0 {
				fmt.Fprintf(w, " (%d without a vocabulary word: keyword search only)", info.NoCode)
			}
			fmt.Fprintln(w)
			t := info.Train
			fmt.Fprintf(w, "model      %v, code size %d, trained %s on %d documents of %s (profile %s, seed %d, backend %s)\n",
				t.Sizes, info.Dim, t.Trained.Local().Format("2006-01-02 15:04"), t.Docs, t.Corpus, t.Profile, t.Seed, info.Backend)
			if t.Profile != "" {
				printInput(w, t.Input, t.Selection)
			}
			fmt.Fprintf(w, "text       full-text index analyzed by %s\n", info.Analyzer)
			if len(info.Bits) > 0 {
				fmt.Fprintf(w, "binary     codes of %v bits (modes hamming and hash)\n", info.Bits)
			}
			fmt.Fprintf(w, "vocabulary %d terms; coverage of word tokens: training %.1f%%, indexed %.1f%%",
				t.Vocab, 100*info.TrainCoverage, 100*info.IndexedCoverage)
			if info.Added > 0 {
				fmt.Fprintf(w, ", %d added since %.1f%%", info.Added, 100*info.AddedCoverage)
			}
			fmt.Fprintln(w)
			labels := make([]string, 0, len(info.Labels))
			for l := range info.Labels {
				labels = append(labels, l)
			}
			slices.SortFunc(labels, func(a, b string) int {
				if d := info.Labels[b] - info.Labels[a]; d != 0 {
					return d
				}
				return compareStrings(a, b)
			})
			fmt.Fprint(w, "labels    ")
			for i, l := range labels {
				if i == 12 {
					fmt.Fprintf(w, " ... %d more", len(labels)-12)
					break
				}
				if l == "" {
					l = "(none)"
				}
				fmt.Fprintf(w, " %s %d", l, info.Labels[labels[i]])
			}
			fmt.Fprintln(w)
			if info.Advice != "" {
				fmt.Fprintf(w, "advice     %s\n", info.Advice)
			}
			return nil
		},
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
