package rbm

import "github.com/docsearch/docsearch/internal/enum"

// Kind is the type of a layer of units.
type Kind uint8

const (
	// Binary units are logistic: probability sigmoid(input).
	Binary Kind = iota
	// Linear units are Gaussian with unit variance around their input.
	Linear
	// Softmax visible units model word counts (replicated softmax).
	Softmax
)

var kindNames = enum.Names[Kind]{Binary: "binary", Linear: "linear", Softmax: "softmax"}

func (k Kind) String() string { return kindNames.String("Kind", k) }

// ParseKind returns the Kind named s: "binary", "linear" or "softmax".
func ParseKind(s string) (Kind, error) { return kindNames.Parse("unit kind", s) }
