package rbm

import "fmt"

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

var kindNames = []string{Binary: "binary", Linear: "linear", Softmax: "softmax"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ParseKind returns the Kind named s ("binary", "linear" or "softmax").
func ParseKind(s string) (Kind, error) {
	for k, n := range kindNames {
		if n == s {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("rbm: unknown unit kind %q (known: binary, linear, softmax)", s)
}
