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
)

// Modes lists the modes in the order the command line shows them.
var Modes = []Mode{Hybrid, Keyword, Semantic}

func (m Mode) String() string {
	switch m {
	case Hybrid:
		return "hybrid"
	case Keyword:
		return "keyword"
	case Semantic:
		return "semantic"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode returns the mode named s ("hybrid", "keyword" or "semantic").
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if strings.EqualFold(s, m.String()) {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q (known: hybrid, keyword, semantic)", s)
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
