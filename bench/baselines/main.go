// Command baselines chooses the recipes of the LSA and TF-IDF baselines on
// held-out training data, and dumps an index's word counts for the
// independent scikit-learn check (sklearn_check.py, driven by bench/baselines/run).
//
//	baselines select -index DIR [-train SPEC] [-k 10,50] [-json]
//	baselines dump   -index DIR -out DIR
//
// select reads the training corpus the index was built from (its "train"
// setting, or -train), counts it with the index's vocabulary (and checks the
// counts against the stored "train-counts", so that the selection sees the
// very rows the baselines are fitted on), and splits the training documents
// 80/20 by a hash of their id (FNV-1a 64, held out when the hash is 0 mod 5).
// Every recipe is fitted on the 80% and evaluated on the 20% with eval's
// protocol (every held-out document queries the other held-out documents,
// relevant = same label). The test documents are never read. For each
// baseline it prints every recipe ranked by mean average precision, the
// selection criterion, with precision at recall 0.1 and accuracy at 1 and 15
// beside it.
//
// dump writes the indexed ("counts") and training ("train-counts") word
// counts and the indexed documents' labels to DIR as raw little-endian
// arrays that numpy reads: NAME.shape ("rows cols"), NAME.indptr (int64),
// NAME.idx (int32), NAME.val (float32) for NAME = counts and train, and
// labels.txt (one label per line, in index order).
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docsearch/docsearch/eval"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/vocab"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "select":
		err = selectRecipes(os.Args[2:])
	case "dump":
		err = dump(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "baselines:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: baselines select|dump [flags]; see the package documentation")
	os.Exit(2)
}

// heldOut reports whether the training document id is in the held-out 20%.
func heldOut(id string) bool {
	h := fnv.New64a()
	io.WriteString(h, id)
	return h.Sum64()%5 == 0
}

// result is one recipe's held-out figures.
type result struct {
	Baseline string     `json:"baseline"`
	Recipe   string     `json:"recipe"`
	Curve    eval.Curve `json:"curve"`
}

func selectRecipes(args []string) error {
	fs := flag.NewFlagSet("select", flag.ExitOnError)
	dir := fs.String("index", "", "index `DIR` whose vocabulary and training counts to use")
	trainSpec := fs.String("train", "", "training corpus `SPEC` (default: the one the index was built from)")
	asJSON := fs.Bool("json", false, "print every result as JSON lines")
	ks := fs.String("k", "10,50", "LSA dimensions to try, comma-separated")
	fs.Parse(args)
	dims, err := parseDims(*ks)
	if err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("select: -index is required")
	}
	eng, err := query.Open(*dir)
	if err != nil {
		return err
	}
	fit, held, labels, err := splitTraining(eng, *dir, *trainSpec)
	if err != nil {
		return err
	}
	start := time.Now()
	results, err := tryRecipes(dims, fit, held, labels)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "select: %d recipes in %.1f s\n", len(results), time.Since(start).Seconds())
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	printRanked(results, len(labels))
	return nil
}

// parseDims parses the -k list of LSA dimensions.
func parseDims(ks string) ([]int, error) {
	var dims []int
	for _, f := range strings.Split(ks, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			return nil, fmt.Errorf("select: -k: %q is not a positive dimension", f)
		}
		dims = append(dims, k)
	}
	return dims, nil
}

// splitTraining counts the training corpus of the index in dir again (spec,
// or the one the index was built from), with ids and labels, checks the
// counts against the stored ones, and splits them into the 80% to fit on
// and the held-out 20% to evaluate on, with the held-out labels.
func splitTraining(eng *query.Engine, dir, spec string) (fit, held *vocab.Matrix, labels []string, err error) {
	if spec == "" {
		spec = eng.Index.Meta().Extra["train"]
	}
	if spec == "" || spec == pipeline.GoStd {
		return nil, nil, nil, fmt.Errorf("select: index %s: training corpus %q is not a corpus spec; give -train", dir, spec)
	}
	stored, err := query.ReadTrainCounts(eng.Index)
	if err != nil {
		return nil, nil, nil, err
	}
	var texts []string
	var docs []ingest.Document
	if _, err := ingest.Walk(spec, ingest.Options{}, func(d ingest.Document) error {
		texts = append(texts, d.Text)
		d.Text = ""
		docs = append(docs, d)
		return nil
	}); err != nil {
		return nil, nil, nil, fmt.Errorf("select: %w", err)
	}
	counts := eng.Model.Vocab.VectorizeAll(texts)
	if err := sameCounts(counts, stored); err != nil {
		return nil, nil, nil, fmt.Errorf("select: %s counted with the index's vocabulary differs from the index's %s: %w", spec, query.BlobTrainCounts, err)
	}
	var fitRows, evalRows []int
	for i, d := range docs {
		if heldOut(d.ID) {
			evalRows = append(evalRows, i)
			labels = append(labels, d.Label)
		} else {
			fitRows = append(fitRows, i)
		}
	}
	fmt.Fprintf(os.Stderr, "select: %s: %d training documents, fitting on %d, evaluating on %d held out\n",
		spec, len(docs), len(fitRows), len(evalRows))
	return counts.Subset(fitRows), counts.Subset(evalRows), labels, nil
}

