package query

import (
	"fmt"
	"strings"
)

// Mode is how a search ranks documents.
type Mode int

const (
	// Hybrid ranks by the sum of the keyword and code rankings' z-scores
	// (see HybridWeight): keywords decide among documents that share the
	// query's words, codes decide the rest and break the keyword ties.
	Hybrid Mode = iota
	// Keyword ranks the documents that match the query by bleve's BM25.
	Keyword
	// Semantic ranks every document with a code by the cosine between its
	// code and the query's.
	Semantic
	// Hamming ranks every document with a binary code by the Hamming
	// distance between its code and the query's (semantic hashing; an
	// index built with binary codes only).
	Hamming
	// Hash is address lookup (semantic hashing): the documents whose
	// address (a binary code's first 32 bits) lies within a Hamming radius
	// of the query's, found through a table without reading the other
	// codes, ranked by Hamming distance or reranked (Request.Rerank).
	Hash
)

// Modes lists the modes every index answers, in the order the command
// line shows them.
var Modes = []Mode{Hybrid, Keyword, Semantic}

// HashModes lists the modes of an index with binary codes.
var HashModes = []Mode{Hamming, Hash}

func (m Mode) String() string {
	switch m {
	case Hybrid:
		return "hybrid"
	case Keyword:
		return "keyword"
	case Semantic:
		return "semantic"
	case Hamming:
		return "hamming"
	case Hash:
		return "hash"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode returns the mode named s ("hybrid", "keyword", "semantic",
// "hamming" or "hash").
func ParseMode(s string) (Mode, error) {
	for _, m := range append(Modes, HashModes...) {
		if strings.EqualFold(s, m.String()) {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q (known: hybrid, keyword, semantic, hamming, hash)", s)
}

// MarshalText and UnmarshalText let a Mode travel as its name in JSON.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses a mode name.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err == nil {
		*m = v
	}
	return err
}
