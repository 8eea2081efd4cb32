package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/fixtures"
)

// htmlDiffArchives writes the two versions of the diff fixture as docker
// archives.
func htmlDiffArchives(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, im := range []fixtures.Image{fixtures.DiffOldImage(), fixtures.DiffNewImage()} {
		img, err := fixtures.Build(im, fixtures.Gzip)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("app-%d.tar", i+1))
		if err := fixtures.WriteDockerArchive(p, fmt.Sprintf("strata-test/html-app:%d", i+1), img); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths[0], paths[1]
}

// TestHTMLDiffReportInChromium opens the comparison page of two versions
// of an app: it loads nothing, logs no error, shows the JSON comparison's
// numbers, layers and changes, and its treemap draws the changed
// directories.
func TestHTMLDiffReportInChromium(t *testing.T) {
	e2eChromium(t)
	old, new := htmlDiffArchives(t)
	page := filepath.Join(t.TempDir(), "diff.html")
	if r := e2eStrata(t, nil, "diff", old, new, "--format", "html", "-o", page); r.code != 0 {
		t.Fatalf("strata diff --format html: want exit 0\n%s", r)
	}
	r := e2eStrata(t, nil, "diff", old, new, "--format", "json")
	if r.code != 0 {
		t.Fatalf("strata diff --format json: want exit 0\n%s", r)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	p := openPage(t, page)

	type stat struct{ Key, Value, Text string }
	stats := eval[[]stat](p, `Array.from(document.querySelectorAll("#summary [data-key]")).map(e => ({Key: e.dataset.key, Value: e.dataset.value, Text: e.textContent}))`)
	if len(stats) < 15 {
		t.Fatalf("the summary shows %d numbers: %v", len(stats), stats)
	}
	for _, s := range stats {
		var want float64
		if sev, ok := strings.CutPrefix(s.Key, "summary.findings."); ok {
			// summary.findings is a list, one entry per severity.
			name, field, _ := strings.Cut(sev, ".")
			for _, f := range jsonAt(t, doc, "summary.findings").([]any) {
				if f := f.(map[string]any); strings.EqualFold(f["severity"].(string), name) {
					want = f[field].(float64)
				}
			}
		} else {
			want = jsonAt(t, doc, s.Key).(float64)
		}
		if got, err := strconv.ParseFloat(s.Value, 64); err != nil || got != want {
			t.Errorf("%s: the page says %q, the JSON comparison %v", s.Key, s.Value, want)
		}
		// The values of each image read as the text reports write them.
		if strings.HasSuffix(s.Key, ".delta") {
			continue
		}
		var text string
		switch {
		case strings.HasPrefix(s.Key, "summary.efficiency."):
			text = termtext.Percent(want)
		case strings.HasPrefix(s.Key, "summary.findings.") || strings.HasSuffix(strings.TrimSuffix(strings.TrimSuffix(s.Key, ".old"), ".new"), "Count"):
			text = strconv.FormatInt(int64(want), 10)
		default:
			text = termtext.Bytes(int64(want))
		}
		if s.Text != text {
			t.Errorf("%s: the page shows %q, want %q", s.Key, s.Text, text)
		}
	}
	if got, want := eval[int](p, `document.querySelectorAll("table.pairs tbody tr").length`), len(jsonAt(t, doc, "layers").([]any)); got != want {
		t.Errorf("the page aligns %d layer pairs, the JSON comparison %d", got, want)
	}
	if got, want := eval[int](p, `document.querySelectorAll("#packages tbody tr").length`), len(jsonAt(t, doc, "packages").([]any)); got != want {
		t.Errorf("the page lists %d package changes, the JSON comparison %d", got, want)
	}
	if got, want := eval[int](p, `document.querySelectorAll("#config tbody tr").length`), len(jsonAt(t, doc, "config").([]any)); got != want {
		t.Errorf("the page lists %d configuration changes, the JSON comparison %d", got, want)
	}
	newF, fixed := len(jsonAt(t, doc, "findings.new").([]any)), len(jsonAt(t, doc, "findings.fixed").([]any))
	if got := eval[int](p, `document.querySelectorAll("#findings article.finding").length`); got != newF+fixed {
		t.Errorf("the page shows %d findings; the JSON comparison has %d new and %d fixed", got, newF, fixed)
	}

	// The treemap draws the top-level directory whose size changed most,
	// and only paths that changed.
	var largest string
	var most float64
	for _, d := range jsonAt(t, doc, "files.dirs").([]any) {
		d := d.(map[string]any)
		delta := d["sizeDelta"].(float64)
		if delta < 0 {
			delta = -delta
		}
		if path := d["path"].(string); strings.Count(path, "/") == 1 && delta > most {
			largest, most = path, delta
		}
	}
	known := map[string]bool{}
	for _, c := range jsonAt(t, doc, "files.changes").([]any) {
		known[c.(map[string]any)["path"].(string)] = true
	}
	for _, d := range jsonAt(t, doc, "files.dirs").([]any) {
		known[d.(map[string]any)["path"].(string)] = true
	}
	p.screenshot("diff-report.png")
	p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("map").scrollIntoView()`))
	rs := mapRects(p)
	drawn := false
	for _, r := range rs {
		drawn = drawn || r.Path == largest
		if !known[r.Path] && !strings.Contains(r.Path, " other files)") {
			t.Errorf("the treemap draws %s, which neither a change nor a directory roll-up of the JSON comparison", r.Path)
		}
	}
	if !drawn {
		t.Errorf("the treemap does not draw %s, the directory whose size changed most (drawn: %v)", largest, rs)
	}
	if len(rs) == 0 {
		t.Fatal("the treemap draws nothing")
	}
	x, y := rs[0].center()
	p.do(chromedp.MouseEvent("mouseMoved", x, y))
	p.waitFor(`!document.getElementById("tip").hidden`)
	if tip := eval[string](p, `document.querySelector("#tip .path").textContent`); !strings.HasPrefix(tip, rs[0].Path) {
		t.Errorf("hovering inside %s shows %q", rs[0].Path, tip)
	}
	p.screenshot("diff-report-treemap.png")
	p.checkClean()
}
