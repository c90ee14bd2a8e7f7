package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/docsearch/docsearch/mnist"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/dbn"
)

func mnistDBNCmd() *cli.Command {
	return &cli.Command{
		Name:  "dbn",
		Usage: "deep belief net 784-500-500-(2000+10 labels), up-down fine-tuning (Hinton, Osindero & Teh 2006)",
		Flags: mnistFlags(
			&cli.StringFlag{Name: "samples", Usage: "PNG of 10 samples per digit with the label clamped"},
			&cli.IntFlag{Name: "gibbs", Value: 1000, Usage: "Gibbs iterations in the top memory between samples"},
			&cli.StringFlag{Name: "finetune", Value: "updown", Usage: "updown (generative classifier) or backprop (the 784-500-500-2000-10 net fine-tuned discriminatively)"},
			&cli.IntFlag{Name: "updown-epochs", Usage: "epochs of up-down fine-tuning (default: the profile's fine-tuning epochs, 50 for paper; the paper ran 300)"},
			&cli.StringFlag{Name: "updown-decay", Value: "constant", Usage: "how up-down's learning rate falls: constant (the paper's), linear or cosine (to zero at the end)"},
			&cli.Float64Flag{Name: "updown-rate", Value: float64(mnist.UpDown.LR), Usage: "learning rate of up-down, in (0, 10]"},
			&cli.Float64Flag{Name: "updown-momentum", Usage: "momentum of up-down's updates, in [0, 1) (default none; the paper chose its own on a validation set and does not give it)"},
			&cli.StringFlag{Name: "updown-labels", Value: "sample", Usage: "the label units in the top memory's Gibbs steps during up-down: sample (draw one label) or mean (keep their probabilities, as the paper's appendix B does)"},
			&cli.Float64Flag{Name: "updown-weight-decay", Usage: "L2 weight decay of up-down's weights, in [0, 1) (default none)"},
		),
		Action: runMNISTDBN,
	}
}

func runMNISTDBN(c *cli.Context) error {
	common, err := mnistCommon(c)
	errs := []error{err}
	if f := c.String("finetune"); f != "updown" && f != "backprop" {
		errs = append(errs, fmt.Errorf("--finetune: must be updown or backprop, got %q", f))
	}
	if n := c.Int("updown-epochs"); n < 0 || n > 100000 {
		errs = append(errs, fmt.Errorf("--updown-epochs: must be in [0, 100000] (0: the profile's), got %d", n))
	}
	decay, err := rbmstack.ParseDecay("--updown-decay", c.String("updown-decay"))
	if err == nil && !dbn.UpDownDecay(decay) {
		err = fmt.Errorf("--updown-decay: must be constant, linear or cosine, got %q", c.String("updown-decay"))
	}
	errs = append(errs, err)
	if x := c.Float64("updown-rate"); !(x > 0 && x <= 10) {
		errs = append(errs, fmt.Errorf("--updown-rate: must be in (0, 10], got %g", x))
	}
	for _, name := range []string{"updown-momentum", "updown-weight-decay"} {
		if x := c.Float64(name); !(x >= 0 && x < 1) {
			errs = append(errs, fmt.Errorf("--%s: must be in [0, 1), got %g", name, x))
		}
	}
	if l := c.String("updown-labels"); l != "sample" && l != "mean" {
		errs = append(errs, fmt.Errorf("--updown-labels: must be sample or mean, got %q", l))
	}
	if c.Int("gibbs") < 1 {
		errs = append(errs, fmt.Errorf("--gibbs: must be positive, got %d", c.Int("gibbs")))
	}
	train, test, stop, err := mnistRun(c, errs...)
	if err != nil {
		return err
	}
	defer stop()
	w := c.App.Writer
	if c.String("finetune") == "backprop" {
		res, _, err := mnist.RunDNN(c.Context, train, test, mnist.DNNOptions{Common: common, Init: mnist.InitRBM})
		if err != nil {
			return resumeHint(err)
		}
		if c.Bool("json") {
			return writeJSON(w, res)
		}
		fmt.Fprintf(w, "pretrained 784-500-500-2000-10 fine-tuned by backprop (%s profile): test error %s (paper %s), train %s, %.0f s\n",
			common.Profile, percent(res.TestError), percent(mnist.Published.BackpropTestError), percent(res.TrainError), res.Seconds)
		return nil
	}
	res, d, err := mnist.RunDBN(c.Context, train, test, mnist.DBNOptions{Common: common, UpDownEpochs: c.Int("updown-epochs"), UpDownDecay: decay,
		UpDownRate: float32(c.Float64("updown-rate")), UpDownMomentum: float32(c.Float64("updown-momentum")), UpDownWeightDecay: float32(c.Float64("updown-weight-decay")),
		UpDownMeanLabels: c.String("updown-labels") == "mean"})
	if err != nil {
		return resumeHint(err)
	}
	if path := c.String("samples"); path != "" {
		if err := mnist.WriteDBNSamples(path, d, 10, c.Int("gibbs"), common.Seed); err != nil {
			return err
		}
	}
	if c.Bool("json") {
		return writeJSON(w, res)
	}
	var set []string
	if res.UpDownRate != mnist.UpDown.LR {
		set = append(set, fmt.Sprintf("rate %g", res.UpDownRate))
	}
	if res.UpDownMomentum != 0 {
		set = append(set, fmt.Sprintf("momentum %g", res.UpDownMomentum))
	}
	if res.UpDownWeightDecay != 0 {
		set = append(set, fmt.Sprintf("weight decay %g", res.UpDownWeightDecay))
	}
	if res.UpDownLabels == "mean" {
		set = append(set, "mean labels")
	}
	if res.UpDownDecay != rbmstack.Constant.String() {
		set = append(set, res.UpDownDecay+" decay")
	}
	how := ""
	if len(set) > 0 {
		how = " (" + strings.Join(set, ", ") + ")"
	}
	fmt.Fprintf(w, "deep belief net (%s profile): test error %s after %d up-down epochs%s (paper %s), %s before; train %s; %.0f s\n",
		common.Profile, percent(res.TestError), res.UpDownEpochs, how, percent(mnist.Published.DBNTestError), percent(res.PretrainTestError), percent(res.TrainError), res.Seconds)
	printReach(w, res.Reach, percent)
	return nil
}
