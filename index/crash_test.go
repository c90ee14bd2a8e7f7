package index

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docsearch/docsearch/internal/faultpoint"
)

// Environment of the crash test. DOCSEARCH_CRASH_ROUNDS sets the number of
// kills (default 10, 3 with -short); the child runs when
// DOCSEARCH_INDEX_CRASH_DIR names its index directory.
const (
	envCrashRounds = "DOCSEARCH_CRASH_ROUNDS"
	envCrashDir    = "DOCSEARCH_INDEX_CRASH_DIR"
	crashDim       = 10
)

// crashSize and crashBlob give the content of the index with a given seed;
// sizes vary so that kills land in Add, Commit and cleanup alike.
func crashSize(seed uint64) int { return 200 + int(seed*7919%2000) }

func crashBlob(seed uint64) []byte { return bytes.Repeat([]byte{byte(seed)}, blobChunk+int(seed%1000)) }

// The crash test's index with seed s is a fresh one (Create) for even s,
// and for odd s the index of s-1 updated in place: every fourth document
// removed and crashAdded(s) documents of seed s added.
func crashAdded(seed uint64) int { return 50 + int(seed*104729%700) }

// crashWrite commits the index of seed, from the live one of seed-1.
func crashWrite(t testing.TB, dir string, seed uint64) {
	t.Helper()
	if seed%2 == 0 {
		writeTest(t, dir, crashSize(seed), crashDim, seed, map[string][]byte{"model": crashBlob(seed)})
		return
	}
	w, err := Update(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for i := 0; i < crashSize(seed-1); i += 4 {
		if err := w.Remove(testDoc(seed-1, i).ID); err != nil {
			t.Fatal(err)
		}
	}
	for i := range crashAdded(seed) {
		if err := w.Add(testEntry(seed, i, crashDim)); err != nil {
			t.Fatal(err)
		}
	}
	w.SetExtra("seed", fmt.Sprint(seed))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestCrashChild is the writer the crash test kills: it commits indexes
// with seeds following the live one, printing "committed <seed>" after each,
// until killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(envCrashDir)
	if dir == "" {
		t.Skip("runs only as the child of TestCrash")
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := strconv.ParseUint(ix.Meta().Extra["seed"], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	fmt.Println("ready")
	deadline := time.Now().Add(time.Minute) // in case the parent is gone
	for time.Now().Before(deadline) {
		seed++
		crashWrite(t, dir, seed)
		fmt.Printf("committed %d\n", seed)
	}
}

// TestCrash kills a writing child process with SIGKILL at random moments.
// After each kill the index must open and be the last one the child
// reported committed, or the one it was committing; the next writer must
// succeed. Meanwhile the parent keeps opening the index, as a reader would.
func TestCrash(t *testing.T) {
	rounds := 10
	if testing.Short() {
		rounds = 3
	}
	if s := os.Getenv(envCrashRounds); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s=%q: %v", envCrashRounds, s, err)
		}
		rounds = n
	}
	dir := t.TempDir()
	writeTest(t, dir, crashSize(0), crashDim, 0, map[string][]byte{"model": crashBlob(0)})
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var committed uint64 // highest seed a child reported committed
	opens, commits, landedAfter := 0, 0, 0
	for round := range rounds {
		lines, out, err := runAndKill(dir, time.Duration(r.IntN(1500))*time.Millisecond, func() {
			ix, err := Open(dir)
			if err != nil {
				t.Errorf("round %d: Open while writing: %v", round, err)
				return
			}
			defer ix.Close()
			opens++
			checkCrashIndex(t, ix)
		})
		if err != nil {
			t.Fatalf("round %d: %v\nchild output:\n%s", round, err, out)
		}
		for _, l := range lines {
			if s, ok := strings.CutPrefix(l, "committed "); ok {
				n, _ := strconv.ParseUint(s, 10, 64)
				committed = max(committed, n)
				commits++
			}
		}
		ix, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: Open after kill: %v", round, err)
		}
		seed := checkCrashIndex(t, ix)
		ix.Close()
		if seed != committed && seed != committed+1 {
			t.Fatalf("round %d: index has seed %d, last committed %d", round, seed, committed)
		}
		if seed == committed+1 {
			landedAfter++ // killed after switching CURRENT, before saying so
		}
		committed = seed
	}
	t.Logf("%d kills, %d reported commits, %d kills between CURRENT switch and report, %d reads during writes",
		rounds, commits, landedAfter, opens)

	writeTest(t, dir, 10, crashDim, committed+1, nil)
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	checkIndex(t, ix, 10, crashDim, committed+1)
	gen, _ := readCurrent(dir)
	if got, want := entries(t, dir), []string{fileCurrent, fileLock, gen}; !slices.Equal(got, want) {
		t.Errorf("after final commit dir holds %v, want %v", got, want)
	}
}

