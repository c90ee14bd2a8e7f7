package query

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/vocab"
)

// The layout of what a docsearch index keeps besides the codes, in one
// place. An index generation holds, per document, its record (id, label,
// title, word counts), its code, its text (in the full-text index) and,
// as the document's data, its vocabulary counts encoded by
// vocab.Vector.AppendBinary; and these blobs:
const (
	BlobVocab = "vocab"     // the vocabulary (vocab.Vocab)
	BlobNet   = "net"       // the fine-tuned autoencoder (autoencoder.Net)
	BlobMean  = "code-mean" // the mean code of the training documents, subtracted from every code

	BlobStack          = "stack"                // the pretrained RBM stack
	BlobNetPretrained  = "net-pretrained"       // the unrolled stack before fine-tuning
	BlobMeanPretrained = "code-mean-pretrained" // its mean training code
	BlobTrainCounts    = "train-counts"         // the training documents' counts (vocab.Matrix), for the baselines of eval
	BlobTrainInfo      = "train-info"           // JSON: how the model was trained and what the vocabulary covered (TrainInfo)
)

// TrainInfo is how the model of an index was trained (blob BlobTrainInfo).
type TrainInfo struct {
	Corpus  string    `json:"corpus"`  // the training corpus spec
	Docs    int       `json:"docs"`    // documents trained on
	Profile string    `json:"profile"` // training recipe
	Seed    uint64    `json:"seed"`
	Sizes   []int     `json:"sizes"` // layer widths, vocabulary first
	Vocab   int       `json:"vocab"` // vocabulary size
	Words   int64     `json:"words"` // word tokens of the training documents
	Known   int64     `json:"known"` // of which in the vocabulary
	Trained time.Time `json:"trained"`
	// Input is the weighting of the counts the model was trained on:
	// "counts" or "log-idf" (empty in indexes built before it was
	// recorded: counts).
	Input string `json:"input,omitempty"`
	// Selection says how Input was chosen when it was chosen by the
	// pipeline ("auto") rather than given; nil when given.
	Selection *InputSelection `json:"input_selection,omitempty"`
}

// InputSelection records the choice of a model's input weighting on
// held-out training documents: every candidate input trained on the
// training documents less HeldOut of them, and scored by Measure with
// Queries labelled held-out documents as queries.
type InputSelection struct {
	Measure string             `json:"measure"`
	HeldOut int                `json:"held_out"`
	Queries int                `json:"queries"`
	Scores  map[string]float64 `json:"scores,omitempty"` // by input; none when no candidate was scored
	// Reason says why no selection ran and the default input was taken
	// (for example an unlabelled training corpus); empty when one ran.
	Reason string `json:"reason,omitempty"`
}

// ReadTrainInfo decodes the TrainInfo of an index; an index without one
// (built before it was recorded) gives a zero TrainInfo and no error.
func ReadTrainInfo(blob func(name string) ([]byte, error)) (TrainInfo, error) {
	var ti TrainInfo
	b, err := blob(BlobTrainInfo)
	if err != nil {
		return ti, nil
	}
	if err := json.Unmarshal(b, &ti); err != nil {
		return ti, fmt.Errorf("query: %s: %w", BlobTrainInfo, err)
	}
	return ti, nil
}

// ReadCounts reads the vocabulary counts of every document of ix (its
// per-document data), in position order, for a vocabulary of terms terms.
func ReadCounts(ix *index.Index, terms int) (*vocab.Matrix, error) {
	m := vocab.NewMatrix(terms)
	err := ix.ReadData(func(pos int, data []byte) error {
		v, err := vocab.DecodeVector(data, terms)
		if err != nil {
			return fmt.Errorf("counts of %q: %w", ix.Doc(pos).ID, err)
		}
		m.Append(v)
		return nil
	})
	return m, err
}

// ReadTrainCounts reads the training documents' counts kept in ix (blob
// BlobTrainCounts).
func ReadTrainCounts(ix *index.Index) (*vocab.Matrix, error) {
	b, err := ix.Blob(BlobTrainCounts)
	if err != nil {
		return nil, fmt.Errorf("index: %s: %w", BlobTrainCounts, err)
	}
	var m vocab.Matrix
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("index: %s: %w", BlobTrainCounts, err)
	}
	return &m, nil
}

// DecodePretrained rebuilds the model of ix before fine-tuning: the
// vocabulary with BlobNetPretrained and BlobMeanPretrained.
func DecodePretrained(ix *index.Index) (*Model, error) {
	return Decode(func(name string) ([]byte, error) {
		switch name {
		case BlobNet:
			name = BlobNetPretrained
		case BlobMean:
			name = BlobMeanPretrained
		}
		return ix.Blob(name)
	})
}
