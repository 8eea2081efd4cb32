package main

// The browser the HTML report tests drive: Debian's chromium, headless, with
// a fresh profile, no background networking, and every request the page
// makes paused and recorded (only the page's own file may load).

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// e2eVarChromium is the chromium binary the browser tests run (set by
// .ci/run); when unset they look for chromium on PATH.
const e2eVarChromium = "STRATA_TEST_CHROMIUM"

// e2eVarArtifacts is a directory the browser tests write screenshots to
// (default: build/test-artifacts at the repository root).
const e2eVarArtifacts = "STRATA_TEST_ARTIFACTS"

// e2eChromium returns the chromium binary, skipping (see e2eSkip) when there
// is none.
func e2eChromium(t *testing.T) string {
	t.Helper()
	e2eSkipShort(t)
	if p := os.Getenv(e2eVarChromium); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s=%s: %v", e2eVarChromium, p, err)
		}
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		e2eSkip(t, "%s is not set and chromium is not on PATH: no browser for the HTML report tests (.ci/run installs it)", e2eVarChromium)
	}
	return p
}

// page is a report open in headless Chromium.
type page struct {
	t     testing.TB
	ctx   context.Context
	url   string
	close func()

	mu       sync.Mutex
	requests []string // every URL the page asked for
	errors   []string // console errors, exceptions, CSP violations
}

// openPage opens an HTML file in a fresh headless Chromium at 1280×800.
// Requests other than the file itself are failed and recorded.
func openPage(t *testing.T, file string) *page {
	t.Helper()
	return openPageWith(t, e2eChromium(t), file)
}

// openPageWith opens an HTML file in the chromium binary bin.
func openPageWith(t testing.TB, bin, file string) *page {
	t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	u := (&url.URL{Scheme: "file", Path: abs}).String()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	done := func() {
		cancel()
		cancelAlloc()
	}
	t.Cleanup(done)
	p := &page{t: t, ctx: ctx, url: u, close: done}
	paused := make(chan *fetch.EventRequestPaused, 256)
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *fetch.EventRequestPaused:
			p.record(ev.Request.URL, "")
			paused <- ev
		case *network.EventRequestWillBeSent:
			p.record(ev.Request.URL, "")
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				p.record("", "console."+string(ev.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			p.record("", "exception: "+msg)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				p.record("", "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	// The listener must not call the browser: a goroutine lets the page's
	// own file through and fails every other request.
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-paused:
				if ev.Request.URL == u {
					chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
				} else {
					chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
				}
			}
		}
	}()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	p.navigate()
	return p
}

func (p *page) record(url, errMsg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if url != "" {
		p.requests = append(p.requests, url)
	}
	if errMsg != "" {
		p.errors = append(p.errors, errMsg)
	}
}

// navigate loads the page and waits until its script says it is ready.
func (p *page) navigate() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url)); err != nil {
		p.t.Fatalf("opening %s: %v", p.url, err)
	}
	p.waitFor(`document.documentElement.getAttribute("data-ready") === "1"`)
}

// waitFor polls a JavaScript condition until it holds.
func (p *page) waitFor(cond string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond)); err != nil {
		p.t.Fatalf("waiting for %s: %v (errors: %v)", cond, err, p.errs())
	}
}

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// do runs browser actions.
func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) errs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// checkClean fails the test on any console error and on any request other
// than the page's own file.
func (p *page) checkClean() {
	p.t.Helper()
	// Let late events (a blocked image, a deferred error) arrive.
	time.Sleep(300 * time.Millisecond)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errors) > 0 {
		p.t.Errorf("the page logged %d error(s):\n%s", len(p.errors), strings.Join(p.errors, "\n"))
	}
	for _, r := range p.requests {
		if r != p.url {
			p.t.Errorf("the page requested %q; only the file itself (%s) may load", r, p.url)
		}
	}
	if len(p.requests) == 0 {
		p.t.Errorf("no request recorded, not even the page: the interception does not work")
	}
}

// screenshot writes the viewport as a PNG test artifact and returns its path.
func (p *page) screenshot(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	dir := os.Getenv(e2eVarArtifacts)
	if dir == "" {
		dir = filepath.Join("..", "..", "build", "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
	return path
}

// rect is an element's box in the viewport.
type rect struct {
	X, Y, W, H float64
	Path       string
}

func (r rect) center() (float64, float64) { return r.X + r.W/2, r.Y + r.H/2 }

func (r rect) String() string {
	return fmt.Sprintf("%s %.0fx%.0f@%.0f,%.0f", r.Path, r.W, r.H, r.X, r.Y)
}
