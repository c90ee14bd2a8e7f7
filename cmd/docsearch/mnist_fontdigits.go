package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/mnist"
)

// mnistFontDigitsCmd writes the second digit data set, printed digits in
// 18 typefaces, for --data.
func mnistFontDigitsCmd() *cli.Command {
	return &cli.Command{
		Name:  "font-digits",
		Usage: "write a data set of printed digits (18 typefaces, random rotation, shear and weight) as four IDX files, for --data",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Required: true, Usage: "folder to write train-images-idx3-ubyte and the three other files to"},
			&cli.IntFlag{Name: "train", Value: 60000, Usage: "training images"},
			&cli.IntFlag{Name: "test", Value: 10000, Usage: "test images"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed"},
		},
		Action: func(c *cli.Context) error {
			var errs []error
			for _, f := range []string{"train", "test"} {
				if n := c.Int(f); n < 10 || n > 1<<24 {
					errs = append(errs, fmt.Errorf("--%s: must be in [10, %d], got %d", f, 1<<24, n))
				}
			}
			if c.Uint64("seed") == 0 {
				errs = append(errs, errors.New("--seed: must be positive"))
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			if err := mnist.WriteFontDigits(c.String("out"), c.Int("train"), c.Int("test"), c.Uint64("seed")); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %d training and %d test images to %s\n", c.Int("train"), c.Int("test"), c.String("out"))
			return nil
		},
	}
}
