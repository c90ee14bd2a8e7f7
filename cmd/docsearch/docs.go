package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
			&cli.BoolFlag{Name: "stem", Usage: "English stemming"},
			&cli.StringFlag{Name: "finetune", Value: "adam", Usage: "fine-tuning: adam, cg (conjugate gradients, as the paper) or none"},
			&cli.IntFlag{Name: "epochs", Usage: "override every layer's epochs (experiments)"},
			&cli.BoolFlag{Name: "resume", Usage: "continue the pretraining of a killed run from its checkpoint"},
			&cli.BoolFlag{Name: "quiet", Usage: "no progress output"},
		},
		Action: func(c *cli.Context) error {
			quiet(c)
			o := pipeline.Options{
				Corpus: c.String("corpus"), Train: c.String("train"), Dir: c.String("index"),
				Profile: c.String("profile"), Seed: c.Uint64("seed"), VocabSize: c.Int("vocab"),
				Code: c.Int("code"), Hidden: c.IntSlice("hidden"), Stem: c.Bool("stem"),
				FineTune: c.String("finetune"), Epochs: c.Int("epochs"), Resume: c.Bool("resume"),
			}
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
			if err := errors.Join(append(errs, o.Validate())...); err != nil {
				return err
			}
			s, err := pipeline.Build(o)
			if err != nil {
				return err
			}
			w := c.App.Writer
			fmt.Fprintf(w, "indexed %d documents into %s (model %v trained on %d documents, vocabulary %d, backend %s)\n",
				s.IndexedDocs, o.Dir, s.Sizes, s.TrainDocs, s.VocabLen, s.Backend)
			fmt.Fprintf(w, "time: pretraining %s, fine-tuning %s, indexing %s, total %s",
				s.Pretrain.Round(1e7), s.FineTune.Round(1e7), s.IndexTime.Round(1e7), s.Total.Round(1e7))
			if s.DocsPerSec > 0 {
				fmt.Fprintf(w, " (%.0f docs/s indexed)", s.DocsPerSec)
			}
			fmt.Fprintln(w)
			if len(s.Skipped) > 0 {
				fmt.Fprintf(w, "skipped %d files:\n", len(s.Skipped))
				for i, sk := range s.Skipped {
					if i == 10 {
						fmt.Fprintf(w, "  ... and %d more\n", len(s.Skipped)-10)
						break
					}
					fmt.Fprintf(w, "  %s: %s\n", sk.Path, sk.Reason)
				}
			}
			return nil
		},
	}
}

func queryCmd() *cli.Command {
	return &cli.Command{
		Name:      "query",
		Usage:     "rank indexed documents by the cosine between codes",
		ArgsUsage: "TEXT...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.IntFlag{Name: "k", Value: 10, Usage: "number of documents to return"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
			&cli.StringFlag{Name: "file", Usage: "read the query text from a file (- for standard input)"},
			&cli.StringFlag{Name: "doc", Usage: "use an indexed document (by id) as the query"},
		},
		Action: func(c *cli.Context) error {
			var errs []error
			k := c.Int("k")
			if k <= 0 {
				errs = append(errs, fmt.Errorf("--k: must be positive, got %d", k))
			}
			text := strings.Join(c.Args().Slice(), " ")
			modes := 0
			for _, set := range []bool{text != "", c.String("file") != "", c.String("doc") != ""} {
				if set {
					modes++
				}
			}
			if modes != 1 {
				errs = append(errs, errors.New("give exactly one of: query TEXT, --file F, --doc ID"))
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			if f := c.String("file"); f != "" {
				var b []byte
				var err error
				if f == "-" {
					b, err = io.ReadAll(io.LimitReader(os.Stdin, 64<<20))
				} else {
					b, err = os.ReadFile(f)
				}
				if err != nil {
					return fmt.Errorf("--file: %w", err)
				}
				text = string(b)
			}
			eng, err := query.Open(c.String("index"))
			if err != nil {
				return err
			}
			var res []query.Result
			if id := c.String("doc"); id != "" {
				res, err = eng.Doc(id, k)
			} else {
				res, err = eng.Text(text, k)
			}
			if err != nil {
				return err
			}
			w := c.App.Writer
			if c.Bool("json") {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"results": res})
			}
			for _, r := range res {
				fmt.Fprintf(w, "%3d  %.4f  %-28s %-24s %s\n", r.Rank, r.Score, clip(r.ID, 28), clip(r.Label, 24), clip(r.Title, 70))
			}
			return nil
		},
	}
}

func evalCmd() *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "precision-recall of the codes and of baselines, every labeled document querying all others",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
			&cli.StringFlag{Name: "plot", Usage: "write the precision-recall curves as a PNG"},
			&cli.StringFlag{Name: "title", Usage: "title of the plot (default: the index folder's name)"},
			&cli.StringSliceFlag{Name: "baselines", Value: cli.NewStringSlice(pipeline.Baselines...), Usage: "baselines: lsa-K, tfidf, bm25 (empty for none)"},
			&cli.BoolFlag{Name: "pretrained", Value: true, Usage: "also report the stack's codes before fine-tuning"},
			&cli.BoolFlag{Name: "layers", Usage: "also report every pretrained hidden layer"},
			&cli.StringSliceFlag{Name: "with", Usage: "another index of the same documents (e.g. a larger --code) to compare on the same report"},
		},
		Action: func(c *cli.Context) error {
			var bl []string
			for _, b := range c.StringSlice("baselines") {
				if b = strings.TrimSpace(b); b != "" {
					bl = append(bl, b)
				}
			}
			ev, err := pipeline.Evaluate(c.String("index"), pipeline.EvalOptions{Baselines: bl, Pretrained: c.Bool("pretrained"), Layers: c.Bool("layers"), With: c.StringSlice("with")})
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
				return json.NewEncoder(w).Encode(ev.Report)
			}
			fmt.Fprintf(w, "%d queries, %d methods, %.1f s\n", ev.Report.Queries, len(ev.Order), ev.Seconds)
			return evalTable(w, ev)
		},
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
