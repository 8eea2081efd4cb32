package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// BenchmarkHTMLMillion writes the HTML report of a 1,000,000-entry image
// and opens it in headless Chromium (see docs/benchmarks.md):
//
//	go test -run '^$' -bench HTMLMillion -benchtime 3x -timeout 60m ./cmd/strata/
//
// It reports the page's size (bytes/page, target ≤ 10 MB), the time to
// write it (ms-write) and the time from the start of the navigation to the
// first frame of the interactive page (ms-interactive, target ≤ 2 s), the
// part of it the page's script takes (ms-script) and
// of a zoom into the largest directory (ms-zoom). The
// image is generated once into $STRATA_BENCH_DIR (default
// $TMPDIR/strata-bench).
func BenchmarkHTMLMillion(b *testing.B) {
	bin := os.Getenv(e2eVarChromium)
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("chromium"); err != nil {
			b.Skipf("%s is not set and chromium is not on PATH", e2eVarChromium)
		}
	}
	dir := os.Getenv("STRATA_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "strata-bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	archive := filepath.Join(dir, "million.tar")
	if _, err := os.Stat(archive + ".done"); err != nil {
		b.Logf("generating %s (once)", archive)
		start := time.Now()
		if err := fixtures.WriteBenchArchive(archive, fixtures.MillionBenchSpec()); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(archive+".done", nil, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated in %s", time.Since(start).Round(time.Second))
	}
	ctx := context.Background()
	img, err := source.Open(ctx, "docker-archive:"+archive, source.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	a, err := analyzer.Analyze(ctx, img)
	if err != nil {
		b.Fatal(err)
	}
	entries := 0
	for _, l := range a.Layers {
		entries += l.Entries
	}
	b.Logf("%d tar entries, %d files in the final filesystem", entries, a.Summary.FileCount)
	page := filepath.Join(b.TempDir(), "million.html")
	b.ResetTimer()
	var size, writeMS, interactiveMS, scriptMS, zoomMS float64
	for range b.N {
		var buf bytes.Buffer
		start := time.Now()
		if err := report.WriteHTML(&buf, a, nil, report.HTMLOptions{}); err != nil {
			b.Fatal(err)
		}
		writeMS += float64(time.Since(start).Milliseconds())
		size = float64(buf.Len())
		if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		p := openPageWith(b, bin, page)
		p.waitFor(`document.documentElement.hasAttribute("data-interactive-ms")`)
		ms, err := strconv.ParseFloat(eval[string](p, `document.documentElement.getAttribute("data-interactive-ms")`), 64)
		if err != nil {
			b.Fatal(err)
		}
		interactiveMS += ms
		// How much of it is the page's script (the rest is reading and
		// parsing the HTML, and the first layout and paint).
		script, err := strconv.ParseFloat(eval[string](p, `document.documentElement.getAttribute("data-script-ms")`), 64)
		if err != nil {
			b.Fatal(err)
		}
		scriptMS += script
		// A zoom into the largest directory: layout and drawing happen in
		// the click handler, so this is the whole redraw but the paint.
		zoomMS += eval[float64](p, `(() => {
			const r = document.querySelector('#map-svg rect[data-depth="1"]');
			const t0 = performance.now();
			r.dispatchEvent(new MouseEvent("click", {bubbles: true}));
			return performance.now() - t0;
		})()`)
		if n := eval[int](p, `document.querySelectorAll("#crumbs button").length`); n != 2 {
			b.Fatalf("the click did not zoom: %d breadcrumb buttons", n)
		}
		p.checkClean()
		p.close()
	}
	b.ReportMetric(size, "bytes/page")
	b.ReportMetric(writeMS/float64(b.N), "ms-write")
	b.ReportMetric(interactiveMS/float64(b.N), "ms-interactive")
	b.ReportMetric(scriptMS/float64(b.N), "ms-script")
	b.ReportMetric(zoomMS/float64(b.N), "ms-zoom")
}
