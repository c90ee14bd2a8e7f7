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
// stack, no fine-tuning) or "ft" (fine-tuned): noise (the code layer's
// deterministic noise in fine-tuning, autoencoder.Config.CodeNoise), fresh
// (1: noise drawn anew every epoch, autoencoder.Config.FreshNoise), code
// (linear or logistic code units), toplr and topepochs (the code layer's
// RBM), ftlr, ftepochs and patience (fine-tuning). Without settings it is
// the recipe of the index's profile; a setting that touches the code
// layer retrains it above the index's lower layers. input (counts, log or
// logidf) retrains the whole stack on log(1+tf) or log(1+tf) x idf
// instead of counts, each document still rescaled to the softmax layer's
// length.
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
	eng, err := query.Open(*dir)
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()
	ix := eng.Index
	n := ix.Len()
	labels := make([]string, n)
	for i := range n {
		labels[i] = ix.Doc(i).Label
	}
	ti, err := query.ReadTrainInfo(ix.Blob)
	if err != nil {
		log.Fatal(err)
	}
	sb, err := ix.Blob(query.BlobStack)
	if err != nil {
		log.Fatal(err)
	}
	var s stack.Stack
	if err := s.UnmarshalBinary(sb); err != nil {
		log.Fatal(err)
	}
	train, err := query.ReadTrainCounts(ix)
	if err != nil {
		log.Fatal(err)
	}
	counts, err := query.ReadCounts(ix, eng.Model.Vocab.Len())
	if err != nil {
		log.Fatal(err)
	}
	var nonEmpty []int
	for i := 0; i < train.Rows(); i++ {
		if train.RowSum(i) > 0 {
			nonEmpty = append(nonEmpty, i)
		}
	}
	data := train.Subset(nonEmpty)
	base, err := pipeline.RecipeFor(pipeline.Profile(ti.Profile), ti.Sizes[1:], ti.Seed)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d documents, model %v trained on %d (profile %s, seed %d)\n", *dir, n, ti.Sizes, data.Rows(), ti.Profile, ti.Seed)
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
			run(spec, &s, base, data, counts, labels, ti.Seed, *epochLog)
		}
	}
}

// stacks are the stacks retrained on each input weighting, shared by the
// variants that ask for it (a variant that also changes the code layer
// retrains that layer above it).
var stacks = map[string]*stack.Stack{}

// run trains and measures one variant.
func run(spec string, s *stack.Stack, base pipeline.Recipe, data *vocab.Matrix, counts *vocab.Matrix, labels []string, seed uint64, epochLog bool) {
	f := strings.Fields(spec)
	r := base
	r.Stack.Layers = append([]stack.Layer(nil), base.Stack.Layers...)
	top := &r.Stack.Layers[len(r.Stack.Layers)-1]
	fineTune, retrain, input := f[0] == "ft", false, ""
	var all bool // retrain every layer
	if f[0] != "ft" && f[0] != "pre" {
		log.Fatalf("variant %q: starts with pre or ft", spec)
	}
	for _, kv := range f[1:] {
		k, v, ok := strings.Cut(kv, "=")
		x, err := strconv.ParseFloat(v, 64)
		if !ok || (k != "code" && k != "input" && (err != nil || math.IsNaN(x))) {
			log.Fatalf("variant %q: bad setting %q", spec, kv)
		}
		switch k {
		case "noise":
			r.FineTune.CodeNoise = float32(x)
		case "input":
			input, all = v, true
		case "fresh":
			r.FineTune.FreshNoise = x != 0
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
		case "patience":
			r.FineTune.Patience = int(x)
		default:
			log.Fatalf("variant %q: unknown setting %q", spec, k)
		}
	}
	t0 := time.Now()
	st := s
	if input != "" {
		data, counts = weigh(input, data, data), weigh(input, data, counts)
	}
	if all && stacks[input] != nil {
		st = stacks[input]
	} else if all {
		tr, err := stack.NewTrainer(data, base.Stack) // the code layer of the profile
		if err != nil {
			log.Fatal(err)
		}
		if err := tr.Train(context.Background(), nil); err != nil {
			log.Fatal(err)
		}
		st = tr.Stack()
		stacks[input] = st
	}
	if retrain {
		tr, err := stack.NewTrainerAbove(data, r.Stack, st.Layers[:len(st.Layers)-1])
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
	name := spec
	if fineTune {
		ft, err := autoencoder.NewTrainer(net, autoencoder.Reconstruction(data, net.Loss), r.FineTune)
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

// weigh returns m with its counts replaced by log(1+tf) ("log") or
// log(1+tf) x log(N/df) of the training documents ("logidf"), or m itself
// ("counts").
func weigh(how string, train, m *vocab.Matrix) *vocab.Matrix {
	var idf []float64
	switch how {
	case "counts":
		return m
	case "log":
	case "logidf":
		idf = eval.IDFLog.Weights(train)
	default:
		log.Fatalf("input %q: counts, log or logidf", how)
	}
	w := *m
	w.Val = make([]float32, len(m.Val))
	for k, v := range m.Val {
		x := math.Log1p(float64(v))
		if idf != nil {
			x *= idf[m.Idx[k]]
		}
		w.Val[k] = float32(x)
	}
	return &w
}

// centred returns the codes of counts less the training documents' mean
// code, as query.Model does.
func centred(net *autoencoder.Net, data, counts mat.Matrix) *mat.Dense {
	codes := net.Encode(counts)
	mean := query.MeanOf(net.Encode(data))
	for i := 0; i < codes.Rows; i++ {
		r := codes.Row(i)
		for j := range r {
			r[j] -= mean[j]
		}
	}
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
