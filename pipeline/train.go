package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/checkpoint"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/stack"
	"github.com/docsearch/docsearch/vocab"
)

// CheckpointKept is the error of a run that failed but kept its checkpoint
// because a resume can continue from it: Dir names the folder.
type CheckpointKept = checkpoint.KeptError

// trained is what the training stage hands to the storing stage.
type trained struct {
	model *query.Model // the fine-tuned model (the pretrained one with FineTune "none")
	pre   *query.Model // the unrolled stack before fine-tuning
	stack *stack.Stack
	train *collected      // the training documents as counts
	run   *checkpoint.Run // the checkpoints, removed once the index is committed
}

// train chooses the vocabulary on o.Train, pretrains the RBM stack, unrolls
// and fine-tunes it, with a checkpoint after every epoch, and fills the
// training fields of sum. With o.Resume it continues from the checkpoint
// of an earlier run with the same settings, and refuses one of other
// settings naming both. When it fails, the checkpoint is kept if a resume
// can continue from it (the error says where) and removed otherwise.
func train(o Options, sum *Summary) (tr *trained, err error) {
	ctx := context.Background()
	obs := o.Observer
	recipe, err := recipe(o)
	if err != nil {
		return nil, err
	}
	run, err := checkpoint.Open(checkpointDir(o.Dir), "index", checkpointSettings(o, recipe), o.Resume)
	if err != nil {
		return nil, err
	}
	if o.Resume && !run.Resumed() {
		note(obs, "no checkpoint to resume in %s: training from the start", run.Dir())
	}
	defer func() { err = run.Failed(err, rbmstack.ErrDiverged) }()
	voc, trainData, train, err := trainingCounts(o, sum)
	if err != nil {
		return nil, err
	}
	if err := run.Require(checkpoint.Setting{Name: "vocabulary", Value: voc.Fingerprint()[:16]}); err != nil {
		return nil, err
	}
	t0 := time.Now()
	w := recipe.InputWeights(trainData)
	st, err := stack.NewTrainer(Weigh(trainData, w), recipe.Stack)
	if err != nil {
		return nil, err
	}
	if err := rbmstack.Resume(ctx, st, stageStore(run, "stack"), obs); err != nil {
		return nil, fmt.Errorf("pretraining: %w", err)
	}
	sum.Pretrain = time.Since(t0)
	s := st.Stack()
	sum.Sizes = s.Sizes()
	pre, err := autoencoder.Unroll(s)
	if err != nil {
		return nil, err
	}
	pre.InputWeights = w
	net := pre.Clone()
	t0 = time.Now()
	if o.FineTune != FineTuneNone {
		ft, err := autoencoder.NewTrainer(net, Reconstruction(trainData, w, net.Loss), recipe.FineTune)
		if err != nil {
			return nil, err
		}
		if err := rbmstack.Resume(ctx, ft, stageStore(run, "finetune"), obs); err != nil {
			return nil, fmt.Errorf("fine-tuning: %w", err)
		}
		sum.BestEpoch = ft.BestEpoch()
	}
	sum.FineTune = time.Since(t0)
	model := &query.Model{Vocab: voc, Net: net}
	model.Mean = query.MeanOf(net.Encode(trainData))
	t0 = time.Now()
	for _, bits := range o.Bits {
		hr := HashRecipeFor(recipe, bits, o.Seed)
		hn, err := TrainHash(ctx, s, trainData, hr, o.FineTune != FineTuneNone,
			stageStore(run, fmt.Sprintf("hash-%d-stack", bits)), stageStore(run, fmt.Sprintf("hash-%d-finetune", bits)), obs)
		if err != nil {
			return nil, fmt.Errorf("%d-bit codes: %w", bits, err)
		}
		model.Hash = append(model.Hash, &query.Hasher{Bits: bits, Net: hn})
	}
	sum.Hash = time.Since(t0)
	premodel := &query.Model{Vocab: voc, Net: pre}
	premodel.Mean = query.MeanOf(pre.Encode(trainData))
	return &trained{model: model, pre: premodel, stack: s, train: train, run: run}, nil
}

