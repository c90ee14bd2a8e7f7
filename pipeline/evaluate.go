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
	// Short adds the short-query protocol (see ShortQueries).
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
	var errs []error
	for _, b := range o.Baselines {
		if _, err := baselineK(b); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	ev := &Evaluation{Report: eval.Report{Methods: map[string]eval.Curve{}}}
	add := func(name string, s eval.Scorer) {
		c, q := eval.Evaluate(s, labels)
		ev.Report.Methods[name] = c
		ev.Report.Queries = q
		ev.Order = append(ev.Order, name)
	}
	dim := ix.Dim()
	codes := make([]float32, n*dim)
	for i := 0; i < n; i++ {
		ix.CodeTo(codes[i*dim:(i+1)*dim], i)
	}
	add(fmt.Sprintf("autoencoder-%d", dim), eval.CosineScorer(codes, dim))
	var scoreErr firstError

	for _, m := range o.modes() {
		name := m.String()
		add(name, &engineScorer{eng: eng, mode: m, err: &scoreErr})
		if err := scoreErr.get(); err != nil {
			return nil, fmt.Errorf("%s ranking: %w", name, err)
		}
	}
	needCounts := o.Pretrained || o.Layers || len(o.Baselines) > 0
	var counts, train *vocab.Matrix
	if needCounts {
		if counts, err = query.ReadCounts(ix, eng.Model.Vocab.Len()); err != nil {
			return nil, fmt.Errorf("index %s: %w", dir, err)
		}
		if train, err = matrixBlob(ix, query.BlobTrainCounts); err != nil {
			return nil, err
		}
	}
	if o.Pretrained || o.Layers {
		pre, err := query.Decode(func(name string) ([]byte, error) {
			switch name {
			case query.BlobNet:
				name = query.BlobNetPretrained
			case query.BlobMean:
				name = query.BlobMeanPretrained
			}
			return ix.Blob(name)
		})
		if err != nil {
			return nil, fmt.Errorf("index %s: pretrained model: %w", dir, err)
		}
		if o.Layers {
			for l := 0; l < pre.Net.Code; l++ {
				h := pre.Layer(counts, l)
				add(fmt.Sprintf("rbm-layer%d-%d", l+1, h.Cols), eval.CosineScorer(h.Data, h.Cols))
			}
		}
		if o.Pretrained {
			pc := pre.EncodeCounts(counts)
			add(fmt.Sprintf("autoencoder-%d-pretrained", dim), eval.CosineScorer(pc.Data, pc.Cols))
		}
	}
	for _, other := range o.With {
		if err := addOther(ev, add, ix, other, o.Pretrained); err != nil {
			return nil, err
		}
	}
	for _, b := range o.Baselines {
		k, _ := baselineK(b)
		switch {
		case k > 0:
			l, err := eval.FitLSA(train, k)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b, err)
			}
			add(b, eval.CosineScorer(l.Transform(counts), k))
		case b == "tfidf":
			add(b, eval.TFIDF(train, counts))
		case b == "bm25":
			add(b, eval.BM25(counts, 1.2, 0.75))
		}
	}
	if o.Short {
		if ev.Short, err = shortQueries(eng); err != nil {
			return nil, err
		}
	}
	ev.Seconds = time.Since(start).Seconds()
	return ev, nil
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

func matrixBlob(ix *index.Index, name string) (*vocab.Matrix, error) {
	b, err := ix.Blob(name)
	if err != nil {
		return nil, fmt.Errorf("index: %s: %w", name, err)
	}
	var m vocab.Matrix
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("index: %s: %w", name, err)
	}
	return &m, nil
}

// addOther adds the codes of another index of the same documents.
func addOther(ev *Evaluation, add func(string, eval.Scorer), ix *index.Index, dir string, pretrained bool) error {
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
	dim := oi.Dim()
	name := fmt.Sprintf("autoencoder-%d", dim)
	if _, dup := ev.Report.Methods[name]; dup {
		name += " (" + filepath.Base(dir) + ")"
	}
	codes := make([]float32, oi.Len()*dim)
	for i := 0; i < oi.Len(); i++ {
		oi.CodeTo(codes[i*dim:(i+1)*dim], i)
	}
	add(name, eval.CosineScorer(codes, dim))
	if !pretrained {
		return nil
	}
	counts, err := query.ReadCounts(oi, eng.Model.Vocab.Len())
	if err != nil {
		return fmt.Errorf("other index %s: %w", dir, err)
	}
	pre, err := query.Decode(func(n string) ([]byte, error) {
		switch n {
		case query.BlobNet:
			n = query.BlobNetPretrained
		case query.BlobMean:
			n = query.BlobMeanPretrained
		}
		return oi.Blob(n)
	})
	if err != nil {
		return fmt.Errorf("other index %s: pretrained model: %w", dir, err)
	}
	pc := pre.EncodeCounts(counts)
	add(name+"-pretrained", eval.CosineScorer(pc.Data, pc.Cols))
	return nil
}
