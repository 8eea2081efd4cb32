package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/fixtures"
)

// htmlDemo returns the absolute path of the demo image.
func htmlDemo(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "demo", "demo.tar"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// jsonAt returns the value at a dotted path ("summary.dive.efficiency") of
// a decoded JSON document.
func jsonAt(t *testing.T, doc map[string]any, key string) any {
	t.Helper()
	var v any = doc
	for _, k := range strings.Split(key, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: not in the JSON report", key)
		}
		v = m[k]
	}
	return v
}

// mapRects returns the treemap's rectangles of the focused directory's
// children, largest first.
func mapRects(p *page) []rect {
	rs := eval[[]rect](p, `Array.from(document.querySelectorAll('#map-svg rect[data-depth="1"]')).map(r => {
		const b = r.getBoundingClientRect();
		return {X: b.x, Y: b.y, W: b.width, H: b.height, Path: r.getAttribute("data-path")};
	})`)
	slices.SortStableFunc(rs, func(a, b rect) int {
		switch {
		case a.W*a.H > b.W*b.H:
			return -1
		case a.W*a.H < b.W*b.H:
			return 1
		}
		return 0
	})
	return rs
}

// TestHTMLReportInChromium opens the demo image's HTML report in headless
// Chromium: it loads nothing, logs no error, shows the JSON report's
// numbers, its treemap's largest rectangles are the largest top-level
// directories, zoom and hover work, and the sortable table sorts.
func TestHTMLReportInChromium(t *testing.T) {
	e2eChromium(t)
	dir := t.TempDir()
	demo := htmlDemo(t)
	page := filepath.Join(dir, "demo.html")
	if r := e2eStrata(t, nil, "analyze", demo, "--format", "html", "-o", page); r.code != 0 {
		t.Fatalf("strata analyze --format html: want exit 0\n%s", r)
	}
	raw := e2eAnalyzeJSON(t, nil, demo)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 500_000 {
		t.Errorf("the demo image's report is %d bytes; want ≤ 500 kB", st.Size())
	}
	t.Logf("demo report: %d bytes", st.Size())

	p := openPage(t, page)

	// The numbers: each shown value is the JSON report's, as the text
	// reports format it.
	type stat struct{ Key, Value, Text string }
	stats := eval[[]stat](p, `Array.from(document.querySelectorAll("#summary [data-key]")).map(e => ({Key: e.dataset.key, Value: e.dataset.value, Text: e.textContent}))`)
	if len(stats) < 12 {
		t.Fatalf("the summary shows %d numbers, want the 13 of the JSON summary: %v", len(stats), stats)
	}
	for _, s := range stats {
		want := jsonAt(t, doc, s.Key).(float64)
		got, err := strconv.ParseFloat(s.Value, 64)
		if err != nil || got != want {
			t.Errorf("%s: the page says %q, the JSON report %v", s.Key, s.Value, want)
		}
		var text string
		switch {
		case strings.HasSuffix(s.Key, "Percent") || strings.HasSuffix(s.Key, "efficiency"):
			text = termtext.Percent(want)
		case strings.HasSuffix(s.Key, "Count"):
			text = fmt.Sprint(int64(want))
		default:
			text = termtext.Bytes(int64(want))
		}
		if s.Text != text {
			t.Errorf("%s: the page shows %q, want %q", s.Key, s.Text, text)
		}
	}
	// The layer table's sizes.
	layerSizes := eval[[]string](p, `Array.from(document.querySelectorAll("table.layers tbody tr td:nth-child(2)")).map(e => e.dataset.value)`)
	layers := jsonAt(t, doc, "layers").([]any)
	if len(layerSizes) != len(layers) {
		t.Fatalf("the page lists %d layers, the JSON report %d", len(layerSizes), len(layers))
	}
	for i, l := range layers {
		if want := fmt.Sprint(int64(l.(map[string]any)["sizeBytes"].(float64))); layerSizes[i] != want {
			t.Errorf("layer %d: the page says %s bytes, the JSON report %s", i, layerSizes[i], want)
		}
	}

	// The treemap: its three largest rectangles are the three largest
	// top-level directories. At 1280×800 the summary and the whole treemap
	// are on the first screen.
	rs := mapRects(p)
	dirs := jsonAt(t, doc, "directories").([]any)
	if len(rs) < 3 || len(dirs) < 3 {
		t.Fatalf("want at least 3 rectangles and 3 directories; got %v and %v", rs, dirs)
	}
	for i := 0; i < 3; i++ {
		if want := dirs[i].(map[string]any)["path"].(string); rs[i].Path != want {
			t.Errorf("rectangle %d by area is %s; the JSON's directory %d is %s (rectangles: %v)", i+1, rs[i].Path, i+1, want, rs[:3])
		}
	}

	// Hovering shows the path, its size and its layer.
	top := rs[0]
	x, y := top.center()
	p.do(chromedp.MouseEvent("mouseMoved", x, y))
	p.waitFor(`!document.getElementById("tip").hidden`)
	tip := eval[string](p, `document.getElementById("tip").textContent`)
	if !strings.HasPrefix(tip, top.Path+"/") || !strings.Contains(tip, "Layer ") {
		t.Errorf("hovering inside %s shows %q; want a path below it and its layer", top.Path, tip)
	}
	shot := p.screenshot("analysis-report.png")

	// Zoom into the largest directory and back.
	p.do(chromedp.MouseClickXY(x, y))
	p.waitFor(`document.querySelectorAll("#crumbs button").length === 2`)
	if got := eval[string](p, `document.querySelector("#crumbs button:last-child").textContent`); got != strings.TrimPrefix(top.Path, "/") {
		t.Errorf("after zooming into %s the breadcrumb ends with %q", top.Path, got)
	}
	for _, r := range mapRects(p) {
		if !strings.HasPrefix(r.Path, top.Path+"/") {
			t.Errorf("zoomed into %s, the map shows %s", top.Path, r.Path)
		}
	}
	p.screenshot("analysis-report-zoomed.png")
	p.do(chromedp.Click(`#crumbs button:first-child`))
	p.waitFor(`document.querySelectorAll("#crumbs button").length === 1`)
	back := mapRects(p)
	for i := 0; i < 3; i++ {
		if back[i].Path != rs[i].Path {
			t.Errorf("after zooming out, rectangle %d is %s, want %s", i+1, back[i].Path, rs[i].Path)
		}
	}

	// Sizing by wasted bytes: the largest rectangle is the directory with
	// the most wasted bytes.
	p.do(chromedp.Click(`input[name=mode][value=wasted]`))
	var mostWasted string
	var most float64
	for _, d := range dirs {
		d := d.(map[string]any)
		if w := d["wastedBytes"].(float64); w > most {
			most, mostWasted = w, d["path"].(string)
		}
	}
	if w := mapRects(p); most > 0 && (len(w) == 0 || w[0].Path != mostWasted) {
		t.Errorf("sized by wasted bytes, the largest rectangle is %v; want %s", w, mostWasted)
	}

	// The largest files table filters and sorts.
	p.do(chromedp.SendKeys(`input.filter[data-table=files-table]`, "python"))
	visible := eval[[]string](p, `Array.from(document.querySelectorAll("#files-table tbody tr")).filter(r => !r.hidden).map(r => r.cells[0].textContent)`)
	if len(visible) == 0 {
		t.Errorf("filtering the files by %q hides every row", "python")
	}
	for _, v := range visible {
		if !strings.Contains(strings.ToLower(v), "python") {
			t.Errorf("filtering by %q shows %s", "python", v)
		}
	}
	p.do(chromedp.Click(`#files-table th:nth-child(2)`))
	sizes := eval[[]float64](p, `Array.from(document.querySelectorAll("#files-table tbody tr")).map(r => +r.cells[1].dataset.value)`)
	if !slices.IsSortedFunc(sizes, func(a, b float64) int { return int(b - a) }) {
		t.Errorf("after a click on Size, the files are not largest first: %v", sizes)
	}
	p.do(chromedp.Click(`#files-table th:nth-child(2)`))
	sizes = eval[[]float64](p, `Array.from(document.querySelectorAll("#files-table tbody tr")).map(r => +r.cells[1].dataset.value)`)
	if !slices.IsSorted(sizes) {
		t.Errorf("after a second click on Size, the files are not smallest first: %v", sizes)
	}
	p.checkClean()
	t.Logf("screenshot of the analysis report: %s", shot)
}

