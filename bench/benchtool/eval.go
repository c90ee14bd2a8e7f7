package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/vocab"
)

// 20 Newsgroups (bydate) split sizes and the vocabulary of RECIPES.md.
const (
	newsTrain = 11314
	newsTest  = 7532
	newsWords = 2000
	newsTopic = 20
)

// evalSynth times what `docsearch eval` does with its defaults on a
// 20 Newsgroups-sized index, on synthetic data: every one of 7,532 test
// documents queries all the others with six methods (autoencoder-10 codes,
// the pretrained stack's 10-D codes, LSA-10 and LSA-50 fitted on 11,314
// training documents, TF-IDF, BM25). It prints the seconds per method and
// their sum, the best of -reps runs. Opening the index and decoding the
// model, which a real run adds, are left out.
func evalSynth(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ExitOnError)
	reps := fs.Int("reps", 1, "runs; the fastest counts")
	fs.Parse(args)

	train, _ := synthCorpus(1, newsTrain)
	test, labels := synthCorpus(2, newsTest)
	codes := synthCodes(labels, 10)
	net, err := encoder()
	if err != nil {
		return err
	}
	type method struct {
		name   string
		scorer func() (eval.Scorer, error)
	}
	lsa := func(k int) func() (eval.Scorer, error) {
		return func() (eval.Scorer, error) {
			l, err := eval.FitLSA(train, k)
			if err != nil {
				return nil, err
			}
			return eval.CosineScorer(l.Transform(test), k), nil
		}
	}
	methods := []method{
		{"autoencoder-10", func() (eval.Scorer, error) { return eval.CosineScorer(codes, 10), nil }},
		{"autoencoder-10-pretrained", func() (eval.Scorer, error) {
			c := net.Encode(test)
			return eval.CosineScorer(c.Data, c.Cols), nil
		}},
		{"lsa-10", lsa(10)},
		{"lsa-50", lsa(50)},
		{"tfidf", func() (eval.Scorer, error) { return eval.TFIDF(train, test), nil }},
		{"bm25", func() (eval.Scorer, error) { return eval.BM25(test, eval.BM25K1, eval.BM25B), nil }},
	}
	best := map[string]float64{}
	total := math.Inf(1)
	var queries int
	for range max(1, *reps) {
		var sum float64
		for _, m := range methods {
			start := time.Now()
			s, err := m.scorer()
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			_, queries = eval.Evaluate(s, labels)
			sec := time.Since(start).Seconds()
			sum += sec
			if b, ok := best[m.name]; !ok || sec < b {
				best[m.name] = sec
			}
		}
		total = min(total, sum)
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"docs": newsTest, "queries": queries, "seconds": total, "methods": best,
	})
}

// synthCorpus draws n documents over newsWords words from newsTopic topics
// (eval's test corpus): each word comes with probability 0.7 from a Zipf
// distribution shared by all topics, else from the document's topic, a Zipf
// distribution over a topic-specific permutation; lengths are log-normal
// with median 60 words, like 20 Newsgroups. The topics are the same for
// every seed.
func synthCorpus(seed uint64, n int) (*vocab.Matrix, []string) {
	trng := rand.New(rand.NewPCG(0, 20))
	perms := make([][]int, newsTopic)
	for c := range perms {
		perms[c] = trng.Perm(newsWords)
	}
	rng := rand.New(rand.NewPCG(seed, 20))
	zipf := rand.NewZipf(rng, 1.1, 2, newsWords-1)
	m := vocab.NewMatrix(newsWords)
	labels := make([]string, n)
	counts := make(map[int32]float32)
	for i := range n {
		c := rng.IntN(newsTopic)
		labels[i] = fmt.Sprint("topic", c)
		length := max(1, int(math.Exp(math.Log(60)+rng.NormFloat64())))
		clear(counts)
		for range length {
			w := int(zipf.Uint64())
			if rng.Float64() >= 0.7 {
				w = perms[c][w]
			}
			counts[int32(w)]++
		}
		m.Append(vocab.VectorFromCounts(counts))
	}
	return m, labels
}

// synthCodes returns one dim-long code per label: the label's centre (unit
// normal) plus noise of standard deviation 1.5.
func synthCodes(labels []string, dim int) []float32 {
	rng := rand.New(rand.NewPCG(3, uint64(dim)))
	centres := map[string][]float64{}
	codes := make([]float32, len(labels)*dim)
	for i, l := range labels {
		c, ok := centres[l]
		if !ok {
			c = make([]float64, dim)
			for d := range c {
				c[d] = rng.NormFloat64()
			}
			centres[l] = c
		}
		for d := range dim {
			codes[i*dim+d] = float32(c[d] + 1.5*rng.NormFloat64())
		}
	}
	return codes
}

// encoder returns the 2000-500-250-125-10 document autoencoder with random
// weights, inputs rescaled to 100 words, standing in for the pretrained
// stack whose codes eval scores.
func encoder() (*autoencoder.Net, error) {
	S, L, X := autoencoder.Sigmoid, autoencoder.Linear, autoencoder.Softmax
	n, err := autoencoder.New([]int{newsWords, 500, 250, 125, 10, 125, 250, 500, newsWords},
		[]autoencoder.Act{S, S, S, L, S, S, S, X}, autoencoder.SoftmaxCE, 0.05, 1)
	if err != nil {
		return nil, err
	}
	n.Code, n.InputLen = 3, 100
	return n, nil
}