// recipe returns the training recipe of o's profile and layers, with o's
// overrides of the epochs and the fine-tuning method.
func recipe(o Options) (Recipe, error) {
	r, err := RecipeFor(o.Profile, append(append([]int(nil), o.Hidden...), o.Code), o.Seed)
	if err != nil {
		return r, err
	}
	if o.Epochs > 0 {
		for i := range r.Stack.Layers {
			r.Stack.Layers[i].Config.Epochs = o.Epochs
		}
		r.FineTune.Epochs = o.Epochs
	}
	if o.FineTune == FineTuneCG {
		// conjugate gradients want a fixed loss: the noise drawn once
		r.FineTune.Method, r.FineTune.BatchSize, r.FineTune.FreshNoise = autoencoder.CG, 1000, false
	}
	return r, nil
}

// trainingCounts chooses the vocabulary on the training corpus and returns
// it with the counts of the training documents that hold a vocabulary word
// (the data of training) and of all of them.
func trainingCounts(o Options, sum *Summary) (*vocab.Vocab, *vocab.Matrix, *collected, error) {
	iopts := ingest.Options{MaxDocBytes: o.MaxDocBytes}
	b, err := vocab.NewBuilder(vocab.Options{Size: o.VocabSize, Stem: o.Stem})
	if err != nil {
		return nil, nil, nil, err
	}
	bar := newCounter(o.Observer, "vocabulary", "docs")
	if _, err := walk(o.Train, iopts, func(d ingest.Document) error {
		b.Add(d.Text)
		bar.Add(1)
		return nil
	}); err != nil {
		return nil, nil, nil, fmt.Errorf("reading the training corpus: %w", err)
	}
	bar.Finish()
	if b.Docs() == 0 {
		return nil, nil, nil, fmt.Errorf("the training corpus %s holds no readable document", o.Train)
	}
	voc, err := b.Build()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("training corpus %s: %w", o.Train, err)
	}
	if voc.Short() {
		note(o.Observer, "note: the training corpus has only %d distinct terms; the vocabulary is smaller than %d", voc.Len(), o.VocabSize)
	}
	sum.VocabLen = voc.Len()
	train, err := vectorize(o.Train, voc, iopts, "training counts", o.Observer)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading the training corpus: %w", err)
	}
	nonEmpty := make([]int, 0, train.counts.Rows())
	for i := 0; i < train.counts.Rows(); i++ {
		if train.counts.RowSum(i) > 0 {
			nonEmpty = append(nonEmpty, i)
		}
	}
	if len(nonEmpty) < 2 {
		return nil, nil, nil, fmt.Errorf("the training corpus %s has %d documents with vocabulary words; at least 2 are needed", o.Train, len(nonEmpty))
	}
	trainData := train.counts.Subset(nonEmpty)
	sum.TrainDocs = trainData.Rows()
	return voc, trainData, train, nil
}

// checkpointSettings are the settings that decide the trained model: a
// resume with other ones is refused, naming both. The recipe's input
// weighting and code noise are named only when set, so that a checkpoint
// of a recipe without them (one written before they existed) resumes.
func checkpointSettings(o Options, r Recipe) []checkpoint.Setting {
	var extra []checkpoint.Setting
	if r.Input != InputCounts {
		extra = append(extra, checkpoint.Setting{Name: "input weighting", Value: string(r.Input)})
	}
	if r.FineTune.CodeNoise > 0 {
		extra = append(extra, checkpoint.Setting{Name: "code noise", Value: fmt.Sprintf("%g, fresh every epoch %v", r.FineTune.CodeNoise, r.FineTune.FreshNoise)})
	}
	return append([]checkpoint.Setting{
		{Name: "training corpus", Value: o.Train},
		{Name: "profile", Value: string(o.Profile)},
		{Name: "seed", Value: strconv.FormatUint(o.Seed, 10)},
		{Name: "vocabulary size", Value: strconv.Itoa(o.VocabSize)},
		{Name: "stemming", Value: strconv.FormatBool(o.Stem)},
		{Name: "maximum document size", Value: strconv.FormatInt(o.MaxDocBytes, 10)},
		{Name: "hidden layers", Value: fmt.Sprint(o.Hidden)},
		{Name: "code size", Value: strconv.Itoa(o.Code)},
		{Name: "epochs", Value: strconv.Itoa(o.Epochs)},
		{Name: "fine-tuning", Value: string(o.FineTune)},
		{Name: "binary code widths", Value: fmt.Sprint(o.Bits)},
	}, extra...)
}

// stageStore returns the store of a stage of run (nil without a run).
func stageStore(run *checkpoint.Run, stage string) rbmstack.Store {
	if run == nil {
		return nil
	}
	return run.Stage(stage)
}

func checkpointDir(indexDir string) string { return filepath.Join(indexDir, "checkpoint") }
