package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/vocab"
)

// InputAuto chooses the input weighting per training corpus
// (Options.Input), the paper profile's default: when the training corpus
// is labelled enough (see SelectMinQueries), the stack and the fine-tuning
// are trained once with each input, InputCounts and InputLogIDF, on the
// training documents less a held-out part, each model is scored by
// SelectRecalls on the held-out part, and the better one is kept (on a tie
// the profile's own input). Otherwise the profile's input is taken
// (PaperInput, log-idf, for the paper profile) without a choice. Either
// way the index records what happened (query.TrainInfo.Selection).
//
// Why: on 20 Newsgroups and the Go docs the log-idf input gave better
// codes, on Debian's one-paragraph package descriptions the counts did at
// the top of the ranking (RECIPES.md, "Better 10-D codes"); no one input
// wins everywhere, and the training corpus's own labels can tell.
const InputAuto Input = "auto"

// The rule of InputAuto's selection.
const (
	// SelectHeldOut is the share of the training documents (those with a
	// vocabulary word) held out of both candidates' training, drawn by the
	// seed, at most SelectMaxHeldOut documents: a tenth, as the
	// fine-tuning's own early-stopping holdout.
	SelectHeldOut    = 0.1
	SelectMaxHeldOut = 2000
	// SelectMinRelevant: a held-out document is a query when at least
	// this many other training documents share its label, so that
	// precision at recall 0.2 already counts one relevant document.
	SelectMinRelevant = 5
	// SelectMinQueries: a selection runs when at least this many held-out
	// documents are queries and they carry at least two labels; below
	// that (an unlabelled corpus, or labels too thin) the score would be
	// noise and the profile's input is taken.
	SelectMinQueries = 100
)

// SelectRecalls are the recall levels whose mean precision scores a
// candidate: held-out queries, each ranking all the other training
// documents (held out or not) by the cosine of their centred codes, the
// protocol of `docsearch eval`. It covers the range the issue asks to
// win at (recall 0.01 to 0.4), weighing the top of the ranking, where the
// inputs differ most, by four of its six levels. The queries rank the
// whole training collection, not only the other held-out documents: ten
// times as many relevant documents per query, and the way an index is
// used, new text against a collection.
var SelectRecalls = []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.4}

// selectMeasure describes SelectRecalls' score in the index's record.
const selectMeasure = "mean precision at recall 0.01, 0.02, 0.05, 0.1, 0.2, 0.4 of held-out training documents querying all training documents"

// inputPlan is what train does about the input weighting.
type inputPlan struct {
	inputs  []Input               // the candidates, the profile's own first
	heldOut []int                 // rows of the training data kept out of training (nil: none)
	queries []int                 // the held-out rows that query
	sel     *query.InputSelection // nil when the input was given
}

// planInputs decides the candidates of o.Input on the training documents'
// labels (one per row of the training data); r is the recipe of o's
// profile, whose input is the default.
func planInputs(o Options, r Recipe, labels []string) inputPlan {
	if o.Input != InputAuto {
		return inputPlan{inputs: []Input{r.Input}}
	}
	def, other := r.Input, InputLogIDF
	if def == InputLogIDF {
		other = InputCounts
	}
	n := len(labels)
	perm := make([]int, n)
	rng.New(rng.Named(o.Seed, "input selection"), 0).Perm(perm)
	held := perm[:min(int(SelectHeldOut*float64(n)), SelectMaxHeldOut)]
	slices.Sort(held)
	size := map[string]int{}
	for _, l := range labels {
		size[l]++
	}
	var queries []int
	qlabels := map[string]bool{}
	for _, i := range held {
		if l := labels[i]; l != "" && size[l]-1 >= SelectMinRelevant {
			queries = append(queries, i)
			qlabels[l] = true
		}
	}
	sel := &query.InputSelection{Measure: selectMeasure, Queries: len(queries)}
	if len(queries) < SelectMinQueries || len(qlabels) < 2 {
		sel.Reason = fmt.Sprintf("%d of %d held-out training documents could query, with %d labels (%d and 2 needed): %s, the %s profile's input, taken without a choice",
			len(queries), len(held), len(qlabels), SelectMinQueries, def, o.Profile)
		sel.Queries = 0
		return inputPlan{inputs: []Input{def}, sel: sel}
	}
	sel.HeldOut, sel.Scores = len(held), map[string]float64{}
	return inputPlan{inputs: []Input{def, other}, heldOut: held, queries: queries, sel: sel}
}

// without returns the rows 0..n-1 not in sorted.
func without(n int, sorted []int) []int {
	out := make([]int, 0, n-len(sorted))
	k := 0
	for i := range n {
		if k < len(sorted) && sorted[k] == i {
			k++
			continue
		}
		out = append(out, i)
	}
	return out
}

// selectScore is the score of net: the mean over SelectRecalls of the
// precision of the queries (rows of data) ranking all rows of data by the
// cosine of their codes, centred on the mean code as the index centres
// them.
func selectScore(net *autoencoder.Net, data *vocab.Matrix, labels []string, queries []int) float64 {
	codes := net.Encode(data)
	query.Centre(codes, query.MeanOf(codes))
	c, _ := eval.EvaluateQueries(eval.CosineScorer(codes.Data, codes.Cols), labels, queries)
	var s float64
	for _, r := range SelectRecalls {
		s += c.PrecisionAtRecall[eval.RecallKey(r)]
	}
	return s / float64(len(SelectRecalls))
}

// scoresText lists sel's scores in the order of inputs: "log-idf 0.4512,
// counts 0.4127".
func scoresText(sel *query.InputSelection, inputs []Input) string {
	var b strings.Builder
	for i, in := range inputs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %.4f", in, sel.Scores[string(in)])
	}
	return b.String()
}

// stagePrefix returns an Observer that passes obs every event with p
// before its stage name, so that the progress of each candidate of a
// selection reads apart (nil for a nil obs).
func stagePrefix(obs rbmstack.Observer, p string) rbmstack.Observer {
	if obs == nil {
		return nil
	}
	return func(e rbmstack.Event) error {
		if e.Stage != "" {
			e.Stage = p + e.Stage
		}
		return obs(e)
	}
}
