package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/server"
)

// serveFlags maps the fields of server.Options to their flags.
var serveFlags = map[string]string{"Dir": "index", "Writable": "writable", "Token": "token-file",
	"MaxBodyBytes": "max-body", "Reload": "reload"}

func serveCmd() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "serve the index: a JSON API and a search page",
		Description: "Answers HTTP on --addr: the search page at /, the JSON API under /api/ (described at\n" +
			"/api/openapi.yaml), /healthz. A new generation of the index (written by docsearch index, add or\n" +
			"remove in another process) is picked up within --reload, without a restart. With --writable,\n" +
			"POST /api/documents and DELETE /api/documents/{id} add and remove documents; they need the\n" +
			"bearer token in --token-file. SIGINT or SIGTERM stops the server after the requests in flight.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "index", Required: true, Usage: "index directory"},
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "address to listen on (host:port)"},
			&cli.BoolFlag{Name: "writable", Usage: "accept POST and DELETE on /api/documents (needs --token-file)"},
			&cli.StringFlag{Name: "token-file", Usage: "file holding the bearer token of the write endpoints (at least 16 bytes)"},
			&cli.Int64Flag{Name: "max-body", Value: server.DefaultMaxBodyBytes, Usage: "largest request body in bytes"},
			&cli.DurationFlag{Name: "reload", Value: server.DefaultReload, Usage: "how often to look for a new index generation (negative: never)"},
			&cli.StringFlag{Name: "log", Value: "text", Usage: "log format on standard error: text or json (one line per request)"},
		},
		Action: func(c *cli.Context) error {
			o := server.Options{Dir: c.String("index"), Writable: c.Bool("writable"),
				MaxBodyBytes: c.Int64("max-body"), Reload: c.Duration("reload")}
			var errs []error
			switch c.String("log") {
			case "text":
				o.Logger = slog.New(slog.NewTextHandler(c.App.ErrWriter, nil))
			case "json":
				o.Logger = slog.New(slog.NewJSONHandler(c.App.ErrWriter, nil))
			default:
				errs = append(errs, fmt.Errorf("--log: unknown format %q (known: text, json)", c.String("log")))
			}
			if f := c.String("token-file"); f != "" {
				b, err := os.ReadFile(f)
				if err != nil {
					errs = append(errs, fmt.Errorf("--token-file: %w", err))
				}
				o.Token = strings.TrimSpace(string(b))
				if err == nil && o.Token == "" {
					errs = append(errs, fmt.Errorf("--token-file: %s is empty", f))
				}
			}
			if o.Writable && c.String("token-file") == "" {
				errs = append(errs, errors.New("--writable needs --token-file: refusing to accept writes from anyone"))
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			if err := flagErrors(o.Validate(), serveFlags); err != nil {
				return err
			}
			s, err := server.New(o)
			if err != nil {
				return err
			}
			defer s.Close()
			ln, err := net.Listen("tcp", c.String("addr"))
			if err != nil {
				return fmt.Errorf("--addr: %w", err)
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			mode := "read-only"
			if o.Writable {
				mode = "writable"
			}
			o.Logger.Info("serving", "index", o.Dir, "generation", s.Generation(), "mode", mode,
				"url", "http://"+ln.Addr().String()+"/")
			return s.Serve(ctx, ln)
		},
	}
}
