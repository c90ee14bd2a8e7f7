package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/internal/faultpoint"
)

// envCLIArgs carries the command line of TestCLIChild, one argument a line.
const envCLIArgs = "DOCSEARCH_CLI_CHILD_ARGS"

// TestCLIChild runs the docsearch command line given in $DOCSEARCH_CLI_CHILD_ARGS,
// as a process that the crash tests kill.
func TestCLIChild(t *testing.T) {
	args := os.Getenv(envCLIArgs)
	if args == "" {
		t.Skip("runs only as the child of the command-line crash tests")
	}
	app := newApp()
	if err := app.Run(append([]string{"docsearch"}, strings.Split(args, "\n")...)); err != nil {
		t.Fatal(err)
	}
}

// startCLI starts the command line args in a child process.
func startCLI(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), envCLIArgs+"="+strings.Join(args, "\n")), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// docCount opens the index in dir and returns its number of documents.
func docCount(t *testing.T, dir string) int {
	t.Helper()
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatalf("the index does not open after a kill: %v", err)
	}
	defer ix.Close()
	return ix.Len()
}

// writeAddCorpus writes n JSON Lines documents with ids prefix-0, ....
func writeAddCorpus(t *testing.T, prefix string, n int) (string, []string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), prefix+".jsonl")
	var b bytes.Buffer
	var ids []string
	for i := range n {
		id := fmt.Sprintf("%s-%d", prefix, i)
		ids = append(ids, id)
		json.NewEncoder(&b).Encode(map[string]string{"id": id, "label": "metal", "text": strings.Repeat("iron copper gold silver ", 5+i%7)})
	}
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, ids
}

// smallIndex builds a quick index of writeCorpus's documents in a new
// temporary folder and returns the folder.
func smallIndex(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ix")
	if out, err := run(t, "index", "--quiet", "--corpus", writeCorpus(t), "--index", dir, "--profile", "quick",
		"--vocab", "100", "--hidden", "20", "--code", "3", "--epochs", "2"); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	return dir
}

// TestKillDuringAddRemove kills `docsearch add` and `docsearch remove` with
// SIGKILL at random moments, many times: the index must always open, with
// the documents of before or of after, never some of them.
func TestKillDuringAddRemove(t *testing.T) {
	rounds := 16
	if testing.Short() {
		rounds = 4
	}
	dir := smallIndex(t)
	extra, ids := writeAddCorpus(t, "added", 300)
	base := docCount(t, dir)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	added, landed := false, 0
	for round := range rounds {
		args := []string{"add", "--quiet", "--index", dir, "--corpus", extra}
		if added {
			args = append([]string{"remove", "--index", dir}, ids...)
		}
		cmd, out := startCLI(t, nil, args...)
		time.Sleep(time.Duration(r.IntN(3000)) * time.Millisecond)
		cmd.Process.Kill()
		err := cmd.Wait()
		finished := err == nil
		if err != nil && !strings.Contains(err.Error(), "killed") {
			t.Fatalf("round %d: %s failed before the kill: %v\n%s", round, args[0], err, out)
		}
		switch n := docCount(t, dir); {
		case n == base && !added, n == base+300 && added:
			if finished {
				t.Fatalf("round %d: %s finished but the index is unchanged", round, args[0])
			}
		case n == base+300 && !added, n == base && added:
			added = !added
			landed++
		default:
			t.Fatalf("round %d: after a kill during %s the index holds %d documents: neither %d nor %d", round, args[0], n, base, base+300)
		}
	}
	t.Logf("%d kills, %d changes landed", rounds, landed)
}

// TestKillDuringReanalyze kills `docsearch reanalyze` at random moments:
// the index must always open with every document and answer a keyword
// search as before, in the old generation or the new one.
func TestKillDuringReanalyze(t *testing.T) {
	rounds := 8
	if testing.Short() {
		rounds = 3
	}
	dir := smallIndex(t)
	base := docCount(t, dir)
	want, err := run(t, "query", "--index", dir, "--mode", "keyword", "-k", "1000", "--snippets", "none", "--json", "fruit")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 8))
	landed := 0
	for round := range rounds {
		cmd, out := startCLI(t, nil, "reanalyze", "--index", dir)
		time.Sleep(time.Duration(r.IntN(800)) * time.Millisecond)
		cmd.Process.Kill()
		if err := cmd.Wait(); err == nil {
			landed++
		} else if !strings.Contains(err.Error(), "killed") {
			t.Fatalf("round %d: reanalyze failed before the kill: %v\n%s", round, err, out)
		}
		if n := docCount(t, dir); n != base {
			t.Fatalf("round %d: after a kill during reanalyze the index holds %d documents, want %d", round, n, base)
		}
		got, err := run(t, "query", "--index", dir, "--mode", "keyword", "-k", "1000", "--snippets", "none", "--json", "fruit")
		if err != nil || !slices.Equal(hitSet(got), hitSet(want)) {
			t.Fatalf("round %d: keyword search after a kill during reanalyze: %v\n%s", round, err, got)
		}
	}
	t.Logf("%d kills, %d runs finished", rounds, landed)
}

// TestKillAtCommit kills `docsearch index` and `docsearch add` at each
// moment of their commit (fault points): before CURRENT names the new
// generation the old index is live, after it the new one.
func TestKillAtCommit(t *testing.T) {
	corpus := writeCorpus(t)
	extra, _ := writeAddCorpus(t, "late", 20)
	for _, tc := range []struct {
		point string
		lands bool
	}{
		{"index.commit.written", false},
		{"index.commit.synced", false},
		{"index.commit.switched", true},
	} {
		dir := filepath.Join(t.TempDir(), "ix")
		build := []string{"index", "--quiet", "--corpus", corpus, "--index", dir, "--profile", "quick",
			"--vocab", "100", "--hidden", "20", "--code", "3", "--epochs", "1"}
		if out, err := run(t, build...); err != nil {
			t.Fatalf("index: %v\n%s", err, out)
		}
		gen0, _ := index.Generation(dir)
		for _, args := range [][]string{build, {"add", "--quiet", "--index", dir, "--corpus", extra}} {
			before, _ := index.Generation(dir)
			n0 := docCount(t, dir)
			cmd, out := startCLI(t, []string{faultpoint.Env + "=" + tc.point}, args...)
			if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
				t.Fatalf("%s at %s: %v, want killed\n%s", args[0], tc.point, err, out)
			}
			after, _ := index.Generation(dir)
			n := docCount(t, dir)
			if (after != before) != tc.lands {
				t.Errorf("%s killed at %s: generation %s -> %s", args[0], tc.point, before, after)
			}
			if args[0] == "add" && (n == n0+20) != tc.lands {
				t.Errorf("add killed at %s: %d documents, had %d", tc.point, n, n0)
			}
		}
		// The next writer cleans up and succeeds.
		if out, err := run(t, "add", "--quiet", "--index", dir, "--corpus", extra, "--replace"); err != nil {
			t.Fatalf("add after the kills: %v\n%s", err, out)
		}
		ents, _ := os.ReadDir(dir)
		var gens []string
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "gen-") {
				gens = append(gens, e.Name())
			}
		}
		if len(gens) != 1 || gens[0] == gen0 {
			t.Errorf("%s: after the next commit dir holds generations %v", tc.point, gens)
		}
	}
}
