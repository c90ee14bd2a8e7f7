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
	base, err := recipe(o)
	if err != nil {
		return nil, err
	}
	run, err := checkpoint.Open(checkpointDir(o.Dir), "index", checkpointSettings(o, base), o.Resume)
	if err != nil {
		return nil, err
	}
	if o.Resume && !run.Resumed() {
		note(obs, "no checkpoint to resume in %s: training from the start", run.Dir())
	}
	defer func() { err = run.Failed(err, rbmstack.ErrDiverged) }()
	voc, trainData, labels, train, err := trainingCounts(o, sum)
	if err != nil {
		return nil, err
	}
	if err := run.Require(checkpoint.Setting{Name: "vocabulary", Value: voc.Fingerprint()[:16]}); err != nil {
		return nil, err
	}
	plan := planInputs(o, base, labels)
	data := trainData
	if plan.heldOut != nil {
		data = trainData.Subset(without(trainData.Rows(), plan.heldOut))
		note(obs, "input: choosing between %s and %s: each trains on %d documents and is scored on %d held-out training documents (%d queries); twice the training time",
			plan.inputs[0], plan.inputs[1], data.Rows(), len(plan.heldOut), len(plan.queries))
	} else if plan.sel != nil {
		note(obs, "input: %s", plan.sel.Reason)
	}
	var best *fitted
	var chosen Input
	bestScore := -1.0
	for _, in := range plan.inputs {
		r := base
		r.Input = in
		suffix, fobs := "", obs
		if len(plan.inputs) > 1 {
			suffix, fobs = "-"+string(in), stagePrefix(obs, string(in)+": ")
		}
		f, err := fit(ctx, run, r, data, o.FineTune != FineTuneNone, suffix, fobs)
		if err != nil {
			return nil, err
		}
		sum.Pretrain += f.pretrain
		sum.FineTune += f.finetune
		if len(plan.inputs) == 1 {
			best, chosen = f, in
			break
		}
		score := selectScore(f.net, trainData, labels, plan.queries)
		plan.sel.Scores[string(in)] = score
		note(obs, "input %s: score %.4f (pretraining %s, fine-tuning %s)", in, score, f.pretrain.Round(time.Second), f.finetune.Round(time.Second))
		// on a tie the profile's own input, the first, stays
		if score > bestScore {
			best, chosen, bestScore = f, in, score
		}
	}
	if len(plan.inputs) > 1 {
		note(obs, "input: %s chosen (%s; %s)", chosen, scoresText(plan.sel, plan.inputs), selectMeasure)
	}
	recipe := base
	recipe.Input = chosen
	sum.Input, sum.Selection = chosen, plan.sel
	sum.TrainDocs = data.Rows()
	s, net := best.stack, best.net
	sum.Sizes = s.Sizes()
	sum.BestEpoch = best.bestEpoch
	model := &query.Model{Vocab: voc, Net: net}
	model.Mean = query.MeanOf(net.Encode(trainData))
	t0 := time.Now()
	for _, bits := range o.Bits {
		hr := HashRecipeFor(recipe, bits, o.Seed)
		hn, err := TrainHash(ctx, s, data, hr, o.FineTune != FineTuneNone,
			stageStore(run, fmt.Sprintf("hash-%d-stack", bits)), stageStore(run, fmt.Sprintf("hash-%d-finetune", bits)), obs)
		if err != nil {
			return nil, fmt.Errorf("%d-bit codes: %w", bits, err)
		}
		model.Hash = append(model.Hash, &query.Hasher{Bits: bits, Net: hn})
	}
	sum.Hash = time.Since(t0)
	premodel := &query.Model{Vocab: voc, Net: best.pre}
	premodel.Mean = query.MeanOf(best.pre.Encode(trainData))
	return &trained{model: model, pre: premodel, stack: s, train: train, run: run}, nil
}

// fitted is a model trained on one input.
type fitted struct {
	stack              *stack.Stack
	pre, net           *autoencoder.Net // before and after fine-tuning
	bestEpoch          int
	pretrain, finetune time.Duration
}

