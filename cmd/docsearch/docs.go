package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/internal/blas"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

func indexCmd() *cli.Command {
	return &cli.Command{
		Name:  "index",
		Usage: "train the model and index a corpus",
		Description: "Reads the corpus (a folder with one subfolder per class, a plain folder, a .tar/.tar.gz of\n" +
			"either, or JSON Lines of {\"id\",\"text\",\"label\"}; PATH#SUBDIR picks a subfolder), trains the\n" +
			"vocabulary, the RBM stack and the autoencoder on --train (default: the corpus) and writes\n" +
			"every document's code to the index. Without --corpus it indexes the documentation of the\n" +
			"Go standard library. A re-run replaces the index only when the new one is complete.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "corpus", Usage: "corpus to index (default: " + pipeline.GoStd + ", the Go toolchain's package docs)"},
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.StringFlag{Name: "train", Usage: "corpus to train on (default: the indexed corpus)"},
			&cli.StringFlag{Name: "profile", Value: "paper", Usage: "training recipe: paper or quick"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed (same seed, same model)"},
			&cli.IntFlag{Name: "vocab", Value: 2000, Usage: "vocabulary size"},
			&cli.IntFlag{Name: "code", Value: 10, Usage: "code size"},
			&cli.IntSliceFlag{Name: "hidden", Value: cli.NewIntSlice(500, 250, 125), Usage: "hidden layer widths below the code"},
			&cli.IntSliceFlag{Name: "bits", Usage: "also train binary codes (semantic hashing) of these widths: 32, 64 and/or 128 (0: none, the default)"},
			&cli.BoolFlag{Name: "stem", Usage: "English stemming"},
			&cli.StringFlag{Name: "input", Usage: "weighting of the word counts: auto (the paper profile's default: trains with counts and with log-idf and keeps the better on held-out training documents when the training corpus is labelled, else log-idf), counts (the quick profile's default) or log-idf"},
			&cli.StringFlag{Name: "finetune", Value: "adam", Usage: "fine-tuning: adam, cg (conjugate gradients, as the paper) or none"},
			&cli.IntFlag{Name: "epochs", Usage: "override every layer's epochs (experiments)"},
			&cli.Int64Flag{Name: "max-doc-bytes", Usage: "cut longer documents to this many bytes, and list them (default 32 MiB)"},
			&cli.BoolFlag{Name: "resume", Usage: "continue a killed or failed run (pretraining and fine-tuning) from its checkpoint; refused when the settings differ"},
			&cli.BoolFlag{Name: "quiet", Usage: "no progress output"},
		},
		Action: func(c *cli.Context) error {
			o := pipeline.Options{
				Corpus: c.String("corpus"), Train: c.String("train"), Dir: c.String("index"),
				Profile: pipeline.Profile(c.String("profile")), Seed: c.Uint64("seed"), VocabSize: c.Int("vocab"),
				Code: c.Int("code"), Hidden: c.IntSlice("hidden"), Stem: c.Bool("stem"),
				FineTune: pipeline.FineTuning(c.String("finetune")), Input: pipeline.Input(c.String("input")),
				Epochs: c.Int("epochs"), Resume: c.Bool("resume"),
				MaxDocBytes: c.Int64("max-doc-bytes"),
				Observer:    observer(c),
			}
			for _, b := range c.IntSlice("bits") {
				if b != 0 {
					o.Bits = append(o.Bits, b)
				}
			}
			slices.Sort(o.Bits)
			// Zero means "default" inside pipeline.Options; on the command
			// line it is a mistake, reported with every other problem.
			var errs []error
			if c.Uint64("seed") == 0 {
				errs = append(errs, errors.New("--seed: must be positive"))
			}
			for _, f := range []string{"vocab", "code"} {
				if c.Int(f) < 1 {
					errs = append(errs, fmt.Errorf("--%s: must be positive, got %d", f, c.Int(f)))
				}
			}
			o.EnsureDefaults()
			if err := errors.Join(append(errs, flagErrors(o.Validate(), indexFlags))...); err != nil {
				return err
			}
			s, err := pipeline.Build(o)
			if err != nil {
				return resumeHint(err)
			}
			w := c.App.Writer
			fmt.Fprintf(w, "indexed %d documents into %s (model %v trained on %d documents, vocabulary %d, backend %s)\n",
				s.IndexedDocs, o.Dir, s.Sizes, s.TrainDocs, s.VocabLen, s.Backend)
			printInput(w, string(s.Input), s.Selection)
			both := ""
			if s.Selection != nil && len(s.Selection.Scores) > 1 {
				both = " (both inputs)"
			}
			fmt.Fprintf(w, "time: pretraining %s, fine-tuning %s%s, ", s.Pretrain.Round(1e7), s.FineTune.Round(1e7), both)
			if len(o.Bits) > 0 {
				fmt.Fprintf(w, "binary codes %v %s, ", o.Bits, s.Hash.Round(1e7))
			}
			fmt.Fprintf(w, "indexing %s, total %s", s.IndexTime.Round(1e7), s.Total.Round(1e7))
			if s.DocsPerSec > 0 {
				fmt.Fprintf(w, " (%.0f docs/s indexed)", s.DocsPerSec)
			}
			fmt.Fprintln(w)
			printIntake(w, &s.Intake)
			return nil
		},
	}
}

// printInput says which input weighting a model was trained on and how
// it was chosen (the index summary and info).
func printInput(w io.Writer, input string, sel *query.InputSelection) {
	switch {
	case input == "":
		fmt.Fprintln(w, "input      not recorded (the index was built before it was)")
	case sel == nil:
		fmt.Fprintf(w, "input      %s (given)\n", input)
	case sel.Reason != "":
		fmt.Fprintf(w, "input      %s (auto, no choice: %s)\n", input, sel.Reason)
	default:
		names := make([]string, 0, len(sel.Scores))
		for in := range sel.Scores {
			names = append(names, in)
		}
		slices.Sort(names)
		var scores []string
		for _, in := range names {
			scores = append(scores, fmt.Sprintf("%s %.4f", in, sel.Scores[in]))
		}
		fmt.Fprintf(w, "input      %s (auto: %s; %s, %d queries of %d held out)\n",
			input, strings.Join(scores, ", "), sel.Measure, sel.Queries, sel.HeldOut)
	}
}

func versionCmd() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version and the matrix-product backend",
		Action: func(c *cli.Context) error {
			fmt.Fprintf(c.App.Writer, "docsearch %s (%s, %s/%s, %d CPUs, BLAS backend %s)\n",
				version, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), blas.Backend())
			return nil
		},
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
