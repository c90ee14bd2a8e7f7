// Command codes measures recipes of the real-valued document codes on an
// index of held-out TRAINING documents, the experiment behind the paper
// profile's code layer and fine-tuning (pipeline.CodeLayer, FineTune,
// RECIPES.md). It reuses the index's pretrained stack and training counts,
// retrains the code layer when a variant changes it, fine-tunes, and prints
// for each variant the codes' precision-recall (every held-out document
// querying the others by cosine) beside LSA-10 and LSA-50 fitted on the same
// training counts, with the retrieval of every fine-tuning epoch. Never run
// it on the test split:
//
//	BY=date bench/recipes/hybrid/split.sh /path/to/20news-bydate.tar.gz /tmp/vald
//	docsearch index --train /tmp/vald/train80.jsonl --corpus /tmp/vald/held20.jsonl --index /tmp/vald/ix
//	go run ./bench/recipes/codes -index /tmp/vald/ix -variants 'pre;ft;ft noise=4;ft noise=16'
//
// A variant is a list of key=value settings after "pre" (the pretrained
// stack, no fine-tuning) or "ft" (fine-tuned), each changing the recipe of
// the index's profile (pipeline.RecipeFor): noise (the standard deviation
// of the code layer's noise in fine-tuning, autoencoder.Config.CodeNoise),
// fresh (1: noise drawn anew every epoch, 0: drawn once,
// autoencoder.Config.FreshNoise), code (linear or logistic code units),
// toplr and topepochs (the code layer's RBM), ftlr, ftepochs and patience
// (fine-tuning), input (counts or log-idf, pipeline.Input: the weighting
// of the counts before the stack and the net), target=counts (fine-tune
// against the raw counts' word proportions instead of the weighted
// input's), seed (another seed for every layer and the fine-tuning). The
// index's stack serves the variants of its input and seed; another input
// or seed trains a stack (once, shared by the variants that ask for it),
// and a setting of the code layer retrains that layer above the others.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/bench/recipes/internal/trainset"
	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
	"github.com/docsearch/docsearch/rbmstack/rbm"
	"github.com/docsearch/docsearch/rbmstack/stack"
	"github.com/docsearch/docsearch/vocab"
)

var levels = []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8}

func main() {
	dir := flag.String("index", "/tmp/vald/ix", "index of held-out training documents")
	variants := flag.String("variants", "pre;ft", "variants, separated by ';' (see the package comment)")
	epochLog := flag.Bool("epochs", true, "print the held-out retrieval of every fine-tuning epoch")
	flag.Parse()
	set, err := trainset.Open(*dir)
	if err != nil {
		log.Fatal(err)
	}
	defer set.Eng.Close()
	eng, ix, labels, ti := set.Eng, set.Eng.Index, set.Labels, set.Info
	n := ix.Len()
	train, data, counts := set.All, set.Train, set.Counts
	recipeFor := func(seed uint64) pipeline.Recipe {
		r, err := pipeline.RecipeFor(pipeline.Profile(ti.Profile), ti.Sizes[1:], seed)
		if err != nil {
			log.Fatal(err)
		}
		return r
	}
	base := recipeFor(ti.Seed)
	// The index's stack: its code layer and those below, trained on the
	// input its net weighs.
	sb, err := ix.Blob(query.BlobStack)
	if err != nil {
		log.Fatal(err)
	}
	var s stack.Stack
	if err := s.UnmarshalBinary(sb); err != nil {
		log.Fatal(err)
	}
	base.Input = pipeline.InputCounts
	if eng.Model.Net.InputWeights != nil {
		base.Input = pipeline.InputLogIDF
	}
	stacks[stackKey{base.Input, 0}] = &s
	fmt.Printf("%s: %d documents, model %v trained on %d (profile %s, seed %d, input %s)\n", *dir, n, ti.Sizes, data.Rows(), ti.Profile, ti.Seed, base.Input)
	header()
	for _, k := range []int{10, 50} {
		l, err := eval.FitLSA(train, k)
		if err != nil {
			log.Fatal(err)
		}
		line(fmt.Sprintf("lsa-%d", k), eval.CosineScorer(l.Transform(counts), k), labels)
	}
	for _, spec := range strings.Split(*variants, ";") {
		if spec = strings.TrimSpace(spec); spec != "" {
			run(spec, base, recipeFor, data, counts, labels, *epochLog)
		}
	}
}

// stacks are the stacks trained on each input weighting, shared by the
// variants that ask for it (a variant that also changes the code layer
// retrains that layer above it).
var stacks = map[stackKey]*stack.Stack{}

type stackKey struct {
	input pipeline.Input
	seed  uint64
}

