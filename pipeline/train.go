package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/docsearch/docsearch/autoencoder"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/atomicfile"
	"github.com/docsearch/docsearch/internal/progress"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/vocab"
)

// trained is what the training stage hands to the storing stage.
type trained struct {
	model *query.Model // the fine-tuned model (the pretrained one with FineTune "none")
	pre   *query.Model // the unrolled stack before fine-tuning
	stack *rbmstack.Stack
	train *collected // the training documents as counts
}

// train chooses the vocabulary on o.Train, pretrains the RBM stack, unrolls
// and fine-tunes it, with a checkpoint after every epoch, and fills the
// training fields of sum.
func train(o Options, sum *Summary) (*trained, error) {
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
	ckdir := checkpointDir(o.Dir)
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
	return &trained{model: model, pre: premodel, stack: stack, train: train}, nil
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

func checkpointDir(indexDir string) string { return filepath.Join(indexDir, "checkpoint") }
