package index

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Fields of the full-text index. Unqualified query terms search the
// composite field "_all", which holds all three.
const (
	FieldText  = "text"  // the document's text: English analysis, stored, with term vectors for highlighting
	FieldTitle = "title" // its title: English analysis, stored
	FieldLabel = "label" // its label: one keyword token, stored (label:comp.graphics)
)

// ScoringModel is the keyword scoring of the full-text index: bleve's BM25.
// On held-out 20 Newsgroups training posts it ranked better than bleve's
// TF-IDF for document queries (precision at recall 0.1 0.47 against 0.41)
// and about as well for subject-line queries (see RECIPES.md, "Keyword and
// hybrid ranking").
const ScoringModel = bindex.BM25Scoring

// textMapping is the bleve mapping of every full-text index.
// with analyzer an for its text and title (TextAnalyzer; tests write older
// ones).
func textMapping(an string) *mapping.IndexMappingImpl {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(TextAnalyzer, textAnalyzerConfig); err != nil {
		panic(err) // a constant definition: fails in every test or never
	}
	im.DefaultAnalyzer = an
	im.ScoringModel = ScoringModel
	dm := bleve.NewDocumentStaticMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = an
	text.Store = true
	text.IncludeTermVectors = true
	dm.AddFieldMappingsAt(FieldText, text)
	title := bleve.NewTextFieldMapping()
	title.Analyzer = an
	title.Store = true
	title.IncludeTermVectors = true
	dm.AddFieldMappingsAt(FieldTitle, title)
	label := bleve.NewKeywordFieldMapping()
	label.Store = true
	dm.AddFieldMappingsAt(FieldLabel, label)
	im.DefaultMapping = dm
	return im
}

// textDoc is the bleve document of an entry.
func textDoc(e *Entry) map[string]any {
	return map[string]any{FieldText: e.Text, FieldTitle: e.Title, FieldLabel: e.Label}
}

// Subfolders of a generation.
const (
	dirStore = "store" // badger: meta, documents, codes, data, blobs
	dirText  = "text"  // bleve (scorch): the full-text index
	// dirTextBuild is the scratch folder of bleve's offline builder, gone
	// once the generation is committed.
	dirTextBuild = "text-build"
)

// newTextBuilder starts the full-text index of a new generation in dst (a
// folder of generation gen) with analyzer an, by bleve's
// offline builder, which writes merged segments once at Close. Its scratch
// folder lives inside the generation, so that a killed build leaves nothing
// outside it.
func newTextBuilder(gen, dst string, m mapping.IndexMapping) (bleve.Builder, error) {
	scratch := filepath.Join(gen, dirTextBuild)
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return nil, err
	}
	return bleve.NewBuilder(dst, m, map[string]any{"buildPathPrefix": scratch})
}

// openText opens the full-text index of generation gen, read-only or for
// updates.
func openText(gen string, readOnly bool) (bleve.Index, error) {
	path := filepath.Join(gen, dirText)
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	var cfg map[string]any
	if readOnly {
		cfg = map[string]any{"read_only": true}
	}
	idx, err := bleve.OpenUsing(path, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: full-text index: %v", ErrCorrupt, filepath.Base(gen), err)
	}
	return idx, nil
}

// Analyzer returns the name of the analyzer of the text field of the
// index's full-text index: TextAnalyzer, or an older one ("en") that
// Writer.Reanalyze replaces.
func (ix *Index) Analyzer() string { return ix.text.Mapping().AnalyzerNameForPath(FieldText) }

// Reanalyze rewrites the full-text index of the generation being written
// from the documents' stored text, titles and labels with this version's
// mapping (TextAnalyzer); codes, data and blobs stay as they are. It
// serves an Update, before or after Adds and Removes; the live generation
// is untouched until Commit, so a killed Reanalyze leaves the index as it
// was. A failure sticks: Commit then fails and the caller aborts.
func (w *Writer) Reanalyze() (err error) {
	defer func() {
		if err != nil && w.err == nil {
			w.err = err
		}
	}()
	if w.done {
		return errClosed
	}
	if w.fresh {
		return nil // a Create writes the current mapping anyway
	}
	if err := w.flushText(); err != nil {
		return fmt.Errorf("index: full-text index: %w", err)
	}
	w.counting.Wait() // copyText counts anew
	ids := make([]string, 0, len(w.slots))
	for id := range w.slots {
		ids = append(ids, id)
	}
	// In slot order, the order they were added in, as bleve numbers them.
	slices.SortFunc(ids, func(a, b string) int { return cmp.Compare(w.slots[a], w.slots[b]) })
	next := filepath.Join(w.path(), dirText+"-new")
	scratch := filepath.Join(w.path(), dirTextBuild)
	for _, p := range []string{next, scratch} {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("index: %w", err)
		}
	}
	m := textMapping(TextAnalyzer)
	b, err := newTextBuilder(w.path(), next, m)
	if err != nil {
		return fmt.Errorf("index: creating the full-text index of %s: %w", w.gen, err)
	}
	err = w.copyText(b, m, ids)
	if cerr := b.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("index: building the full-text index of %s: %w", w.gen, cerr)
	}
	if err != nil {
		return err
	}
	if err := w.text.Close(); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	w.text = nil
	old := filepath.Join(w.path(), dirText)
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := os.Rename(next, old); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := os.RemoveAll(scratch); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if w.text, err = openText(w.path(), false); err != nil {
		return err
	}
	w.batch = w.text.NewBatch()
	return nil
}

// copyText indexes in b, of mapping m, the stored text, title and label of
// the documents ids of the generation's full-text index, and counts their
// tokens anew under m.
func (w *Writer) copyText(b bleve.Builder, m mapping.IndexMapping, ids []string) error {
	var total Tokens
	for _, id := range ids {
		d, err := w.text.Document(id)
		if err != nil {
			return fmt.Errorf("index: reading doc %q: %w", id, err)
		}
		if d == nil {
			return fmt.Errorf("%w: %s: the full-text index lacks %q", ErrCorrupt, w.gen, id)
		}
		stored := storedFields(d)
		fields := make(map[string]any, len(stored))
		for k, v := range stored {
			fields[k] = v
		}
		if err := b.Index(id, fields); err != nil {
			return fmt.Errorf("index: full-text index: doc %q: %w", id, err)
		}
		t := countTokens(m, stored)
		total.add(t)
		if _, ok := w.added[id]; ok {
			w.added[id] = t
		}
	}
	w.tokens, w.tokensKnown = total, true
	return nil
}
