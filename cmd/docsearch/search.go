package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/query"
)

func queryCmd() *cli.Command {
	return &cli.Command{
		Name:  "query",
		Usage: "search the index: keywords, meaning (codes) or both",
		Description: "Ranks the indexed documents for a query TEXT, a --file, or an indexed document (--doc ID,\n" +
			"\"more like this\"). TEXT uses bleve's query syntax: words, \"a phrase\", +must, -mustnot,\n" +
			"label:NAME, title:WORD, word* (prefix). Modes: keyword (BM25 over the full-text index),\n" +
			"semantic (cosine between the autoencoder codes of the query and the documents) and hybrid\n" +
			"(both, z-scored and summed; the default). An index built with --bits also answers hamming\n" +
			"(Hamming distance between binary codes, over every document) and hash (address lookup:\n" +
			"the documents within --radius of the query's 32-bit address, through a table, reranked\n" +
			"by --rerank keyword or semantic).",
		ArgsUsage: "TEXT...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.StringFlag{Name: "mode", Value: "hybrid", Usage: "ranking: hybrid, keyword, semantic, hamming or hash"},
			&cli.IntFlag{Name: "bits", Usage: "binary codes of modes hamming and hash: 32, 64 or 128 (default: the widest for hamming, 32 for hash)"},
			&cli.IntFlag{Name: "radius", Value: -1, Usage: "mode hash: Hamming radius around the query's address (default: grown until --k documents are found)"},
			&cli.StringFlag{Name: "rerank", Usage: "mode hash: order the short list by keyword (BM25) or semantic (codes' cosine) instead of Hamming distance"},
			&cli.IntFlag{Name: "k", Value: query.DefaultK, Usage: "number of documents to return"},
			&cli.IntFlag{Name: "offset", Usage: "skip this many results (paging)"},
			&cli.StringFlag{Name: "label", Usage: "only documents with this label"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
			&cli.StringFlag{Name: "snippets", Usage: "snippet style: ansi, plain, html or none (default: ansi on a terminal, else plain)"},
			&cli.StringFlag{Name: "file", Usage: "read the query text from a file (- for standard input)"},
			&cli.StringFlag{Name: "doc", Usage: "find documents like this indexed one (by id)"},
		},
		Action: func(c *cli.Context) error {
			r, err := searchRequest(c)
			if err != nil {
				return err
			}
			eng, err := query.Open(c.String("index"))
			if err != nil {
				return err
			}
			defer eng.Close()
			resp, err := eng.Search(context.Background(), r)
			if err != nil {
				return err
			}
			w := c.App.Writer
			if c.Bool("json") {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					*query.Response
					TookMS float64 `json:"took_ms"`
				}{resp, float64(resp.Took.Microseconds()) / 1e3})
			}
			printResults(w, c.App.ErrWriter, resp)
			return nil
		},
	}
}

// searchRequest reads and checks the flags of the query command.
func searchRequest(c *cli.Context) (query.Request, error) {
	var errs []error
	r := query.Request{K: c.Int("k"), Offset: c.Int("offset"), Label: c.String("label"), DocID: c.String("doc")}
	m, err := query.ParseMode(c.String("mode"))
	if err != nil {
		errs = append(errs, fmt.Errorf("--mode: %w", err))
	}
	r.Mode = m
	hashing := m == query.Hash || m == query.Hamming
	if b := c.Int("bits"); b != 0 {
		if !hashing {
			errs = append(errs, fmt.Errorf("--bits: applies to modes hamming and hash, not %s", m))
		}
		r.Bits = b
	}
	if rad := c.Int("radius"); rad != -1 {
		if m != query.Hash || rad < 0 || rad > index.AddressBits {
			errs = append(errs, fmt.Errorf("--radius: must be in [0, %d] with --mode hash, got %d with mode %s", index.AddressBits, rad, m))
		}
		r.Radius = &rad
	}
	switch rr := c.String("rerank"); rr {
	case query.RerankNone:
	case query.RerankKeyword, query.RerankSemantic:
		if m != query.Hash {
			errs = append(errs, fmt.Errorf("--rerank: applies to mode hash, not %s", m))
		}
		r.Rerank = rr
	default:
		errs = append(errs, fmt.Errorf("--rerank: unknown %q (known: keyword, semantic)", rr))
	}
	if r.K < 1 || r.K > query.MaxK {
		errs = append(errs, fmt.Errorf("--k: must be in [1, %d], got %d", query.MaxK, r.K))
	}
	if r.Offset < 0 || r.Offset > query.MaxK {
		errs = append(errs, fmt.Errorf("--offset: must be in [0, %d], got %d", query.MaxK, r.Offset))
	}
	for _, a := range c.Args().Slice() {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && slices.ContainsFunc(c.Command.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), name) }) {
			errs = append(errs, fmt.Errorf("%s after the query text: flags go before it (docsearch query --index DIR %s ... TEXT)", a, a))
		}
	}
	text := strings.Join(c.Args().Slice(), " ")
	given := 0
	for _, set := range []bool{text != "", c.String("file") != "", r.DocID != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		errs = append(errs, errors.New("give exactly one of: query TEXT, --file F, --doc ID"))
	}
	switch s := c.String("snippets"); s {
	case "":
		r.Snippets = query.SnippetsPlain
		if c.Bool("json") {
			break
		}
		if isTerminal(c.App.Writer) {
			r.Snippets = query.SnippetsANSI
		}
	case "none":
		r.Snippets = query.NoSnippets
	case "ansi", "plain", "html":
		r.Snippets = s
	default:
		errs = append(errs, fmt.Errorf("--snippets: unknown style %q (known: ansi, plain, html, none)", s))
	}
	if f := c.String("file"); f != "" && given == 1 {
		b, err := readQueryFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("--file: %w", err))
		}
		text = string(b)
	}
	r.Text = text
	return r, errors.Join(errs...)
}

func readQueryFile(f string) ([]byte, error) {
	var rd io.Reader
	if f == "-" {
		rd = os.Stdin
	} else {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		rd = fh
	}
	b, err := io.ReadAll(io.LimitReader(rd, query.MaxTextBytes+1))
	if err == nil && len(b) > query.MaxTextBytes {
		err = fmt.Errorf("longer than %d bytes; a query is a question, not a book (index the text and use --doc)", query.MaxTextBytes)
	}
	return b, err
}

// printResults writes the ranked list, each result with its snippet
// below it, then the notes and the time taken.
func printResults(w, ew io.Writer, resp *query.Response) {
	for _, n := range resp.Notes {
		fmt.Fprintf(ew, "note: %s\n", n)
	}
	for _, r := range resp.Results {
		fmt.Fprintf(w, "%3d  %8.4f  %-28s %-20s %s\n", r.Rank, r.Score, clip(r.ID, 28), clip(r.Label, 20), clip(r.Title, 60))
		if r.Snippet != "" {
			fmt.Fprintf(w, "     %s\n", r.Snippet)
		}
	}
	fmt.Fprintf(ew, "%d of %d ranked documents, %s mode, %.1f ms\n",
		len(resp.Results), resp.Total, resp.Mode, float64(resp.Took.Microseconds())/1e3)
}
