package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/atomicfile"
	"github.com/docsearch/docsearch/internal/blas"
	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/vocab"
)

// GoStd is the corpus spec of the default corpus: the documentation of
// the Go standard library shipped with the toolchain, labeled by
// top-level package.
const GoStd = "go:std"

// Blob names of what an index keeps besides the model (see query's).
const (
	BlobStack          = "stack"          // the pretrained RBM stack
	BlobNetPretrained  = "net-pretrained" // the unrolled stack before fine-tuning
	BlobMeanPretrained = "code-mean-pretrained"
	BlobCounts         = "counts"       // word counts of the indexed documents, in index order
	BlobTrainCounts    = "train-counts" // word counts of the training documents
)

// Options configure Build. Zero fields take the defaults of EnsureDefaults.
type Options struct {
	Corpus      string // corpus spec (see ingest.Walk) or GoStd; default GoStd
	Train       string // training corpus spec; default: Corpus
	Dir         string // index directory (required)
	Profile     string // "paper" (default) or "quick"
	Seed        uint64 // default 1
	VocabSize   int    // default 2000
	Hidden      []int  // hidden layer widths below the code; default 500, 250, 125
	Code        int    // code size; default 10
	Stem        bool   // English stemming in the analyzer
	FineTune    string // "adam" (default), "cg" or "none"
	Resume      bool   // continue from the checkpoint of a killed run
	MaxDocBytes int64  // see ingest.Options
	// Epochs, when positive, overrides every layer's and fine-tuning's
	// epoch count (for experiments and tests).
	Epochs int
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
		o.Profile = "paper"
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
		o.FineTune = "adam"
	}
}

// Validate reports every problem at once.
func (o Options) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if o.Dir == "" {
		bad("--index: an index directory is required")
	}
	if o.Profile != "paper" && o.Profile != "quick" {
		bad("--profile: unknown profile %q (known: paper, quick)", o.Profile)
	}
	if o.VocabSize < 1 || o.VocabSize > 1<<20 {
		bad("--vocab: must be in [1, 1048576], got %d", o.VocabSize)
	}
	if o.Code < 1 || o.Code > 4096 {
		bad("--code: must be in [1, 4096], got %d", o.Code)
	}
	for _, h := range o.Hidden {
		if h < 1 || h > 1<<16 {
			bad("--hidden: layer widths must be in [1, 65536], got %d", h)
		}
	}
	if o.FineTune != "adam" && o.FineTune != "cg" && o.FineTune != "none" {
		bad("--finetune: must be adam, cg or none, got %q", o.FineTune)
	}
	if o.Epochs < 0 {
		bad("--epochs: must not be negative, got %d", o.Epochs)
	}
	if o.MaxDocBytes < 0 {
		bad("--max-doc-bytes: must not be negative, got %d", o.MaxDocBytes)
	}
	for _, spec := range []struct{ flag, v string }{{"--corpus", o.Corpus}, {"--train", o.Train}} {
		if spec.v == GoStd || spec.v == "" {
			continue
		}
		p, _, _ := strings.Cut(spec.v, "#")
		if _, err := os.Stat(p); err != nil {
			bad("%s: %v", spec.flag, err)
		}
	}
	return errors.Join(errs...)
}

// Summary reports a finished Build.
type Summary struct {
	TrainDocs, IndexedDocs int
	Skipped                []ingest.Skip
	VocabLen               int
	Sizes                  []int
	Backend                string
	Pretrain, FineTune     time.Duration
	IndexTime, Total       time.Duration
	DocsPerSec             float64 // indexing: read, analyse, encode, store
	BestEpoch              int
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
	counts *vocab.Matrix
	docs   []index.Doc
	stats  ingest.Stats
}

