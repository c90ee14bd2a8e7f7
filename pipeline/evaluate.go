package pipeline

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/vocab"
)

// Baselines lists the baseline methods Evaluate knows.
var Baselines = []string{"lsa-10", "lsa-50", "tfidf", "bm25"}

// EvalOptions configure Evaluate.
type EvalOptions struct {
	// Modes lists the product's rankings to evaluate besides the codes'
	// cosine (the "autoencoder-D" row, which is semantic mode): each
	// document's "more like this" query through query.Engine.Scores, the
	// code path of `docsearch query --doc`. Nil means keyword and hybrid;
	// an empty slice none.
	Modes []query.Mode
	// Short adds the short-query protocol (see ShortReport).
	Short     bool
	Baselines []string // subset of Baselines (lsa-K for any K works)
	// Pretrained adds the codes of the stack before fine-tuning.
	Pretrained bool
	// Layers adds every hidden layer of the pretrained stack (centred
	// hidden means), to show where retrieval information is lost.
	Layers bool
	// With lists other indexes of the same documents (for example with
	// another --code) whose codes are added to the report, to compare
	// models on one plot.
	With []string
}

func (o EvalOptions) modes() []query.Mode {
	if o.Modes == nil {
		return []query.Mode{query.Keyword, query.Hybrid}
	}
	return o.Modes
}

// Evaluation is a report with the order its methods should be shown in.
type Evaluation struct {
	Report  eval.Report
	Order   []string
	Short   *ShortReport
	Seconds float64
}

// Evaluate runs the all-pairs protocol of Hinton & Salakhutdinov (2006) on
// the index in dir: every labeled document queries all the others.
func Evaluate(dir string, o EvalOptions) (*Evaluation, error) {
	start := time.Now()
	eng, err := query.Open(dir)
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	ix := eng.Index
	labels, err := docLabels(ix, dir)
	if err != nil {
		return nil, err
	}
	if err := checkBaselines(o.Baselines); err != nil {
		return nil, err
	}
	e := &evaluator{ev: &Evaluation{Report: eval.Report{Methods: map[string]eval.Curve{}}}, labels: labels}
	e.add(fmt.Sprintf("autoencoder-%d", ix.Dim()), codeScorer(ix))
	var scoreErr firstError
	for _, m := range o.modes() {
		name := m.String()
		e.add(name, &engineScorer{eng: eng, mode: m, err: &scoreErr})
		if err := scoreErr.get(); err != nil {
			return nil, fmt.Errorf("%s ranking: %w", name, err)
		}
	}
	for _, b := range ix.Bits() {
		e.add(fmt.Sprintf("hamming-%d", b), HammingScorer(ix.Hashes(b)))
	}
	shortList := ix.Hashes(index.AddressBits) != nil
	var counts, train *vocab.Matrix
	if o.Pretrained || o.Layers || len(o.Baselines) > 0 || shortList {
		if counts, err = query.ReadCounts(ix, eng.Model.Vocab.Len()); err != nil {
			return nil, fmt.Errorf("index %s: %w", dir, err)
		}
		if train, err = query.ReadTrainCounts(ix); err != nil {
			return nil, err
		}
	}
	if o.Pretrained || o.Layers {
		if err := e.addPretrained(ix, dir, counts, o.Layers, o.Pretrained); err != nil {
			return nil, err
		}
	}
	for _, other := range o.With {
		if err := e.addOther(ix, other, o.Pretrained); err != nil {
			return nil, err
		}
	}
	if err := e.addBaselines(o.Baselines, train, counts); err != nil {
		return nil, err
	}
	if shortList {
		e.add(fmt.Sprintf("hash-%d-tfidf", index.AddressBits), ShortListScorer(ix.Hashes(index.AddressBits), eval.TFIDF(train, counts), HashShortList))
	}
	if o.Short {
		if e.ev.Short, err = shortQueries(eng); err != nil {
			return nil, err
		}
	}
	e.ev.Seconds = time.Since(start).Seconds()
	return e.ev, nil
}

// docLabels returns the label of every document of ix, in position order,
// and refuses an index that cannot be evaluated: fewer than 2 documents, or
// none labeled.
func docLabels(ix *index.Index, dir string) ([]string, error) {
	n := ix.Len()
	labels := make([]string, n)
	labeled := 0
	for i := range labels {
		labels[i] = ix.Doc(i).Label
		if labels[i] != "" {
			labeled++
		}
	}
	if labeled == 0 {
		return nil, fmt.Errorf("index %s: no document has a label; eval needs labeled documents (a corpus with one folder per class, or JSON Lines with \"label\")", dir)
	}
	if n < 2 {
		return nil, fmt.Errorf("index %s: eval needs at least 2 documents, the index has %d", dir, n)
	}
	return labels, nil
}

