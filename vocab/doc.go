// Package vocab turns text into sparse word-count vectors over a fixed
// vocabulary, the input of the document models (Hinton & Salakhutdinov,
// Science 2006, use the 2000 most frequent words of 20 Newsgroups after
// stop words).
//
// The stages:
//
//	text --Analyzer--> terms --Builder (training documents)--> Vocab
//	text --Vocab.Vectorize--> Vector (indices into Vocab.Terms, counts)
//	texts --Vocab.VectorizeAll--> Matrix (CSR, one row per text)
//
// An Analyzer runs bleve's English analysis (UAX #29 words, lowercase,
// possessives, the snowball stop list, optionally the snowball stemmer)
// plus the filters of the reference setup: alphabetic tokens of at least
// two letters, host names and the like split into words. Options fix all of
// it, and a Vocab keeps its Options, so that queries are analyzed as the
// training documents were. Vocab.Fingerprint identifies the mapping from
// text to columns: a model and an index built on different vocabularies
// differ in it.
//
// A Vocab and a Matrix serialize with MarshalBinary in the project's one
// binary framing (magic, version, CRC-32C); UnmarshalBinary reports damage
// as ErrCorrupt and a format of another version as ErrVersion. A Vector's
// AppendBinary is a bare compact encoding for a container that checksums
// it (the index keeps each document's counts so); DecodeVector refuses
// anything else with ErrCorrupt.
//
// Analyzer, Builder and Vocab are safe for concurrent use. Matrix and
// Vector are plain data; their slices belong to whoever holds them.
package vocab
