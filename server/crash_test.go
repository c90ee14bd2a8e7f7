package server

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/docsearch/docsearch/index"
)

// envServeChild names the index a child server process serves (see
// TestServeChild).
const envServeChild = "DOCSEARCH_SERVE_CHILD_DIR"

// TestServeChild is the server TestKillDuringPost kills: it serves the
// index named by envServeChild, writable, and prints "listening ADDR".
func TestServeChild(t *testing.T) {
	dir := os.Getenv(envServeChild)
	if dir == "" {
		t.Skip("runs only as the child of TestKillDuringPost")
	}
	s, err := New(Options{Dir: dir, Writable: true, Token: testToken, Logger: quietLogger(), Reload: -1})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // in case the parent is gone
	defer cancel()
	_ = s.Serve(ctx, ln)
}

// startChild starts a server process on dir and returns it with its
// address.
func startChild(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$", "-test.count=1")
	// A killed server leaves its spooled POST body behind: in the test's
	// temporary folder, which the test removes.
	cmd.Env = append(os.Environ(), envServeChild+"="+dir, "TMPDIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q, %v", line, err)
	}
	return cmd, addr
}

// TestKillDuringPost kills the server with SIGKILL while it adds the
// documents of a POST, at moments spread from its start to past the time a
// POST takes (so that some kills land after the commit), with jitter.
// After each kill the index must open and hold all of the POST's documents
// or none, and the next server must take writes.
func TestKillDuringPost(t *testing.T) {
	if testing.Short() {
		t.Skip("kills server processes; skipped with -short")
	}
	t.Parallel()
	dir := testIndex(t)
	count := func() (int, map[string]bool) {
		ix, err := index.Open(dir)
		if err != nil {
			t.Fatalf("the index does not open after a kill: %v", err)
		}
		defer ix.Close()
		ids := make(map[string]bool, ix.Len())
		for i := range ix.Len() {
			ids[ix.Doc(i).ID] = true
		}
		return ix.Len(), ids
	}
	const batch = 300
	send := func(addr, prefix string) (time.Duration, error) {
		start := time.Now()
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/documents", strings.NewReader(records(prefix, batch, 5)))
		req.Header.Set("Authorization", "Bearer "+testToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			return 0, fmt.Errorf("status %d", res.StatusCode)
		}
		return time.Since(start), nil
	}

	// Round 0 is not killed: it measures how long a POST takes.
	cmd, addr := startChild(t, dir)
	took, err := send(addr, "calm")
	cmd.Process.Kill()
	cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := count()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	before, after := 0, 0
	const rounds = 6
	for round := range rounds {
		cmd, addr := startChild(t, dir)
		prefix := fmt.Sprintf("kill%d", round)
		done := make(chan error, 1)
		go func() { _, err := send(addr, prefix); done <- err }()
		at := (0.05 + 1.35*float64(round)/(rounds-1) + 0.1*r.Float64()) * float64(took)
		time.Sleep(time.Duration(at))
		cmd.Process.Kill()
		cmd.Wait()
		<-done // a connection error, or 200 if the add beat the kill

		m, ids := count()
		got := 0
		for i := range batch {
			if ids[fmt.Sprintf("%s-%d", prefix, i)] {
				got++
			}
		}
		switch {
		case m == n && got == 0:
			before++
		case m == n+batch && got == batch:
			after++
			n = m
		default:
			t.Fatalf("round %d: %d documents (%d before the POST), %d of the POST's %d: a partial add", round, m, n, got, batch)
		}
	}
	t.Logf("a POST takes %s; after the kills the index was as before %d times, as after %d times", took.Round(time.Millisecond), before, after)
	// The lock died with the process: a new server takes writes.
	cmd, addr = startChild(t, dir)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if _, err := send(addr, "final"); err != nil {
		t.Fatalf("a POST after the kills: %v", err)
	}
}
