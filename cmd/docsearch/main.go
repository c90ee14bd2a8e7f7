// Command docsearch indexes documents by deep-autoencoder codes, answers
// queries by cosine between codes, evaluates retrieval against class labels
// and baselines, and runs the MNIST experiments on the same core.
package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

// version is set at link time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "docsearch:", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	return &cli.App{
		Name:  "docsearch",
		Usage: "semantic document retrieval with deep-autoencoder codes",
		Description: "docsearch learns 10-number codes for documents with a stack of RBMs unrolled into a deep\n" +
			"autoencoder (Hinton & Salakhutdinov, Science 2006), keeps them in a badger index and ranks\n" +
			"documents by the cosine between codes.",
		Version:              version,
		EnableBashCompletion: true,
		Commands:             []*cli.Command{indexCmd(), queryCmd(), addCmd(), removeCmd(), reanalyzeCmd(), infoCmd(), serveCmd(), mapCmd(), evalCmd(), mnistCmd(), fetchCmd(), versionCmd()},
	}
}
