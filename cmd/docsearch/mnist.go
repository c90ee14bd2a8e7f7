package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/mnist"
)

func mnistCmd() *cli.Command {
	common := func(extra ...cli.Flag) []cli.Flag {
		return append([]cli.Flag{
			&cli.StringFlag{Name: "data", Usage: "folder of the four MNIST IDX files (default: the copy in the Go module cache)"},
			&cli.StringFlag{Name: "profile", Value: "quick", Usage: "quick (minutes) or paper (the published recipe)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
			&cli.BoolFlag{Name: "quiet", Usage: "no progress output"},
		}, extra...)
	}
	return &cli.Command{
		Name:  "mnist",
		Usage: "digit experiments on the same RBM and backprop core",
		Subcommands: []*cli.Command{
			{
				Name:  "autoencoder",
				Usage: "784-1000-500-250-30 autoencoder against PCA-30 (Science 2006, Fig. 2)",
				Flags: common(
					&cli.StringFlag{Name: "plot", Usage: "PNG of test digits, autoencoder and PCA reconstructions"},
					&cli.StringFlag{Name: "finetune", Value: "adam", Usage: "adam, sgd or cg"},
					&cli.StringFlag{Name: "checkpoint", Usage: "folder for a checkpoint after every pretrained layer"},
					&cli.BoolFlag{Name: "resume", Usage: "continue above the layers saved in --checkpoint"},
				),
				Action: func(c *cli.Context) error {
					quiet(c)
					if _, _, err := checkpointOptions(c); err != nil {
						return err
					}
					train, test, p, err := mnistSetup(c)
					if err != nil {
						return err
					}
					res, net, pca, err := mnist.RunAutoencoder(train, test, mnist.AutoencoderOptions{Profile: p, FineTune: c.String("finetune"), Seed: c.Uint64("seed"),
						Checkpoint: c.String("checkpoint"), Resume: c.Bool("resume")})
					if err != nil {
						return err
					}
					if path := c.String("plot"); path != "" {
						if err := mnist.WriteReconstructions(path, net, pca, test, 10); err != nil {
							return err
						}
					}
					if c.Bool("json") {
						return writeJSON(c.App.Writer, res)
					}
					w := c.App.Writer
					fmt.Fprintf(w, "average squared reconstruction error per test image (%d training images, %s profile):\n", res.TrainImages, p.Name)
					fmt.Fprintf(w, "  %-28s %8.2f   (paper 3.00)\n", "autoencoder 784-...-30", res.AutoencoderTestSqError)
					fmt.Fprintf(w, "  %-28s %8.2f\n", "pretrained only", res.PretrainedTestSqError)
					fmt.Fprintf(w, "  %-28s %8.2f   (paper 13.87)\n", "PCA, 30 components", res.PCATestSqError)
					fmt.Fprintf(w, "  time %.0f s\n", res.Seconds)
					return nil
				},
			},
			{
				Name:  "dbn",
				Usage: "deep belief net 784-500-500-(2000+10 labels), up-down fine-tuning (Hinton, Osindero & Teh 2006)",
				Flags: common(
					&cli.StringFlag{Name: "samples", Usage: "PNG of 10 samples per digit with the label clamped"},
					&cli.IntFlag{Name: "gibbs", Value: 1000, Usage: "Gibbs iterations in the top memory between samples"},
					&cli.StringFlag{Name: "finetune", Value: "updown", Usage: "updown (generative classifier) or backprop (the 784-500-500-2000-10 net fine-tuned discriminatively)"},
					&cli.IntFlag{Name: "updown-epochs", Usage: "epochs of up-down fine-tuning (default: the profile's fine-tuning epochs, 50 for paper; the paper ran 300)"},
					checkpointFlag(), resumeFlag(),
				),
				Action: func(c *cli.Context) error {
					quiet(c)
					if f := c.String("finetune"); f != "updown" && f != "backprop" {
						return fmt.Errorf("--finetune: must be updown or backprop, got %q", f)
					}
					if n := c.Int("updown-epochs"); n < 0 || n > 100000 {
						return fmt.Errorf("--updown-epochs: must be in [0, 100000] (0: the profile's), got %d", n)
					}
					if c.Int("gibbs") < 1 {
						return fmt.Errorf("--gibbs: must be positive, got %d", c.Int("gibbs"))
					}
					ckDir, resume, err := checkpointOptions(c)
					if err != nil {
						return err
					}
					train, test, p, err := mnistSetup(c)
					if err != nil {
						return err
					}
					if c.String("finetune") == "backprop" {
						res, _, err := mnist.RunDNN(train, test, mnist.DNNOptions{Profile: p, Init: "rbm", Seed: c.Uint64("seed"), Checkpoint: ckDir, Resume: resume})
						if err != nil {
							return err
						}
						if c.Bool("json") {
							return writeJSON(c.App.Writer, res)
						}
						fmt.Fprintf(c.App.Writer, "pretrained 784-500-500-2000-10 fine-tuned by backprop (%s profile): test error %.2f%% (paper 1.2%%), train %.2f%%, %.0f s\n",
							p.Name, 100*res.TestError, 100*res.TrainError, res.Seconds)
						return nil
					}
					res, d, err := mnist.RunDBN(train, test, mnist.DBNOptions{Profile: p, UpDownEpochs: c.Int("updown-epochs"), Seed: c.Uint64("seed"), Checkpoint: ckDir, Resume: resume})
					if err != nil {
						return err
					}
					if path := c.String("samples"); path != "" {
						if err := mnist.WriteDBNSamples(path, d, 10, c.Int("gibbs"), c.Uint64("seed")); err != nil {
							return err
						}
					}
					if c.Bool("json") {
						return writeJSON(c.App.Writer, res)
					}
					fmt.Fprintf(c.App.Writer, "deep belief net (%s profile): test error %.2f%% after %d up-down epochs (paper 1.25%%), %.2f%% before; train %.2f%%; %.0f s\n",
						p.Name, 100*res.TestError, res.UpDownEpochs, 100*res.PretrainTestError, 100*res.TrainError, res.Seconds)
					return nil
				},
			},
			{
				Name:  "dnn",
				Usage: "a deep net trained three ways: no pretraining, supervised or unsupervised greedy pretraining (Bengio et al. 2007)",
				Flags: common(
					&cli.StringFlag{Name: "init", Value: "rbm", Usage: "none, supervised, rbm or autoencoder"},
					&cli.BoolFlag{Name: "compare", Usage: "run every initialisation and print the comparison table"},
					checkpointFlag(), resumeFlag(),
				),
				Action: func(c *cli.Context) error {
					quiet(c)
					ckDir, resume, err := checkpointOptions(c)
					if err != nil {
						return err
					}
					train, test, p, err := mnistSetup(c)
					if err != nil {
						return err
					}
					inits := []string{c.String("init")}
					if c.Bool("compare") {
						inits = mnist.Inits
					}
					results := map[string]*mnist.DNNResult{}
					for _, in := range inits {
						res, _, err := mnist.RunDNN(train, test, mnist.DNNOptions{Profile: p, Init: in, Seed: c.Uint64("seed"), Checkpoint: ckDir, Resume: resume})
						if err != nil {
							return fmt.Errorf("--init %s: %w", in, err)
						}
						results[in] = res
					}
					if c.Bool("json") {
						return writeJSON(c.App.Writer, map[string]any{"results": results})
					}
					w := c.App.Writer
					fmt.Fprintf(w, "784-500-500-2000-10, %s profile\n%-12s %10s %10s %8s\n", p.Name, "init", "test err", "train err", "seconds")
					for _, in := range inits {
						r := results[in]
						fmt.Fprintf(w, "%-12s %9.2f%% %9.2f%% %8.0f\n", in, 100*r.TestError, 100*r.TrainError, r.Seconds)
					}
					return nil
				},
			},
			dbmCmd(common),
		},
	}
}

// checkpointFlag and resumeFlag are the checkpoint flags of the MNIST
// commands that train in stages (fresh values: a flag belongs to one
// command).
func checkpointFlag() cli.Flag {
	return &cli.StringFlag{Name: "checkpoint", Usage: "folder where every training stage is saved after every epoch"}
}

func resumeFlag() cli.Flag {
	return &cli.BoolFlag{Name: "resume", Usage: "continue the run saved in --checkpoint (same options and seed give the same model)"}
}

// checkpointOptions returns --checkpoint and --resume; --resume needs a
// --checkpoint folder.
func checkpointOptions(c *cli.Context) (dir string, resume bool, err error) {
	dir, resume = c.String("checkpoint"), c.Bool("resume")
	if resume && dir == "" {
		return "", false, errors.New("--resume: needs --checkpoint DIR, the folder of the run to continue")
	}
	return dir, resume, nil
}

func mnistSetup(c *cli.Context) (train, test *mnist.Set, p mnist.Profile, err error) {
	p, err = mnist.ProfileFor(c.String("profile"))
	if err != nil {
		return nil, nil, p, fmt.Errorf("--profile: %w", err)
	}
	dir := c.String("data")
	if dir == "" {
		if dir, err = mnist.DefaultDir(); err != nil {
			return nil, nil, p, err
		}
	}
	train, test, err = mnist.Load(dir)
	return train, test, p, err
}

func writeJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}