// tryRecipes fits every recipe of every baseline on fit and evaluates it
// on held: LSA of each dimension under every weighting, row normalization
// and centring; TF-IDF under every weighting; BM25 with its constants.
func tryRecipes(dims []int, fit, held *vocab.Matrix, labels []string) ([]result, error) {
	var results []result
	run := func(baseline, recipe string, s eval.Scorer) {
		c, _ := eval.Evaluate(s, labels)
		results = append(results, result{baseline, recipe, c})
	}
	tfs := []eval.TF{eval.TFLog, eval.TFRaw, eval.TFSublinear}
	idfs := []eval.IDF{eval.IDFLog, eval.IDFSmooth}
	for _, k := range dims {
		for _, tf := range tfs {
			for _, idf := range idfs {
				for _, norm := range []bool{false, true} {
					for _, centre := range []eval.Centring{eval.CentreNone, eval.CentreCodes, eval.CentrePCA} {
						o := eval.LSAOptions{Weighting: eval.Weighting{TF: tf, IDF: idf}, NormalizeRows: norm, Centre: centre}
						l, err := eval.FitLSAWith(fit, k, o)
						if err != nil {
							return nil, err
						}
						run(fmt.Sprintf("lsa-%d", k), o.String(), eval.CosineScorer(l.Transform(held), k))
					}
				}
			}
		}
	}
	for _, tf := range tfs {
		for _, idf := range idfs {
			w := eval.Weighting{TF: tf, IDF: idf}
			run("tfidf", w.String(), eval.TFIDFWith(fit, held, w))
		}
	}
	run("bm25", fmt.Sprintf("k1 %v, b %v", eval.BM25K1, eval.BM25B), eval.BM25(held, eval.BM25K1, eval.BM25B))
	return results, nil
}

// printRanked prints the recipes of each baseline best first by MAP, the
// chosen one marked.
func printRanked(results []result, queries int) {
	// Best first within each baseline; a stable sort keeps the grid order
	// among equals.
	slices.SortStableFunc(results, func(a, b result) int {
		if a.Baseline != b.Baseline {
			return strings.Compare(a.Baseline, b.Baseline)
		}
		switch {
		case a.Curve.MAP > b.Curve.MAP:
			return -1
		case a.Curve.MAP < b.Curve.MAP:
			return 1
		}
		return 0
	})
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "held-out queries %d; recipes ranked by MAP (* = chosen)\n", queries)
	fmt.Fprintf(w, "%-8s %-55s %7s %7s %7s %7s %7s\n", "baseline", "recipe", "MAP", "P@R0.1", "P@R0.01", "acc@1", "acc@15")
	prev := ""
	for _, r := range results {
		mark := " "
		if r.Baseline != prev {
			mark = "*"
			prev = r.Baseline
		}
		c := r.Curve
		fmt.Fprintf(w, "%-8s %s%-54s %7.4f %7.4f %7.4f %7.4f %7.4f\n", r.Baseline, mark, r.Recipe, c.MAP,
			c.PrecisionAtRecall["0.1"], c.PrecisionAtRecall["0.01"], c.AccuracyAtK["1"], c.AccuracyAtK["15"])
	}
}

// sameCounts returns an error naming the first row where a and b differ.
func sameCounts(a, b *vocab.Matrix) error {
	if a.Rows() != b.Rows() || a.Cols != b.Cols {
		return fmt.Errorf("%dx%d against %dx%d", a.Rows(), a.Cols, b.Rows(), b.Cols)
	}
	for i := range a.Rows() {
		ai, av := a.Row(i)
		bi, bv := b.Row(i)
		if !slices.Equal(ai, bi) || !slices.Equal(av, bv) {
			return fmt.Errorf("row %d differs", i)
		}
	}
	return nil
}

func dump(args []string) error {
	fs := flag.NewFlagSet("dump", flag.ExitOnError)
	dir := fs.String("index", "", "index `DIR`")
	out := fs.String("out", "", "output `DIR` (created)")
	fs.Parse(args)
	if *dir == "" || *out == "" {
		return errors.New("dump: -index and -out are required")
	}
	eng, err := query.Open(*dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	counts, err := query.ReadCounts(eng.Index, eng.Model.Vocab.Len())
	if err != nil {
		return err
	}
	train, err := query.ReadTrainCounts(eng.Index)
	if err != nil {
		return err
	}
	for name, m := range map[string]*vocab.Matrix{"counts": counts, "train": train} {
		if err := writeMatrix(filepath.Join(*out, name), m); err != nil {
			return err
		}
	}
	var b strings.Builder
	for i := range eng.Index.Len() {
		l := eng.Index.Doc(i).Label
		if strings.ContainsAny(l, "\n\r") {
			return fmt.Errorf("dump: document %d: label %q has a line break", i, l)
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return os.WriteFile(filepath.Join(*out, "labels.txt"), []byte(b.String()), 0o644)
}

// writeMatrix writes m as prefix.shape, prefix.indptr, prefix.idx and
// prefix.val.
func writeMatrix(prefix string, m *vocab.Matrix) error {
	nnz := m.Indptr[len(m.Indptr)-1]
	indptr := make([]int64, len(m.Indptr))
	for i, p := range m.Indptr {
		indptr[i] = int64(p)
	}
	for ext, data := range map[string]any{"indptr": indptr, "idx": m.Idx[:nnz], "val": m.Val[:nnz]} {
		f, err := os.Create(prefix + "." + ext)
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(f)
		if err := binary.Write(bw, binary.LittleEndian, data); err != nil {
			f.Close()
			return err
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return os.WriteFile(prefix+".shape", fmt.Appendf(nil, "%d %d\n", m.Rows(), m.Cols), 0o644)
}