// TestHTMLCIReportInChromium checks `strata ci --report html=FILE`: the
// page shows the verdict and every check of the JSON report.
func TestHTMLCIReportInChromium(t *testing.T) {
	e2eChromium(t)
	dir := t.TempDir()
	demo := htmlDemo(t)
	page, js := filepath.Join(dir, "ci.html"), filepath.Join(dir, "ci.json")
	r := e2eStrata(t, nil, "ci", demo, "--format", "json", "-o", js, "--report", "html="+page)
	if r.code != 0 && r.code != 1 {
		t.Fatalf("strata ci: want exit 0 or 1\n%s", r)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Policy struct {
			Passed bool `json:"passed"`
			Checks []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"checks"`
		} `json:"policy"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	p := openPage(t, page)
	type check struct{ Name, Status string }
	got := eval[[]check](p, `Array.from(document.querySelectorAll("#verdict table.checks tbody tr")).map(r => ({Name: r.cells[1].textContent, Status: r.cells[0].textContent}))`)
	var want []check
	for _, c := range doc.Policy.Checks {
		want = append(want, check{c.Name, c.Status})
	}
	if !slices.Equal(got, want) {
		t.Errorf("the page's checks are %v; the JSON report's %v", got, want)
	}
	verdict := eval[string](p, `document.querySelector("#verdict h2").textContent`)
	if wantPass := doc.Policy.Passed; strings.Contains(verdict, "Passed") != wantPass {
		t.Errorf("the verdict reads %q; the JSON report says passed=%v", verdict, wantPass)
	}
	p.checkClean()
}

// TestHTMLReportHostileNames opens the report of an image whose file
// names, command, labels and environment are markup: the page shows them
// as text, runs none of it and logs no error (a blocked inline handler
// would log a CSP violation).
func TestHTMLReportHostileNames(t *testing.T) {
	e2eChromium(t)
	dir := t.TempDir()
	img, err := fixtures.Build(fixtures.MarkupImage(), fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "hostile.tar")
	if err := fixtures.WriteDockerArchive(archive, "strata-test/html-hostile:1", img); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "hostile.html")
	if r := e2eStrata(t, nil, "analyze", archive, "--format", "html", "-o", page); r.code != 0 {
		t.Fatalf("strata analyze --format html: want exit 0\n%s", r)
	}
	p := openPage(t, page)
	title := eval[string](p, `document.title`)
	if got := eval[bool](p, `window.__pwned === undefined`); !got {
		t.Errorf("the page ran a script from the image: window.__pwned = %v", eval[any](p, `window.__pwned`))
	}
	counts := eval[map[string]int](p, `({img: document.querySelectorAll("img").length, script: document.querySelectorAll("script").length,
		handlers: document.querySelectorAll("[onerror],[onload]").length})`)
	if want := map[string]int{"img": 0, "script": 2, "handlers": 0}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("the page's elements: %v; want %v (no markup of the image may become elements)", counts, want)
	}
	// The text of the page outside its scripts (sections below the fold
	// are not rendered until scrolled to, so innerText would miss them).
	text := eval[string](p, `Array.from(document.body.querySelectorAll(":scope > :not(script)")).map(e => e.textContent).join("\n")`)
	for _, s := range []string{
		"/hostile/<img src=x onerror=window.__pwned=1>",
		"/hostile/</script><img src=x onerror=window.__pwned=2>",
		`/hostile/"'><svg onload=window.__pwned=8>&amp;`,
		`echo "</script><script>window.__pwned=3</script><img src=x onerror=window.__pwned=4>"`,
		"evil=<img src=x onerror=window.__pwned=5>",
		"</script>=<svg onload=window.__pwned=6>",
		"X=<img src=x onerror=window.__pwned=7>",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the page does not show %q as text", s)
		}
	}
	// The treemap's tooltip shows a hostile name as text too.
	p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("map").scrollIntoView()`))
	p.do(chromedp.Click(`#map-svg rect[data-path="/hostile"]`))
	p.waitFor(`document.querySelectorAll("#crumbs button").length === 2`)
	rs := mapRects(p)
	if len(rs) == 0 {
		t.Fatal("no rectangle below /hostile")
	}
	x, y := rs[0].center()
	p.do(chromedp.MouseEvent("mouseMoved", x, y))
	p.waitFor(`!document.getElementById("tip").hidden`)
	if tip := eval[string](p, `document.querySelector("#tip .path").textContent`); tip != "/hostile/<img src=x onerror=window.__pwned=1>" {
		t.Errorf("the tooltip of the largest file below /hostile shows %q", tip)
	}
	if got := eval[bool](p, `window.__pwned === undefined && document.querySelectorAll("img,[onerror],[onload]").length === 0`); !got {
		t.Errorf("hovering ran or inserted the image's markup")
	}
	if got := eval[string](p, `document.title`); got != title {
		t.Errorf("the title changed from %q to %q", title, got)
	}
	p.checkClean()
}
