package pipeline

import (
	"fmt"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/query"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/vocab"
)

// encodeBatch is the number of documents read, analysed and encoded at
// once when a corpus is written to an index: enough for the encoder's
// matrix products, few enough to keep memory flat.
const encodeBatch = 512

// Intake reports what reading a corpus into an index found.
type Intake struct {
	Docs      int           // documents read and written
	Skipped   []ingest.Skip // files not read (empty, binary, duplicate, ...)
	Truncated []string      // ids of documents cut at the size limit
	// NoCode lists the ids of documents with no word of the model's
	// vocabulary: they are indexed for keyword search only (code search
	// never returns them).
	NoCode []string
	// Words and Known count the word tokens of the documents written and
	// those in the vocabulary.
	Words, Known int64
}

// encodeCorpus reads spec and hands its documents to put in batches, each
// made into an index entry: counts over the model's vocabulary (kept as
// the entry's data), code, text. Reading (decompression, decoding) runs on
// its own goroutine while the previous batch is analysed and encoded on all
// cores.
func encodeCorpus(spec string, m *query.Model, opts ingest.Options, label string, obs rbmstack.Observer, put func(index.Entry) error) (*Intake, error) {
	in := &Intake{}
	batches := make(chan []ingest.Document, 2)
	stop := make(chan struct{})
	var st ingest.Stats
	var werr error
	go func() {
		defer close(batches)
		batch := make([]ingest.Document, 0, encodeBatch)
		st, werr = walk(spec, opts, func(d ingest.Document) error {
			batch = append(batch, d)
			if len(batch) == encodeBatch {
				select {
				case batches <- batch:
				case <-stop:
					return errStopped
				}
				batch = make([]ingest.Document, 0, encodeBatch)
			}
			return nil
		})
		if len(batch) > 0 && werr == nil {
			select {
			case batches <- batch:
			case <-stop:
			}
		}
	}()
	bar := newCounter(obs, label, "docs")
	var perr error
	for batch := range batches {
		if perr == nil {
			perr = encodeInto(batch, m, in, put)
			if perr != nil {
				close(stop)
			}
		}
		bar.Add(len(batch))
	}
	if perr != nil {
		return nil, perr
	}
	if werr != nil {
		return nil, werr
	}
	bar.Finish()
	in.Skipped, in.Truncated = st.Skipped, st.Truncated
	return in, nil
}

var errStopped = fmt.Errorf("pipeline: stopped")

// encodeInto turns one batch into entries and hands them to put.
func encodeInto(batch []ingest.Document, m *query.Model, in *Intake, put func(index.Entry) error) error {
	texts := make([]string, len(batch))
	for i, d := range batch {
		texts[i] = d.Text
	}
	counts, words := m.Vocab.VectorizeAllWords(texts)
	codes := m.EncodeCounts(counts)
	var bits [][]uint64
	if len(m.Hash) > 0 {
		bits = m.EncodeBits(counts)
	}
	for i, d := range batch {
		idx, val := counts.Row(i)
		v := vocab.Vector{Idx: idx, Val: val}
		data, err := v.AppendBinary(nil)
		if err != nil {
			return err
		}
		known := int(v.Sum())
		e := index.Entry{
			Doc: index.Doc{ID: d.ID, Label: d.Label, Title: d.Title,
				Words: max(words[i], known), Known: known, NoCode: known == 0},
			Text: d.Text,
			Code: codes.Row(i),
			Data: data,
		}
		if bits != nil {
			e.Bits = bits[i]
		}
		if e.NoCode {
			in.NoCode = append(in.NoCode, d.ID)
		}
		if err := put(e); err != nil {
			return err
		}
		in.Docs++
		in.Words += int64(e.Words)
		in.Known += int64(known)
	}
	return nil
}
