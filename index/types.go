package index

import "time"

// FormatVersion is the on-disk format this package writes and reads.
// Version 1 (codes only, no full-text index) is refused with ErrVersion.
const FormatVersion = 2

// Doc is what the index keeps in memory about a document besides its code.
type Doc struct {
	ID, Label, Title string
	// Words and Known count the document's word tokens and those of them
	// in the model's vocabulary (the caller's counts, for coverage reports).
	Words, Known int
	// NoCode marks a document whose code says nothing (it has no
	// vocabulary word): code search never returns it; keyword search does.
	NoCode bool
	// Gen is the generation that added the document (set by the Writer).
	Gen uint64
}

// Entry is what Writer.Add stores for one document.
type Entry struct {
	Doc
	// Text is the document's text, kept in the full-text index (stored for
	// snippets and Index.Text) and not in memory.
	Text string
	// Code is the document's code: Dim finite values.
	Code []float32
	// Data is the caller's per-document bytes (docsearch keeps the word
	// counts here), read back by Index.ReadData.
	Data []byte
	// Bits holds the document's binary codes, one of each width of
	// Meta.Bits in that order, each in Words(width) words, bit j of a
	// code in bit j%64 of its word j/64 (unused high bits zero). Nil
	// when the index has no binary codes.
	Bits []uint64
}

// Meta describes a committed index.
type Meta struct {
	FormatVersion int    `json:"format_version"`
	Dim           int    `json:"dim"`
	Count         int    `json:"count"`
	NextSlot      uint64 `json:"next_slot"`  // slots 0..NextSlot-1 have been used
	Generation    uint64 `json:"generation"` // the number of the generation, gen-NNNNNN
	Fingerprint   string `json:"fingerprint"`
	// Created is when the first generation of this line was built (by
	// Create); Updated is when this generation was committed.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Bits lists the widths of the binary codes every document has
	// (semantic hashing), ascending; empty for an index without them.
	// An index of format 2 written before they existed has none.
	Bits []int `json:"bits,omitempty"`
	// Tokens counts the tokens of the full-text index's fields over the
	// documents, for BM25's average field lengths (NormTokens); nil in an
	// index written before it was kept, whose postings are then counted
	// once when opened.
	Tokens *Tokens           `json:"tokens,omitempty"`
	Extra  map[string]string `json:"extra,omitempty"`
}
