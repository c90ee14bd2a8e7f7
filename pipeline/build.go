package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/blas"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/vocab"
)

// GoStd is the corpus spec of the default corpus: the documentation of
// the Go standard library shipped with the toolchain, labeled by
// top-level package.
const GoStd = "go:std"

// Options configure Build. Zero fields take the defaults of EnsureDefaults.
type Options struct {
	Corpus    string     // corpus spec (see ingest.Walk) or GoStd; default GoStd
	Train     string     // training corpus spec; default: Corpus
	Dir       string     // index directory (required)
	Profile   Profile    // Paper (default) or Quick
	Seed      uint64     // default 1
	VocabSize int        // default 2000
	Hidden    []int      // hidden layer widths below the code; default 500, 250, 125
	Code      int        // code size; default 10
	Stem      bool       // English stemming in the analyzer
	FineTune  FineTuning // FineTuneAdam (default), FineTuneCG or FineTuneNone
	// Input is the weighting of the counts: InputAuto (the paper
	// profile's default: chosen on held-out training documents when the
	// training corpus is labelled), InputCounts (the quick profile's
	// default) or InputLogIDF.
	Input Input
	// Bits lists the widths of binary codes (semantic hashing) to train
	// and store beside the real-valued codes, each one of HashWidths;
	// none by default.
	Bits        []int
	Resume      bool  // continue from the checkpoint of a killed run
	MaxDocBytes int64 // see ingest.Options
	// Epochs, when positive, overrides every layer's and fine-tuning's
	// epoch count (for experiments and tests).
	Epochs int
	// Observer receives the progress of reading and training (may be nil).
	Observer rbmstack.Observer
}