// checkBaselines reports every unknown baseline name at once.
func checkBaselines(names []string) error {
	var errs []error
	for _, b := range names {
		if _, err := baselineK(b); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// evaluator builds an Evaluation: every method added is evaluated on the
// same labels and shown in the order added.
type evaluator struct {
	ev     *Evaluation
	labels []string
}

func (e *evaluator) add(name string, s eval.Scorer) {
	c, q := eval.Evaluate(s, e.labels)
	e.ev.Report.Methods[name] = c
	e.ev.Report.Queries = q
	e.ev.Order = append(e.ev.Order, name)
}

// codeScorer ranks the documents of ix by the cosine between their codes.
func codeScorer(ix *index.Index) eval.Scorer {
	dim := ix.Dim()
	codes := make([]float32, ix.Len()*dim)
	for i := 0; i < ix.Len(); i++ {
		ix.CodeTo(codes[i*dim:(i+1)*dim], i)
	}
	return eval.CosineScorer(codes, dim)
}

// addPretrained adds the pretrained stack's hidden layers (layers) and its
// codes before fine-tuning (codes), computed from the documents' counts.
func (e *evaluator) addPretrained(ix *index.Index, dir string, counts *vocab.Matrix, layers, codes bool) error {
	pre, err := query.DecodePretrained(ix)
	if err != nil {
		return fmt.Errorf("index %s: pretrained model: %w", dir, err)
	}
	if layers {
		for l := 0; l < pre.Net.Code; l++ {
			h := pre.Layer(counts, l)
			e.add(fmt.Sprintf("rbm-layer%d-%d", l+1, h.Cols), eval.CosineScorer(h.Data, h.Cols))
		}
	}
	if codes {
		pc := pre.EncodeCounts(counts)
		e.add(fmt.Sprintf("autoencoder-%d-pretrained", ix.Dim()), eval.CosineScorer(pc.Data, pc.Cols))
	}
	return nil
}

// addBaselines adds the baselines computed on the same words: LSA fitted
// and TF-IDF weighted on the training counts, BM25.
func (e *evaluator) addBaselines(names []string, train, counts *vocab.Matrix) error {
	for _, b := range names {
		k, _ := baselineK(b)
		switch {
		case k > 0:
			l, err := eval.FitLSA(train, k)
			if err != nil {
				return fmt.Errorf("%s: %w", b, err)
			}
			e.add(b, eval.CosineScorer(l.Transform(counts), k))
		case b == "tfidf":
			e.add(b, eval.TFIDF(train, counts))
		case b == "bm25":
			e.add(b, eval.BM25(counts, 1.2, 0.75))
		}
	}
	return nil
}

// baselineK returns K for "lsa-K", 0 for the other known baselines.
func baselineK(name string) (int, error) {
	if rest, ok := strings.CutPrefix(name, "lsa-"); ok {
		k, err := strconv.Atoi(rest)
		if err != nil || k < 1 || k > 1000 {
			return 0, fmt.Errorf("baseline %q: LSA needs a dimension from 1 to 1000 (e.g. lsa-50)", name)
		}
		return k, nil
	}
	if name == "tfidf" || name == "bm25" {
		return 0, nil
	}
	return 0, fmt.Errorf("unknown baseline %q (known: lsa-K, tfidf, bm25)", name)
}

// addOther adds the codes of another index of the same documents.
func (e *evaluator) addOther(ix *index.Index, dir string, pretrained bool) error {
	eng, err := query.Open(dir)
	if err != nil {
		return fmt.Errorf("other index %s: %w", dir, err)
	}
	defer eng.Close()
	oi := eng.Index
	if oi.Len() != ix.Len() {
		return fmt.Errorf("other index %s: %d documents, the index has %d", dir, oi.Len(), ix.Len())
	}
	for i := 0; i < ix.Len(); i++ {
		if oi.Doc(i).ID != ix.Doc(i).ID {
			return fmt.Errorf("other index %s: document %d is %q, in the index %q: not the same documents", dir, i, oi.Doc(i).ID, ix.Doc(i).ID)
		}
	}
	name := fmt.Sprintf("autoencoder-%d", oi.Dim())
	if _, dup := e.ev.Report.Methods[name]; dup {
		name += " (" + filepath.Base(dir) + ")"
	}
	e.add(name, codeScorer(oi))
	if !pretrained {
		return nil
	}
	counts, err := query.ReadCounts(oi, eng.Model.Vocab.Len())
	if err != nil {
		return fmt.Errorf("other index %s: %w", dir, err)
	}
	pre, err := query.DecodePretrained(oi)
	if err != nil {
		return fmt.Errorf("other index %s: pretrained model: %w", dir, err)
	}
	pc := pre.EncodeCounts(counts)
	e.add(name+"-pretrained", eval.CosineScorer(pc.Data, pc.Cols))
	return nil
}
