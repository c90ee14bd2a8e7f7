package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/pipeline"
)

// fetchCmd downloads a public corpus for a machine without one.
func fetchCmd() *cli.Command {
	return &cli.Command{
		Name:      "fetch",
		Usage:     "download a public corpus and check it: 20news (the 20 Newsgroups \"bydate\" archive the research figures use)",
		ArgsUsage: "[--out FILE] [--url URL] [--force] [--json] 20news",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "file to write (default: the user's cache folder, docsearch/20news-bydate.tar.gz)"},
			&cli.StringFlag{Name: "url", Value: pipeline.News20URL, Usage: "where to download it from"},
			&cli.BoolFlag{Name: "force", Usage: "download even when a good archive is already there"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
		},
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			if len(args) > 1 && strings.HasPrefix(args[1], "-") {
				return fmt.Errorf("%s after the corpus name: flags go before it (docsearch fetch %s ... 20news)", args[1], args[1])
			}
			if len(args) != 1 || args[0] != "20news" {
				return fmt.Errorf("fetch: name the corpus, 20news (the only one offered), got %q", args)
			}
			res, err := pipeline.Fetch20News(c.Context, pipeline.FetchOptions{URL: c.String("url"), Dest: c.String("out"), Force: c.Bool("force"), Progress: c.App.ErrWriter})
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, res)
			}
			how := "downloaded to"
			if !res.Downloaded {
				how = "already at"
			}
			fmt.Fprintf(c.App.Writer, "20 Newsgroups: %d training and %d test posts in %d newsgroups (%.1f MB), %s %s\n",
				res.Train, res.Test, res.Groups, float64(res.Bytes)/1e6, how, res.Path)
			fmt.Fprintf(c.App.Writer, "next: docsearch index --train %s#%s --corpus %s#%s --index /tmp/ix20\n",
				res.Path, pipeline.News20Splits[0], res.Path, pipeline.News20Splits[1])
			return nil
		},
	}
}