// fit pretrains the stack of r on the counts data weighed as r.Input
// says, unrolls it and, if fineTune, fine-tunes a copy, checkpointing in
// the stages "stack"+suffix and "finetune"+suffix of run.
func fit(ctx context.Context, run *checkpoint.Run, r Recipe, data *vocab.Matrix, fineTune bool, suffix string, obs rbmstack.Observer) (*fitted, error) {
	t0 := time.Now()
	w := r.InputWeights(data)
	st, err := stack.NewTrainer(Weigh(data, w), r.Stack)
	if err != nil {
		return nil, err
	}
	if err := rbmstack.Resume(ctx, st, stageStore(run, "stack"+suffix), obs); err != nil {
		return nil, fmt.Errorf("pretraining: %w", err)
	}
	f := &fitted{stack: st.Stack(), pretrain: time.Since(t0)}
	if f.pre, err = autoencoder.Unroll(f.stack); err != nil {
		return nil, err
	}
	f.pre.InputWeights = w
	f.net = f.pre.Clone()
	t0 = time.Now()
	if fineTune {
		ft, err := autoencoder.NewTrainer(f.net, Reconstruction(data, w, f.net.Loss), r.FineTune)
		if err != nil {
			return nil, err
		}
		if err := rbmstack.Resume(ctx, ft, stageStore(run, "finetune"+suffix), obs); err != nil {
			return nil, fmt.Errorf("fine-tuning: %w", err)
		}
		f.bestEpoch = ft.BestEpoch()
	}
	f.finetune = time.Since(t0)
	return f, nil
}

// recipe returns the training recipe of o's profile and layers, with o's
// overrides of the input (unless InputAuto), the epochs and the fine-tuning
// method.
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
	if o.Input == InputCounts || o.Input == InputLogIDF {
		r.Input = o.Input
	}
	if o.FineTune == FineTuneCG {
		// conjugate gradients want a fixed loss: the noise drawn once
		r.FineTune.Method, r.FineTune.BatchSize, r.FineTune.FreshNoise = autoencoder.CG, 1000, false
	}
	return r, nil
}

// trainingCounts chooses the vocabulary on the training corpus and returns
// it with the counts of the training documents that hold a vocabulary word
// (the data of training), their labels, and the counts of all of them.
func trainingCounts(o Options, sum *Summary) (*vocab.Vocab, *vocab.Matrix, []string, *collected, error) {
	iopts := ingest.Options{MaxDocBytes: o.MaxDocBytes}
	b, err := vocab.NewBuilder(vocab.Options{Size: o.VocabSize, Stem: o.Stem})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	bar := newCounter(o.Observer, "vocabulary", "docs")
	if _, err := walk(o.Train, iopts, func(d ingest.Document) error {
		b.Add(d.Text)
		bar.Add(1)
		return nil
	}); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("reading the training corpus: %w", err)
	}
	bar.Finish()
	if b.Docs() == 0 {
		return nil, nil, nil, nil, fmt.Errorf("the training corpus %s holds no readable document", o.Train)
	}
	voc, err := b.Build()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("training corpus %s: %w", o.Train, err)
	}
	if voc.Short() {
		note(o.Observer, "note: the training corpus has only %d distinct terms; the vocabulary is smaller than %d", voc.Len(), o.VocabSize)
	}
	sum.VocabLen = voc.Len()
	train, err := vectorize(o.Train, voc, iopts, "training counts", o.Observer)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("reading the training corpus: %w", err)
	}
	nonEmpty := make([]int, 0, train.counts.Rows())
	for i := 0; i < train.counts.Rows(); i++ {
		if train.counts.RowSum(i) > 0 {
			nonEmpty = append(nonEmpty, i)
		}
	}
	if len(nonEmpty) < 2 {
		return nil, nil, nil, nil, fmt.Errorf("the training corpus %s has %d documents with vocabulary words; at least 2 are needed", o.Train, len(nonEmpty))
	}
	labels := make([]string, len(nonEmpty))
	for k, i := range nonEmpty {
		labels[k] = train.docs[i].Label
	}
	return voc, train.counts.Subset(nonEmpty), labels, train, nil
}

// checkpointSettings are the settings that decide the trained model: a
// resume with other ones is refused, naming both. The recipe's input
// weighting ("auto" when o chooses it) and code noise are named only when
// not the counts and none, so that a checkpoint
// of a recipe without them (one written before they existed) resumes.
func checkpointSettings(o Options, r Recipe) []checkpoint.Setting {
	var extra []checkpoint.Setting
	in := r.Input
	if o.Input == InputAuto {
		in = InputAuto
	}
	if in != InputCounts {
		extra = append(extra, checkpoint.Setting{Name: "input weighting", Value: string(in)})
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
