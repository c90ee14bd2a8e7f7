// Command hashing measures the binary codes of semantic hashing
// (Salakhutdinov & Hinton 2009) on an index of held-out TRAINING
// documents, the experiment behind pipeline.HashNoise and
// pipeline.HashShortList. It reuses the index's pretrained stack (the lower
// layers of its real-valued model) and its training counts, trains the
// binary codes of each width and noise level asked, and prints their
// Hamming ranking, the short list of 32-bit address lookup reranked by
// TF-IDF, and for comparison the index's real-valued codes and TF-IDF on
// the whole collection. Never run it on the test split:
//
//	BY=date bench/recipes/hybrid/split.sh /path/to/20news-bydate.tar.gz /tmp/vald
//	docsearch index --train /tmp/vald/train80.jsonl --corpus /tmp/vald/held20.jsonl --index /tmp/vald/ix
//	go run ./bench/recipes/hashing -index /tmp/vald/ix -bits 32 -noise 0,4,8
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

	"github.com/docsearch/docsearch/bench/recipes/internal/trainset"
	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack/stack"
	"github.com/docsearch/docsearch/vocab"
)

func main() {
	dir := flag.String("index", "/tmp/vald/ix", "index of held-out training documents (built with the paper profile)")
	bitsFlag := flag.String("bits", "32", "widths of binary codes, comma-separated")
	noiseFlag := flag.String("noise", "4", "standard deviations of the code layer's noise in fine-tuning, comma-separated")
	lists := flag.String("shortlist", "20,100,300", "short-list sizes of 32-bit address lookup reranked by TF-IDF")
	epochs := flag.Int("epochs", 0, "override the fine-tuning epochs (0: the profile's)")
	flag.Parse()
	set, err := trainset.Open(*dir)
	if err != nil {
		log.Fatal(err)
	}
	defer set.Eng.Close()
	eng, ix, labels, ti := set.Eng, set.Eng.Index, set.Labels, set.Info
	n := ix.Len()
	train, data, counts := set.All, set.Train, set.Counts
	sb, err := ix.Blob(query.BlobStack)
	if err != nil {
		log.Fatal(err)
	}
	var s stack.Stack
	if err := s.UnmarshalBinary(sb); err != nil {
		log.Fatal(err)
	}
	r, err := pipeline.RecipeFor(pipeline.Profile(ti.Profile), ti.Sizes[1:], ti.Seed)
	if err != nil {
		log.Fatal(err)
	}
	if *epochs > 0 {
		r.FineTune.Epochs = *epochs
	}
	// the input the index's stack was trained on (an index of the paper
	// profile before issue 14's log-idf input has none)
	r.Input = pipeline.InputCounts
	if eng.Model.Net.InputWeights != nil {
		r.Input = pipeline.InputLogIDF
	}
	fmt.Printf("%s: %d documents, model %v trained on %d (profile %s, seed %d)\n", *dir, n, ti.Sizes, data.Rows(), ti.Profile, ti.Seed)
	tfidf := eval.TFIDF(train, counts)
	rows := []row{{"tfidf", tfidf}, {fmt.Sprintf("autoencoder-%d", ix.Dim()), cosines(ix)}}
	for _, bits := range ints(*bitsFlag) {
		for _, sd := range floats(*noiseFlag) {
			rows = append(rows, trainOne(ix, &s, data, counts, tfidf, pipeline.HashRecipeFor(r, bits, ti.Seed), bits, sd, ints(*lists))...)
		}
	}
	printTable(rows, labels)
}

// trainOne trains the binary codes of width bits with noise sd on the
// recipe hr and returns their rows: Hamming ranking, and for 32 bits the
// address short lists of the given sizes reranked by TF-IDF.
func trainOne(ix *index.Index, s *stack.Stack, data, counts *vocab.Matrix, tfidf eval.Scorer, hr pipeline.Recipe, bits int, sd float64, lists []int) []row {
	hr.FineTune.CodeNoise = float32(sd)
	t0 := time.Now()
	net, err := pipeline.TrainHash(context.Background(), s, data, hr, true, nil, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	h := &query.Hasher{Bits: bits, Net: net}
	out := net.Encode(counts)
	near := 0
	for _, x := range out.Data {
		if x < 0.1 || x > 0.9 {
			near++
		}
	}
	hs := index.NewHashes(bits, h.EncodeCountsTo(nil, counts), func(i int) bool { return ix.Doc(i).NoCode })
	fmt.Printf("%d bits, noise %g: trained in %s; %.1f%% of the code outputs below 0.1 or above 0.9\n",
		bits, sd, time.Since(t0).Round(time.Second), 100*float64(near)/float64(len(out.Data)))
	rows := []row{{fmt.Sprintf("hamming-%d noise %g", bits, sd), pipeline.HammingScorer(hs)}}
	if bits == index.AddressBits {
		for _, l := range lists {
			rows = append(rows, row{fmt.Sprintf("hash-32-tfidf %d noise %g", l, sd), pipeline.ShortListScorer(hs, tfidf, l)})
		}
	}
	return rows
}

type row struct {
	name string
	s    eval.Scorer
}

// cosines ranks by the cosine between the index's real-valued codes.
func cosines(ix *index.Index) eval.Scorer {
	dim := ix.Dim()
	codes := make([]float32, ix.Len()*dim)
	for i := range ix.Len() {
		ix.CodeTo(codes[i*dim:(i+1)*dim], i)
	}
	return eval.CosineScorer(codes, dim)
}

func printTable(rows []row, labels []string) {
	rl := []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8}
	ks := []int{1, 10, 15}
	fmt.Printf("%-28s", "method")
	for _, r := range rl {
		fmt.Printf(" %7s", fmt.Sprintf("R%g", r))
	}
	for _, k := range ks {
		fmt.Printf(" %7s", fmt.Sprintf("P@%d", k))
	}
	fmt.Printf(" %7s\n", "MAP")
	for _, m := range rows {
		c, _ := eval.Evaluate(m.s, labels)
		fmt.Printf("%-28s", m.name)
		for _, r := range rl {
			fmt.Printf(" %7.4f", c.PrecisionAtRecall[eval.RecallKey(r)])
		}
		for _, k := range ks {
			fmt.Printf(" %7.4f", c.AccuracyAtK[eval.KKey(k)])
		}
		fmt.Printf(" %7.4f\n", c.MAP)
	}
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			log.Fatalf("%q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}

func floats(s string) []float64 {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || math.IsNaN(v) {
			log.Fatalf("%q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}
