package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
)

// AddOptions configure Add.
type AddOptions struct {
	Dir    string // index directory (required)
	Corpus string // corpus spec of the documents to add (required; see ingest.Walk)
	// Replace lets a document whose id is already indexed replace the old
	// one; without it such a document fails the whole Add.
	Replace     bool
	MaxDocBytes int64 // see ingest.Options
	// Observer receives the progress of reading (may be nil).
	Observer rbmstack.Observer
}

// Validate reports every problem at once.
func (o AddOptions) Validate() error {
	var errs []error
	if o.Dir == "" {
		errs = append(errs, &FieldError{"Dir", errors.New("an index directory is required")})
	}
	if o.Corpus == "" {
		errs = append(errs, &FieldError{"Corpus", errors.New("a corpus to add is required")})
	} else if err := checkSpec(o.Corpus); err != nil {
		errs = append(errs, &FieldError{"Corpus", err})
	}
	if o.MaxDocBytes < 0 {
		errs = append(errs, &FieldError{"MaxDocBytes", fmt.Errorf("must not be negative, got %d", o.MaxDocBytes)})
	}
	return errors.Join(errs...)
}

// ErrDuplicate means documents to add are already in the index and
// AddOptions.Replace was not set.
var ErrDuplicate = errors.New("pipeline: documents already in the index")

// AddSummary reports a finished Add.
type AddSummary struct {
	Intake
	Added, Replaced int // new documents, and replaced ones among them
	Total           int // documents in the index after the Add
	Generation      string
	Took            time.Duration
}

// Add encodes the documents of a corpus with the index's own model and
// vocabulary (no training) and adds them to its codes and its full-text
// index, in a new generation that a kill at any moment leaves unborn: the
// index is then as before.
func Add(o AddOptions) (*AddSummary, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	w, err := index.Update(o.Dir)
	if err != nil {
		return nil, err
	}
	defer w.Abort() // no-op after Commit
	m, err := query.Decode(w.Blob)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", o.Dir, err)
	}
	if m.Fingerprint() != w.Fingerprint() {
		return nil, fmt.Errorf("index %s: %w: the codes were written by model %.12s, the stored model is %.12s",
			o.Dir, query.ErrMismatch, w.Fingerprint(), m.Fingerprint())
	}
	if m.Hash, err = query.DecodeHashers(w.Blob, w.Bits(), m.Vocab.Len()); err != nil {
		return nil, fmt.Errorf("index %s: %w", o.Dir, err)
	}
	sum := &AddSummary{}
	var dups []string
	in, err := encodeCorpus(o.Corpus, m, ingest.Options{MaxDocBytes: o.MaxDocBytes}, "add", o.Observer, func(e index.Entry) error {
		if w.Has(e.ID) {
			if !o.Replace {
				dups = append(dups, e.ID)
				return nil
			}
			if err := w.Remove(e.ID); err != nil {
				return err
			}
			sum.Replaced++
		}
		sum.Added++
		return w.Add(e)
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.Corpus, err)
	}
	if len(dups) > 0 {
		return nil, fmt.Errorf("%w: %d documents of %s, among them %s; nothing was added (replace them with the replace option, --replace)",
			ErrDuplicate, len(dups), o.Corpus, quoteSome(dups, 5))
	}
	if in.Docs == 0 {
		return nil, fmt.Errorf("the corpus %s holds no readable document; nothing was added", o.Corpus)
	}
	sum.Intake = *in
	sum.Total = w.Len()
	if err := w.Commit(); err != nil {
		return nil, err
	}
	sum.Generation, _ = index.Generation(o.Dir)
	sum.Took = time.Since(start)
	return sum, nil
}

// quoteSome quotes the first n of ids, with "and N more".
func quoteSome(ids []string, n int) string {
	q := make([]string, 0, n)
	for _, id := range ids[:min(n, len(ids))] {
		q = append(q, fmt.Sprintf("%q", id))
	}
	s := strings.Join(q, ", ")
	if len(ids) > n {
		s += fmt.Sprintf(" and %d more", len(ids)-n)
	}
	return s
}

// RemoveSummary reports a finished Remove.
type RemoveSummary struct {
	Removed, Total int
	Generation     string
}

// Remove deletes the documents with the given ids from the index's codes
// and full-text index, in a new generation. An unknown id fails the whole
// Remove, naming it, and the index is unchanged.
func Remove(dir string, ids []string) (*RemoveSummary, error) {
	if dir == "" {
		return nil, errors.New("index directory: required")
	}
	if len(ids) == 0 {
		return nil, errors.New("no document id to remove")
	}
	w, err := index.Update(dir)
	if err != nil {
		return nil, err
	}
	defer w.Abort()
	var unknown []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if !w.Has(id) {
			unknown = append(unknown, id)
			continue
		}
		if err := w.Remove(id); err != nil {
			return nil, err
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: %s in %s; nothing was removed", index.ErrUnknownID, quoteSome(unknown, 5), dir)
	}
	sum := &RemoveSummary{Removed: len(seen), Total: w.Len()}
	if err := w.Commit(); err != nil {
		return nil, err
	}
	sum.Generation, _ = index.Generation(dir)
	return sum, nil
}

// Reanalyze rewrites the full-text index of the index in dir with this
// version's text analysis (index.TextAnalyzer), in a new generation, and
// returns it; the model, codes and documents stay. An index written by an
// older version keeps the analysis it was built with, for its documents and
// its queries alike, until it is reanalyzed or rebuilt.
func Reanalyze(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("index directory: required")
	}
	w, err := index.Update(dir)
	if err != nil {
		return "", err
	}
	defer w.Abort()
	if err := w.Reanalyze(); err != nil {
		return "", err
	}
	if err := w.Commit(); err != nil {
		return "", err
	}
	return index.Generation(dir)
}