// EnsureDefaults fills zero fields.
func (o *Options) EnsureDefaults() {
	if o.Corpus == "" {
		o.Corpus = GoStd
	}
	if o.Train == "" {
		o.Train = o.Corpus
	}
	if o.Profile == "" {
		o.Profile = Paper
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.VocabSize == 0 {
		o.VocabSize = 2000
	}
	if o.Hidden == nil {
		o.Hidden = []int{500, 250, 125}
	}
	if o.Code == 0 {
		o.Code = 10
	}
	if o.FineTune == "" {
		o.FineTune = FineTuneAdam
	}
	if o.Input == "" {
		// the quick profile keeps its pinned counts
		o.Input = InputAuto
		if o.Profile == Quick {
			o.Input = InputCounts
		}
	}
}

// Validate reports every problem at once.
func (o Options) Validate() error {
	var errs []error
	bad := func(field, f string, a ...any) { errs = append(errs, &FieldError{field, fmt.Errorf(f, a...)}) }
	if o.Dir == "" {
		bad("Dir", "an index directory is required")
	}
	if o.Profile != Paper && o.Profile != Quick {
		bad("Profile", "unknown profile %q (known: paper, quick)", o.Profile)
	}
	if o.VocabSize < 1 || o.VocabSize > 1<<20 {
		bad("VocabSize", "must be in [1, 1048576], got %d", o.VocabSize)
	}
	if o.Code < 1 || o.Code > 4096 {
		bad("Code", "must be in [1, 4096], got %d", o.Code)
	}
	for _, h := range o.Hidden {
		if h < 1 || h > 1<<16 {
			bad("Hidden", "layer widths must be in [1, 65536], got %d", h)
		}
	}
	if o.FineTune != FineTuneAdam && o.FineTune != FineTuneCG && o.FineTune != FineTuneNone {
		bad("FineTune", "must be adam, cg or none, got %q", o.FineTune)
	}
	if o.Input != InputAuto && o.Input != InputCounts && o.Input != InputLogIDF {
		bad("Input", "must be auto, counts or log-idf, got %q", o.Input)
	}
	if o.Epochs < 0 {
		bad("Epochs", "must not be negative, got %d", o.Epochs)
	}
	if err := checkWidths(o.Bits); err != nil {
		bad("Bits", "%v", err)
	}
	if o.MaxDocBytes < 0 {
		bad("MaxDocBytes", "must not be negative, got %d", o.MaxDocBytes)
	}
	if err := checkSpec(o.Corpus); err != nil {
		bad("Corpus", "%v", err)
	}
	if err := checkSpec(o.Train); err != nil {
		bad("Train", "%v", err)
	}
	return errors.Join(errs...)
}

// checkSpec checks that the path of a corpus spec exists (the default
// corpus always does), "deb822:FILE" that FILE does.
func checkSpec(spec string) error {
	if spec == GoStd || spec == "" {
		return nil
	}
	p, _, _ := strings.Cut(spec, "#")
	_, err := os.Stat(strings.TrimPrefix(p, ingest.Deb822Prefix))
	return err
}

// FieldError is a bad value of one field of an options struct. Field is
// the Go name of the field ("Profile"); the command line maps it to its
// flag.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

func (e *FieldError) Unwrap() error { return e.Err }

// Summary reports a finished Build.
type Summary struct {
	TrainDocs, IndexedDocs int
	// Intake is what reading the indexed corpus found: skipped, truncated
	// and code-less documents.
	Intake
	VocabLen           int
	Sizes              []int
	Backend            string
	Pretrain, FineTune time.Duration
	Hash               time.Duration // training the binary codes' models
	IndexTime, Total   time.Duration
	DocsPerSec         float64 // indexing: read, analyse, encode, store
	BestEpoch          int
	// Input is the weighting of the counts the model was trained on;
	// Selection says how it was chosen (nil when Options.Input gave it).
	// With a selection, Pretrain and FineTune are the time of both
	// candidates, and TrainDocs excludes the held-out documents.
	Input     Input
	Selection *query.InputSelection
}

// walk streams a corpus spec, the default corpus included.
func walk(spec string, opts ingest.Options, fn func(ingest.Document) error) (ingest.Stats, error) {
	if spec == GoStd {
		root, err := ingest.GoRoot()
		if err != nil {
			return ingest.Stats{}, err
		}
		return ingest.GoDocs(root, opts, fn)
	}
	return ingest.Walk(spec, opts, fn)
}

// collected is a corpus turned into counts.
type collected struct {
	counts       *vocab.Matrix
	docs         []index.Doc
	stats        ingest.Stats
	words, known int64 // word tokens, and those in the vocabulary
}

// vectorize reads spec and turns every document into counts. Reading
// (decompression, decoding) runs on its own goroutine while the previous
// batch is analysed on all cores.
func vectorize(spec string, v *vocab.Vocab, opts ingest.Options, label string, obs rbmstack.Observer) (*collected, error) {
	c := &collected{counts: vocab.NewMatrix(v.Len())}
	const batch = 512
	batches := make(chan []string, 2)
	var st ingest.Stats
	var werr error
	bar := newCounter(obs, label, "docs")
	go func() {
		defer close(batches)
		texts := make([]string, 0, batch)
		st, werr = walk(spec, opts, func(d ingest.Document) error {
			texts = append(texts, d.Text)
			c.docs = append(c.docs, index.Doc{ID: d.ID, Label: d.Label, Title: d.Title})
			if len(texts) == batch {
				batches <- texts
				texts = make([]string, 0, batch)
			}
			return nil
		})
		if len(texts) > 0 {
			batches <- texts
		}
	}()
	for texts := range batches {
		m, words := v.VectorizeAllWords(texts)
		for i := 0; i < m.Rows(); i++ {
			idx, val := m.Row(i)
			c.counts.Append(vocab.Vector{Idx: idx, Val: val})
			c.words += int64(words[i])
			c.known += int64(m.RowSum(i))
		}
		bar.Add(len(texts))
	}
	if werr != nil {
		return nil, werr
	}
	bar.Finish()
	c.stats = st
	return c, nil
}

// Build runs the main job. See the package documentation.
func Build(o Options) (*Summary, error) {
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	sum := &Summary{Backend: blas.Backend()}

	// Take the index lock first: a second writer should hear "locked" now,
	// not after an hour of training. The live index stays readable.
	w, err := index.Create(o.Dir, o.Code, "")
	if err != nil {
		return nil, err
	}
	defer w.Abort() // no-op after Commit

	tr, err := train(o, sum)
	if err != nil {
		return nil, err
	}
	if err := store(o, tr, w, sum); err != nil {
		return nil, tr.run.Failed(err, rbmstack.ErrDiverged)
	}
	sum.Total = time.Since(start)
	if err := tr.run.Remove(); err != nil {
		note(o.Observer, "the index is committed; removing its checkpoint failed: %v", err)
	}
	return sum, nil
}

// store encodes and writes every document of the corpus, with the model,
// into the new generation w and commits it.
func store(o Options, tr *trained, w *index.Writer, sum *Summary) error {
	t0 := time.Now()
	w.SetFingerprint(tr.model.Fingerprint())
	if err := w.SetBits(o.Bits); err != nil {
		return err
	}
	if err := putModel(w, tr, o, sum); err != nil {
		return err
	}
	in, err := encodeCorpus(o.Corpus, tr.model, ingest.Options{MaxDocBytes: o.MaxDocBytes}, "index", o.Observer, w.Add)
	if err != nil {
		return fmt.Errorf("reading the corpus: %w", err)
	}
	sum.Intake = *in
	if in.Docs == 0 {
		return fmt.Errorf("the corpus %s holds no readable document", o.Corpus)
	}
	for k, v := range map[string]string{
		"profile": string(o.Profile), "seed": strconv.FormatUint(o.Seed, 10), "corpus": o.Corpus, "train": o.Train,
		"finetune": string(o.FineTune), "sizes": fmt.Sprint(sum.Sizes), "backend": sum.Backend,
		extraModelGen: strconv.FormatUint(w.Generation(), 10),
	} {
		w.SetExtra(k, v)
	}
	if err := w.Commit(); err != nil {
		return err
	}
	sum.IndexTime = time.Since(t0)
	sum.IndexedDocs = in.Docs
	if s := sum.IndexTime.Seconds(); s > 0 {
		sum.DocsPerSec = float64(sum.IndexedDocs) / s
	}
	return nil
}

// extraModelGen is the Meta.Extra key of the generation the model was
// trained in: the documents of later generations were added to it.
const extraModelGen = "model_generation"

// putModel stores the model, the pretrained stack and what eval and info
// need about the training documents.
func putModel(w *index.Writer, tr *trained, o Options, sum *Summary) error {
	blobs, err := tr.model.Blobs()
	if err != nil {
		return err
	}
	preBlobs, err := tr.pre.Blobs()
	if err != nil {
		return err
	}
	blobs[query.BlobNetPretrained] = preBlobs[query.BlobNet]
	blobs[query.BlobMeanPretrained] = preBlobs[query.BlobMean]
	if blobs[query.BlobStack], err = tr.stack.MarshalBinary(); err != nil {
		return err
	}
	if blobs[query.BlobTrainCounts], err = tr.train.counts.MarshalBinary(); err != nil {
		return err
	}
	for _, h := range tr.model.Hash {
		if blobs[query.BlobHashNet(h.Bits)], err = h.Net.MarshalBinary(); err != nil {
			return err
		}
	}
	info := query.TrainInfo{
		Corpus: o.Train, Docs: sum.TrainDocs, Profile: string(o.Profile), Seed: o.Seed, Sizes: sum.Sizes,
		Vocab: sum.VocabLen, Words: tr.train.words, Known: tr.train.known, Trained: time.Now().UTC(),
		Input: string(sum.Input), Selection: sum.Selection,
	}
	if blobs[query.BlobTrainInfo], err = json.Marshal(info); err != nil {
		return err
	}
	for name, data := range blobs {
		if err := w.PutBlob(name, data); err != nil {
			return err
		}
	}
	return nil
}