// vectorize reads spec and turns every document into counts. Reading
// (decompression, decoding) runs on its own goroutine while the previous
// batch is analysed on all cores.
func vectorize(spec string, v *vocab.Vocab, opts ingest.Options, label string) (*collected, error) {
	c := &collected{counts: vocab.NewMatrix(v.Len())}
	const batch = 512
	batches := make(chan []string, 2)
	var st ingest.Stats
	var werr error
	bar := progress.New(label, 0, "docs")
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
		m := v.VectorizeAll(texts)
		for i := 0; i < m.Rows(); i++ {
			idx, val := m.Row(i)
			c.counts.Append(vocab.Vector{Idx: idx, Val: val})
		}
		bar.Add(int64(len(texts)))
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
	sizes := append(append([]int(nil), o.Hidden...), o.Code)
	recipe, err := RecipeFor(o.Profile, sizes, o.Seed)
	if err != nil {
		return nil, err
	}
	if o.Epochs > 0 {
		for i := range recipe.Stack.Layers {
			recipe.Stack.Layers[i].Config.Epochs = o.Epochs
		}
		recipe.FineTune.Epochs = o.Epochs
	}
	if o.FineTune != "none" {
		recipe.FineTune.Method = o.FineTune
		if o.FineTune == "cg" {
			recipe.FineTune.BatchSize = 1000
		}
	}
	iopts := ingest.Options{MaxDocBytes: o.MaxDocBytes}
	sum := &Summary{Backend: blas.Backend()}

	// Take the index lock first: a second writer should hear "locked" now,
	// not after an hour of training. The live index stays readable.
	w, err := index.Create(o.Dir, o.Code, "")
	if err != nil {
		return nil, err
	}
	defer w.Abort() // no-op after Commit

	// 1. Vocabulary from the training documents.
	vopts := vocab.Options{Size: o.VocabSize, Stem: o.Stem}
	b, err := vocab.NewBuilder(vopts)
	if err != nil {
		return nil, err
	}
	bar := progress.New("vocabulary", 0, "docs")
	if _, err := walk(o.Train, iopts, func(d ingest.Document) error {
		b.Add(d.Text)
		bar.Add(1)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("reading the training corpus: %w", err)
	}
	bar.Finish()
	if b.Docs() == 0 {
		return nil, fmt.Errorf("the training corpus %s holds no readable document", o.Train)
	}
	voc, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("training corpus %s: %w", o.Train, err)
	}
	if voc.Short() {
		progress.Logf("note: the training corpus has only %d distinct terms; the vocabulary is smaller than %d", voc.Len(), o.VocabSize)
	}
	sum.VocabLen = voc.Len()

	// 2. Training counts.
	train, err := vectorize(o.Train, voc, iopts, "training counts")
	if err != nil {
		return nil, fmt.Errorf("reading the training corpus: %w", err)
	}
	nonEmpty := make([]int, 0, train.counts.Rows())
	for i := 0; i < train.counts.Rows(); i++ {
		if train.counts.RowSum(i) > 0 {
			nonEmpty = append(nonEmpty, i)
		}
	}
	if len(nonEmpty) < 2 {
		return nil, fmt.Errorf("the training corpus %s has %d documents with vocabulary words; at least 2 are needed", o.Train, len(nonEmpty))
	}
	trainData := train.counts.Subset(nonEmpty)
	sum.TrainDocs = trainData.Rows()

	// 3. Pretraining, with a checkpoint after every layer.
	ckdir := filepath.Join(o.Dir, "checkpoint")
	ckkey := checkpointKey(o, voc)
	var resume *rbmstack.Checkpoint
	if o.Resume {
		resume, err = rbmstack.ReadCheckpoint(checkpointPath(ckdir, ckkey))
		if err != nil {
			return nil, err
		}
		if resume != nil {
			progress.Logf("resuming above %d pretrained layers from %s", len(resume.Stack.Layers), ckdir)
		}
	}
	t0 := time.Now()
	stack, err := rbmstack.TrainStack(trainData, recipe.Stack, resume, rbmstack.CheckpointHooks(checkpointPath(ckdir, ckkey)))
	if err != nil {
		return nil, fmt.Errorf("pretraining: %w", err)
	}
	sum.Pretrain = time.Since(t0)
	sum.Sizes = stack.Sizes()

	// 4. Unroll and fine-tune.
	pre, err := autoencoder.Unroll(stack)
	if err != nil {
		return nil, err
	}
	net := pre.Clone()
	t0 = time.Now()
	if o.FineTune != "none" {
		tr, err := autoencoder.NewTrainer(net, autoencoder.Reconstruction(trainData, net.Loss), recipe.FineTune)
		if err != nil {
			return nil, err
		}
		ftPath := filepath.Join(ckdir, "finetune-"+ckkey+"-"+o.FineTune+".bin")
		if o.Resume {
			if st, err := os.ReadFile(ftPath); err == nil {
				if err := tr.RestoreState(st); err != nil {
					return nil, fmt.Errorf("checkpoint %s: %w", ftPath, err)
				}
				progress.Logf("resuming fine-tuning after epoch %d from %s", tr.Epoch(), ftPath)
			}
		}
		err = tr.Train("fine-tune", func(autoencoder.EpochStats) error {
			st, err := tr.MarshalState()
			if err != nil {
				return err
			}
			return atomicfile.Write(ftPath, st)
		})
		if err != nil {
			return nil, fmt.Errorf("fine-tuning: %w", err)
		}
		sum.BestEpoch = tr.BestEpoch()
	}
	sum.FineTune = time.Since(t0)
	model := &query.Model{Vocab: voc, Net: net}
	model.Mean = query.MeanOf(net.Encode(trainData))
	premodel := &query.Model{Vocab: voc, Net: pre}
	premodel.Mean = query.MeanOf(pre.Encode(trainData))

	// 5. Encode and store every document of the corpus.
	t0 = time.Now()
	corpus := train
	if o.Corpus != o.Train {
		corpus, err = vectorize(o.Corpus, voc, iopts, "indexed documents")
		if err != nil {
			return nil, fmt.Errorf("reading the corpus: %w", err)
		}
	}
	sum.Skipped = corpus.stats.Skipped
	if len(corpus.docs) == 0 {
		return nil, fmt.Errorf("the corpus %s holds no readable document", o.Corpus)
	}
	codes := model.EncodeCounts(corpus.counts)
	w.SetFingerprint(model.Fingerprint())
	blobs, err := model.Blobs()
	if err != nil {
		return nil, err
	}
	preBlobs, err := premodel.Blobs()
	if err != nil {
		return nil, err
	}
	blobs[BlobNetPretrained] = preBlobs[query.BlobNet]
	blobs[BlobMeanPretrained] = preBlobs[query.BlobMean]
	if blobs[BlobStack], err = stack.MarshalBinary(); err != nil {
		return nil, err
	}
	if blobs[BlobCounts], err = corpus.counts.MarshalBinary(); err != nil {
		return nil, err
	}
	if blobs[BlobTrainCounts], err = train.counts.MarshalBinary(); err != nil {
		return nil, err
	}
	for name, data := range blobs {
		if err := w.PutBlob(name, data); err != nil {
			return nil, err
		}
	}
	bar = progress.New("index", int64(len(corpus.docs)), "docs")
	for i, d := range corpus.docs {
		if err := w.Add(d, codes.Row(i)); err != nil {
			return nil, err
		}
		bar.Add(1)
	}
	bar.Finish()
	for k, v := range map[string]string{
		"profile": o.Profile, "seed": strconv.FormatUint(o.Seed, 10), "corpus": o.Corpus, "train": o.Train,
		"finetune": o.FineTune, "sizes": fmt.Sprint(sum.Sizes), "backend": sum.Backend,
	} {
		w.SetExtra(k, v)
	}
	if err := w.Commit(); err != nil {
		return nil, err
	}
	sum.IndexTime = time.Since(t0)
	sum.IndexedDocs = len(corpus.docs)
	sum.Total = time.Since(start)
	if s := sum.IndexTime.Seconds(); s > 0 && o.Corpus != o.Train {
		sum.DocsPerSec = float64(sum.IndexedDocs) / s
	}
	os.RemoveAll(ckdir)
	return sum, nil
}

// checkpointKey identifies the training run a checkpoint belongs to: the
// options that decide the stack and the vocabulary.
func checkpointKey(o Options, v *vocab.Vocab) string {
	h := sha256.New()
	j, _ := json.Marshal(struct {
		Train, Profile, Vocab string
		Seed                  uint64
		Hidden                []int
		Code, Epochs          int
	}{o.Train, o.Profile, v.Fingerprint(), o.Seed, o.Hidden, o.Code, o.Epochs})
	h.Write(j)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func checkpointPath(dir, key string) string { return filepath.Join(dir, "stack-"+key+".bin") }
