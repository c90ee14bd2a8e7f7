// Package enum names the values of the small enumerated types of
// docsearch (unit kinds, methods, decays, profiles, starts): one table of
// names gives each type its String and Parse.
package enum

import (
	"fmt"
	"strings"
)

// Names maps the values of an enumerated type T to their names: Names[v]
// is the name of v, "" where no value is.
type Names[T ~uint8] []string

// String returns the name of v, or typ(v) for a value without one.
func (n Names[T]) String(typ string, v T) string {
	if int(v) < len(n) && n[v] != "" {
		return n[v]
	}
	return fmt.Sprintf("%s(%d)", typ, uint8(v))
}

// Parse returns the value named s, or an error naming what (the kind of
// value, "unit kind") and the known names.
func (n Names[T]) Parse(what, s string) (T, error) {
	var known []string
	for v, name := range n {
		if name == "" {
			continue
		}
		if name == s {
			return T(v), nil
		}
		known = append(known, name)
	}
	return 0, fmt.Errorf("unknown %s %q (known: %s)", what, s, strings.Join(known, ", "))
}

// Valid reports whether v has a name.
func (n Names[T]) Valid(v T) bool { return int(v) < len(n) && n[v] != "" }
