package server

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// Environment of the browser test.
const (
	// envRequireBrowser=1 makes a missing chromium a failure (CI sets it).
	envRequireBrowser = "DOCSEARCH_REQUIRE_BROWSER"
	// envChromium names the browser; default: chromium on the PATH
	// (/usr/bin/chromium on Debian).
	envChromium = "DOCSEARCH_CHROMIUM"
	// envBrowserIndex serves another index in the browser test (the
	// README's screenshot is of the 20 Newsgroups index); default: the
	// test index.
	envBrowserIndex = "DOCSEARCH_BROWSER_INDEX"
	// envArtifacts is a folder for the test's screenshots; default: a
	// folder in the system's temporary folder, named in the test log.
	envArtifacts = "DOCSEARCH_ARTIFACTS"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the browser test's screenshot to docs/serve-screenshot.png")

func chromium(t *testing.T) string {
	path := os.Getenv(envChromium)
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		if os.Getenv(envRequireBrowser) == "1" {
			t.Fatalf("chromium not found and %s=1: install it (apt-get install chromium) or name it in %s", envRequireBrowser, envChromium)
		}
		t.Skipf("chromium not found (apt-get install chromium, or set %s); set %s=1 to fail instead of skipping", envChromium, envRequireBrowser)
	}
	return path
}

// TestBrowser drives Debian's chromium through the page: load it, type a
// query, submit, see highlighted results and the query time, check that
// the map loaded, follow a "similar" link, page on. It saves screenshots
// as artifacts.
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	dir := os.Getenv(envBrowserIndex)
	if dir == "" {
		dir = builtIndex(t)
	}
	_, ts := newTest(t, Options{Dir: dir})
	artifacts := os.Getenv(envArtifacts)
	if artifacts == "" {
		artifacts = filepath.Join(os.TempDir(), "docsearch-browser-test")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	var log bytes.Buffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // root in a container; the page is our own
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		// No UserDataDir: the allocator makes a fresh one and removes it
		// once the browser has exited.
		chromedp.WindowSize(1400, 1000),
		chromedp.CombinedOutput(&log),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	defer func() {
		if t.Failed() && log.Len() > 0 {
			t.Logf("chromium's output:\n%s", log.String())
		}
	}()

	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(bctx, actions...); err != nil {
			var shot []byte
			sctx, c := context.WithTimeout(bctx, 10*time.Second)
			if chromedp.Run(sctx, chromedp.FullScreenshot(&shot, 100)) == nil {
				p := filepath.Join(artifacts, "failed.png")
				_ = os.WriteFile(p, shot, 0o644)
				t.Logf("screenshot of the failure: %s", p)
			}
			c()
			t.Fatalf("%s: %v", what, err)
		}
	}

	var title string
	run("load the page",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible("#q", chromedp.ByID),
		chromedp.Title(&title))
	if title != "docsearch" {
		t.Errorf("title %q", title)
	}

	var summary, snippet, took string
	var results []*cdp.Node
	run("type a query and submit",
		chromedp.SendKeys("#q", "rocket launch", chromedp.ByID),
		chromedp.Click("#go", chromedp.ByID),
		chromedp.WaitVisible("#results li.result", chromedp.ByQuery),
		chromedp.Nodes("#results li.result", &results, chromedp.ByQueryAll),
		chromedp.Text("#summary", &summary, chromedp.ByID),
		chromedp.Text("#took", &took, chromedp.ByID),
		chromedp.InnerHTML("#results li.result .snippet", &snippet, chromedp.ByQuery))
	if len(results) != PageSize {
		t.Errorf("%d results on the page, want %d", len(results), PageSize)
	}
	if !strings.HasPrefix(summary, "Results 1–10 of") || !strings.HasSuffix(took, " ms") {
		t.Errorf("summary %q, time %q", summary, took)
	}
	if !strings.Contains(snippet, "<mark>") {
		t.Errorf("first snippet without a highlight: %q", snippet)
	}

	var mapWidth int
	var mapSrc string
	run("the map loads",
		chromedp.Poll(`document.getElementById("map").complete && document.getElementById("map").naturalWidth`, &mapWidth,
			chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.AttributeValue("#map", "src", &mapSrc, nil, chromedp.ByID))
	if mapWidth != 900 || !strings.Contains(mapSrc, "q=rocket") {
		t.Errorf("map: natural width %d, src %q", mapWidth, mapSrc)
	}
	var shot []byte
	run("screenshot", chromedp.FullScreenshot(&shot, 100))
	saveShot(t, filepath.Join(artifacts, "serve-screenshot.png"), shot)
	if *updateScreenshot {
		saveShot(t, filepath.Join("..", "docs", "serve-screenshot.png"), shot)
	}

	var firstID, like string
	var similar []*cdp.Node
	run("follow a similar link",
		chromedp.Text("#results li.result .id", &firstID, chromedp.ByQuery),
		chromedp.Click("#results li.result a.similar", chromedp.ByQuery),
		chromedp.WaitVisible("p.like", chromedp.ByQuery),
		chromedp.Text("p.like", &like, chromedp.ByQuery),
		chromedp.WaitVisible("#results li.result", chromedp.ByQuery),
		chromedp.Nodes("#results li.result", &similar, chromedp.ByQueryAll),
		chromedp.Poll(`document.getElementById("map").complete && document.getElementById("map").naturalWidth`, &mapWidth,
			chromedp.WithPollingTimeout(30*time.Second)))
	if !strings.Contains(like, firstID) || len(similar) == 0 || mapWidth != 900 {
		t.Errorf("similar page: %q (want %q), %d results, map width %d", like, firstID, len(similar), mapWidth)
	}
	run("screenshot", chromedp.FullScreenshot(&shot, 100))
	saveShot(t, filepath.Join(artifacts, "serve-similar.png"), shot)

	var start string
	run("page on",
		chromedp.Click("#next", chromedp.ByID),
		chromedp.WaitVisible("#prev", chromedp.ByID),
		chromedp.AttributeValue("#results", "start", &start, nil, chromedp.ByID))
	if start != "11" {
		t.Errorf("the second page starts at %q", start)
	}
}

func saveShot(t *testing.T, path string, png []byte) {
	t.Helper()
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
