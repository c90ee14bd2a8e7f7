// Package testenv finds the data sets that tests and benchmarks read from
// outside the repository, and decides whether their absence skips or fails.
//
// On a user's machine the shared data folder is absent and such tests skip
// with a message saying what they need. In CI (DOCSEARCH_REQUIRE_DATA=1, set
// by .ci/run) a missing data set fails the test loudly instead.
package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvRequire is the variable that turns a missing data set into a failure.
const EnvRequire = "DOCSEARCH_REQUIRE_DATA"

// EnvNews20 overrides the location of 20news-bydate.tar.gz.
const EnvNews20 = "DOCSEARCH_20NEWS"

// News20Path returns the path of 20news-bydate.tar.gz, or "" when absent.
// It looks at $DOCSEARCH_20NEWS, then ../shared/data relative to the
// repository root.
func News20Path() string {
	if p := os.Getenv(EnvNews20); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	p := filepath.Join(RepoRoot(), "..", "shared", "data", "20news-bydate.tar.gz")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// News20 returns the path of the 20 Newsgroups archive, skipping the test
// when it is absent (or failing it when DOCSEARCH_REQUIRE_DATA=1).
func News20(tb testing.TB) string {
	tb.Helper()
	p := News20Path()
	if p == "" {
		Missing(tb, "20 Newsgroups archive (../shared/data/20news-bydate.tar.gz or $"+EnvNews20+")")
	}
	return p
}

// Missing skips tb, or fails it in CI, saying that what is missing.
func Missing(tb testing.TB, what string) {
	tb.Helper()
	if os.Getenv(EnvRequire) == "1" {
		tb.Fatalf("required test data missing: %s (%s=1)", what, EnvRequire)
	}
	tb.Skipf("skipping: needs %s, which is not on this machine", what)
}

// RepoRoot returns the repository root (the folder holding go.mod).
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}