// run trains and measures one variant.
func run(spec string, base pipeline.Recipe, recipeFor func(seed uint64) pipeline.Recipe, data *vocab.Matrix, counts *vocab.Matrix, labels []string, epochLog bool) {
	f := strings.Fields(spec)
	var seed uint64 // 0: the index's seed and stack
	for _, kv := range f[1:] {
		if v, ok := strings.CutPrefix(kv, "seed="); ok {
			x, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				log.Fatalf("variant %q: bad seed %q", spec, v)
			}
			seed = x
			input := base.Input
			base = recipeFor(seed)
			base.Input = input
		}
	}
	r := base
	r.Stack.Layers = append([]stack.Layer(nil), base.Stack.Layers...)
	top := &r.Stack.Layers[len(r.Stack.Layers)-1]
	fineTune, retrain, target := f[0] == "ft", false, ""
	if f[0] != "ft" && f[0] != "pre" {
		log.Fatalf("variant %q: starts with pre or ft", spec)
	}
	for _, kv := range f[1:] {
		k, v, ok := strings.Cut(kv, "=")
		x, err := strconv.ParseFloat(v, 64)
		if !ok || (k != "code" && k != "input" && k != "target" && (err != nil || math.IsNaN(x))) {
			log.Fatalf("variant %q: bad setting %q", spec, kv)
		}
		switch k {
		case "noise":
			r.FineTune.CodeNoise = float32(x)
		case "fresh":
			r.FineTune.FreshNoise = x != 0
		case "target":
			if v != "counts" {
				log.Fatalf("variant %q: target is counts or left out (the weighted input)", spec)
			}
			target = v
		case "input":
			if r.Input = pipeline.Input(v); r.Input != pipeline.InputCounts && r.Input != pipeline.InputLogIDF {
				log.Fatalf("variant %q: input is %s or %s", spec, pipeline.InputCounts, pipeline.InputLogIDF)
			}
		case "code":
			retrain = true
			switch v {
			case "logistic":
				ep := top.Config.Epochs
				top.Kind, top.Config = rbm.Binary, pipeline.BinaryLayer
				top.Config.Epochs, top.Config.Seed = ep, base.Stack.Layers[len(base.Stack.Layers)-1].Config.Seed
			case "linear":
			default:
				log.Fatalf("variant %q: code is linear or logistic", spec)
			}
		case "toplr":
			top.Config.LR, retrain = float32(x), true
		case "topepochs":
			top.Config.Epochs, retrain = int(x), true
		case "ftlr":
			r.FineTune.LR = float32(x)
		case "ftepochs":
			r.FineTune.Epochs = int(x)
		case "seed": // above
		case "patience":
			r.FineTune.Patience = int(x)
		default:
			log.Fatalf("variant %q: unknown setting %q", spec, k)
		}
	}
	if r.Input == "" {
		r.Input = pipeline.InputCounts
	}
	t0 := time.Now()
	w := r.InputWeights(data)
	weighed := pipeline.Weigh(data, w)
	st := stacks[stackKey{r.Input, seed}]
	if st == nil {
		tr, err := stack.NewTrainer(weighed, base.Stack) // the code layer of the profile
		if err != nil {
			log.Fatal(err)
		}
		if err := tr.Train(context.Background(), nil); err != nil {
			log.Fatal(err)
		}
		st = tr.Stack()
		stacks[stackKey{r.Input, seed}] = st
	}
	if retrain {
		tr, err := stack.NewTrainerAbove(weighed, r.Stack, st.Layers[:len(st.Layers)-1])
		if err != nil {
			log.Fatal(err)
		}
		if err := tr.Train(context.Background(), nil); err != nil {
			log.Fatal(err)
		}
		st = tr.Stack()
	}
	net, err := autoencoder.Unroll(st)
	if err != nil {
		log.Fatal(err)
	}
	net.InputWeights = w
	name := spec
	if fineTune {
		b := pipeline.Reconstruction(data, w, net.Loss)
		if target == "counts" {
			b = autoencoder.Reconstruction(data, net.Loss)
		}
		ft, err := autoencoder.NewTrainer(net, b, r.FineTune)
		if err != nil {
			log.Fatal(err)
		}
		obs := func(e rbmstack.Event) error {
			if e.Kind != rbmstack.EpochEnd || !epochLog {
				return nil
			}
			c, _ := eval.Evaluate(scorer(net, data, counts), labels)
			fmt.Printf("  %s epoch %d: loss %.4f held-out %.4f%s, R0.1 %.4f R0.4 %.4f\n", spec, e.Epoch, e.Loss, e.HeldOut,
				map[bool]string{true: " (best)"}[e.Best], c.PrecisionAtRecall[eval.RecallKey(0.1)], c.PrecisionAtRecall[eval.RecallKey(0.4)])
			return nil
		}
		if err := ft.Train(context.Background(), obs); err != nil {
			log.Fatal(err)
		}
		name = fmt.Sprintf("%s (best epoch %d)", spec, ft.BestEpoch())
	}
	codes := centred(net, data, counts)
	var ss float64
	for _, x := range codes.Data {
		ss += float64(x) * float64(x)
	}
	fmt.Printf("  %s: trained in %s; code rms %.3f\n", spec, time.Since(t0).Round(time.Second), math.Sqrt(ss/float64(len(codes.Data))))
	line(name, eval.CosineScorer(codes.Data, codes.Cols), labels)
}

// centred returns the codes of counts less the training documents' mean
// code, as query.Model does.
func centred(net *autoencoder.Net, data, counts mat.Matrix) *mat.Dense {
	codes := net.Encode(counts)
	query.Centre(codes, query.MeanOf(net.Encode(data)))
	return codes
}

func scorer(net *autoencoder.Net, data, counts mat.Matrix) eval.Scorer {
	c := centred(net, data, counts)
	return eval.CosineScorer(c.Data, c.Cols)
}

func header() {
	fmt.Printf("%-40s", "method")
	for _, r := range levels {
		fmt.Printf(" %6s", fmt.Sprintf("R%g", r))
	}
	fmt.Printf(" %6s %6s\n", "P@10", "MAP")
}

func line(name string, s eval.Scorer, labels []string) {
	c, _ := eval.Evaluate(s, labels)
	fmt.Printf("%-40s", name)
	for _, r := range levels {
		fmt.Printf(" %6.3f", c.PrecisionAtRecall[eval.RecallKey(r)])
	}
	fmt.Printf(" %6.3f %6.3f\n", c.AccuracyAtK[eval.KKey(10)], c.MAP)
}