// checkCrashIndex checks that ix is a complete index of the crash test and
// returns its seed.
func checkCrashIndex(t *testing.T, ix *Index) uint64 {
	t.Helper()
	seed, err := strconv.ParseUint(ix.Meta().Extra["seed"], 10, 64)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	base := seed
	if seed%2 == 0 {
		checkIndex(t, ix, crashSize(seed), crashDim, seed)
	} else {
		base = seed - 1
		checkUpdated(t, ix, seed)
	}
	if b, err := ix.Blob("model"); err != nil || !bytes.Equal(b, crashBlob(base)) {
		t.Fatalf("seed %d: model blob of %d bytes, %v", seed, len(b), err)
	}
	// The full-text index holds the same documents.
	if n, err := ix.text.DocCount(); err != nil || n != uint64(ix.Len()) {
		t.Fatalf("seed %d: full-text index holds %d documents (%v), the code store %d", seed, n, err, ix.Len())
	}
	return seed
}

// checkUpdated checks the index of odd seed (see crashAdded).
func checkUpdated(t *testing.T, ix *Index, seed uint64) {
	t.Helper()
	var want []Entry
	for i := range crashSize(seed - 1) {
		if i%4 != 0 {
			want = append(want, testEntry(seed-1, i, crashDim))
		}
	}
	for i := range crashAdded(seed) {
		want = append(want, testEntry(seed, i, crashDim))
	}
	if ix.Len() != len(want) {
		t.Fatalf("seed %d: %d documents, want %d", seed, ix.Len(), len(want))
	}
	for i, e := range want {
		d := ix.Doc(i)
		d.Gen = 0
		if d != e.Doc || !slices.Equal(ix.Code(i), e.Code) {
			t.Fatalf("seed %d: position %d holds %+v, want %+v", seed, i, d, e.Doc)
		}
	}
}

// runAndKill starts TestCrashChild on dir, waits until it is ready, lets it
// write for delay while calling read in a loop, then kills it with SIGKILL.
// It returns the child's stdout lines and its whole output.
func runAndKill(dir string, delay time.Duration, read func()) ([]string, []byte, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashDir+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	var (
		mu    sync.Mutex
		lines []string
		ready = make(chan struct{})
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			if sc.Text() == "ready" {
				close(ready)
			}
		}
	}()
	output := func() []byte {
		mu.Lock()
		defer mu.Unlock()
		return append([]byte(strings.Join(lines, "\n")+"\n"), stderr.Bytes()...)
	}
	select {
	case <-ready:
	case <-done:
		cmd.Wait()
		return nil, output(), fmt.Errorf("child exited before it was ready")
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, output(), fmt.Errorf("child not ready after 30s")
	}
	for stop := time.Now().Add(delay); time.Now().Before(stop); {
		read()
		time.Sleep(min(50*time.Millisecond, time.Until(stop)))
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		return nil, output(), err
	}
	<-done
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		return nil, output(), fmt.Errorf("child ended with %v before the kill", err)
	}
	return lines, output(), nil
}

// TestCommitFaultPoints kills the writer at each named moment of a commit,
// where random kills rarely land, for a fresh index and an update: the
// index must be the old one before CURRENT is switched and the new one
// after, and the next writer must succeed.
func TestCommitFaultPoints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		point string
		lands bool // the new index is live after the kill
	}{
		{"index.commit.written", false},
		{"index.commit.synced", false},
		{"index.commit.switched", true},
	} {
		for _, live := range []uint64{1, 2} { // the next seed is 2 (Create) or 3 (Update)
			t.Run(fmt.Sprintf("%s/seed%d", tc.point, live+1), func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				for s := uint64(0); s <= live; s++ {
					crashWrite(t, dir, s)
				}
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), envCrashDir+"="+dir, faultpoint.Env+"="+tc.point)
				out, err := cmd.CombinedOutput()
				if err == nil || !strings.Contains(err.Error(), "killed") {
					t.Fatalf("child: %v, want killed at %s\n%s", err, tc.point, out)
				}
				if strings.Contains(string(out), "committed") {
					t.Fatalf("child reported a commit before its kill:\n%s", out)
				}
				ix, err := Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				want := live
				if tc.lands {
					want = live + 1
				}
				if got := checkCrashIndex(t, ix); got != want {
					t.Errorf("index has seed %d after a kill at %s, want %d", got, tc.point, want)
				}
				ix.Close()
				crashWrite(t, dir, want+1)
				ix, err = Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				defer ix.Close()
				checkCrashIndex(t, ix)
				gen, _ := readCurrent(dir)
				if got, want := entries(t, dir), []string{fileCurrent, fileLock, gen}; !slices.Equal(got, want) {
					t.Errorf("after the next commit dir holds %v, want %v", got, want)
				}
			})
		}
	}
}
