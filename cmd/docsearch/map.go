package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/docmap"
	"github.com/docsearch/docsearch/query"
)

func mapCmd() *cli.Command {
	return &cli.Command{
		Name:  "map",
		Usage: "draw the collection: every document's code in 2-D, coloured by label",
		Description: "Projects the codes (scaled to unit length, as the ranking compares them) on their first two\n" +
			"principal components and draws one dot per document, coloured by label, to a PNG, as in\n" +
			"Fig. 4 of Hinton & Salakhutdinov (2006). With --query or --doc, the top --k results of that\n" +
			"search are marked (black discs); the server's page shows the same map at /api/map.png.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.StringFlag{Name: "png", Required: true, Usage: "image file to write"},
			&cli.StringFlag{Name: "title", Usage: "title of the map (default: what it shows)"},
			&cli.StringFlag{Name: "query", Usage: "mark the results of this query text"},
			&cli.StringFlag{Name: "doc", Usage: "mark the documents like this indexed one"},
			&cli.StringFlag{Name: "mode", Value: "hybrid", Usage: "ranking of --query/--doc: hybrid, keyword or semantic"},
			&cli.StringFlag{Name: "label", Usage: "only results with this label"},
			&cli.IntFlag{Name: "k", Value: query.DefaultK, Usage: "number of results to mark"},
		},
		Action: func(c *cli.Context) error {
			var errs []error
			r := query.Request{Text: c.String("query"), DocID: c.String("doc"), Label: c.String("label"), K: c.Int("k")}
			m, err := query.ParseMode(c.String("mode"))
			if err != nil {
				errs = append(errs, fmt.Errorf("--mode: %w", err))
			}
			r.Mode = m
			if r.Text != "" && r.DocID != "" {
				errs = append(errs, errors.New("give --query or --doc, not both"))
			}
			if r.K < 1 || r.K > query.MaxK {
				errs = append(errs, fmt.Errorf("--k: must be in [1, %d], got %d", query.MaxK, r.K))
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			eng, err := query.Open(c.String("index"))
			if err != nil {
				return err
			}
			defer eng.Close()
			mp, err := docmap.Project(eng.Index)
			if err != nil {
				return err
			}
			title := c.String("title")
			if title == "" {
				title = fmt.Sprintf("%d documents by their codes", mp.Placed)
			}
			var marked []int
			if r.Text != "" || r.DocID != "" {
				resp, err := eng.Search(context.Background(), r)
				if err != nil {
					return err
				}
				for _, res := range resp.Results {
					if pos, ok := eng.Index.Find(res.ID); ok {
						marked = append(marked, pos)
					}
				}
				if c.String("title") == "" {
					title += fmt.Sprintf("; %d results marked", len(marked))
				}
			}
			var buf bytes.Buffer
			if err := mp.Draw(&buf, title, marked); err != nil {
				return err
			}
			if err := os.WriteFile(c.String("png"), buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("--png: %w", err)
			}
			fmt.Fprintf(c.App.Writer, "wrote %s: %d of %d documents placed (%d without a code), axes explain %.0f%% and %.0f%% of the codes' variance",
				c.String("png"), mp.Placed, eng.Index.Len(), eng.Index.Len()-mp.Placed, 100*mp.Explained[0], 100*mp.Explained[1])
			if len(marked) > 0 {
				fmt.Fprintf(c.App.Writer, ", %d results marked", len(marked))
			}
			fmt.Fprintln(c.App.Writer)
			return nil
		},
	}
}
