package pipeline

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/query"
)

// Info describes an index: what it holds, how its model was trained, and
// how well the model's vocabulary covers the documents added since, so
// that a user knows when to retrain.
type Info struct {
	Dir        string         `json:"dir"`
	Generation string         `json:"generation"`
	Documents  int            `json:"documents"`
	Labels     map[string]int `json:"labels"`
	Dim        int            `json:"code_size"`
	Bits       []int          `json:"bits,omitempty"` // widths of the binary codes (semantic hashing)
	// Analyzer names the text analysis of the full-text index:
	// index.TextAnalyzer, or an older one (docsearch reanalyze updates it).
	Analyzer string    `json:"analyzer"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Train    query.TrainInfo
	Backend  string `json:"backend,omitempty"` // the BLAS backend that trained it
	// NoCode counts the documents without a vocabulary word, searchable
	// by keywords only.
	NoCode int `json:"no_code"`
	// Coverage is the share of word tokens in the vocabulary: of the
	// training documents, of the documents indexed with the model, and of
	// those added later (Added documents; 0 when none).
	TrainCoverage   float64 `json:"train_coverage"`
	IndexedCoverage float64 `json:"indexed_coverage"`
	Added           int     `json:"added"`
	AddedCoverage   float64 `json:"added_coverage"`
	// Advice says whether to retrain, in a sentence; empty when there is
	// nothing to say.
	Advice string `json:"advice,omitempty"`
}

// RetrainDrop is the fall in vocabulary coverage, from the documents the
// model was built with to those added later, at which Info advises
// retraining: by then a tenth of the words that the model used to see are
// lost to it, and the codes of new documents say less than the old ones'.
const RetrainDrop = 0.10

// Inspect reads the index in dir and describes it.
func Inspect(dir string) (*Info, error) {
	eng, err := query.Open(dir)
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	return Describe(eng, dir)
}

// Describe describes the index open in eng, which was opened from dir (a
// long-running reader, such as the server, describes the index it holds
// without opening it again).
func Describe(eng *query.Engine, dir string) (*Info, error) {
	var err error
	ix := eng.Index
	m := ix.Meta()
	info := &Info{
		Dir: dir, Generation: ix.Generation(), Documents: ix.Len(), Labels: ix.Labels(),
		Dim: ix.Dim(), Bits: ix.Bits(), Analyzer: ix.Analyzer(), Created: m.Created, Updated: m.Updated, Backend: m.Extra["backend"],
	}
	if info.Train, err = query.ReadTrainInfo(ix.Blob); err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	if info.Train.Words > 0 {
		info.TrainCoverage = float64(info.Train.Known) / float64(info.Train.Words)
	}
	// The documents of the model's generation were indexed with it; later
	// generations added the rest.
	first, err := strconv.ParseUint(m.Extra[extraModelGen], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("index %s: meta %s = %q: %w", dir, extraModelGen, m.Extra[extraModelGen], err)
	}
	var words, known, addWords, addKnown int64
	for i := range ix.Len() {
		d := ix.Doc(i)
		if d.NoCode {
			info.NoCode++
		}
		if d.Gen == first {
			words, known = words+int64(d.Words), known+int64(d.Known)
			continue
		}
		info.Added++
		addWords, addKnown = addWords+int64(d.Words), addKnown+int64(d.Known)
	}
	if words > 0 {
		info.IndexedCoverage = float64(known) / float64(words)
	}
	if addWords > 0 {
		info.AddedCoverage = float64(addKnown) / float64(addWords)
	}
	base := info.IndexedCoverage
	if info.Train.Words > 0 {
		base = info.TrainCoverage
	}
	var advice []string
	if info.Added > 0 && base-info.AddedCoverage >= RetrainDrop {
		advice = append(advice, fmt.Sprintf("the vocabulary covers %.0f%% of the words of the %d documents added since the model was trained, against %.0f%% before: retrain (docsearch index) so that their codes mean as much",
			100*info.AddedCoverage, info.Added, 100*base))
	}
	if info.Analyzer != index.TextAnalyzer {
		advice = append(advice, fmt.Sprintf("the full-text index uses an older text analysis (%q): docsearch reanalyze --index %s updates it to %q (keyword search then also finds the words inside identifiers such as ReadLine)",
			info.Analyzer, dir, index.TextAnalyzer))
	} else if m.Tokens == nil {
		advice = append(advice, fmt.Sprintf("the index predates its kept token counts, so every opening counts them from the full-text index for keyword scoring (about 0.3 s for 7,500 newsgroup posts): docsearch reanalyze --index %s keeps them",
			dir))
	}
	info.Advice = strings.Join(advice, "; ")
	return info, nil
}
