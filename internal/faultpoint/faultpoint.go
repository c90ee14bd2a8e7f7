// Package faultpoint lets crash tests kill a process at a named point of
// its work, where random kills rarely land (the moment of a commit lasts
// milliseconds). A point fires only when the environment variable
// DOCSEARCH_FAULTPOINT names it; the process then sends itself SIGKILL, as
// `kill -9` would, so nothing deferred runs and no buffer is flushed.
// Without the variable a point costs one string comparison.
package faultpoint

import (
	"os"
	"sync"
)

// Env is the environment variable that names the point to fire.
const Env = "DOCSEARCH_FAULTPOINT"

var armed = sync.OnceValue(func() string { return os.Getenv(Env) })

// Hit kills the process if name is the armed point.
func Hit(name string) {
	if a := armed(); a != "" && a == name {
		kill()
	}
}
