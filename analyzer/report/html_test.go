package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/fixtures"
)

// TestHTMLEscapesMarkup renders the report of an image whose names,
// command, labels and environment are markup: none of it becomes an
// element, and the page's only scripts are its data and its own script.
func TestHTMLEscapesMarkup(t *testing.T) {
	a := analyze(t, fixtures.MarkupImage())
	var b bytes.Buffer
	if err := report.WriteHTML(&b, a, nil, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<img", "<svg onload", "<script>window", "onerror=window.__pwned=1>\""} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("the page has %d <script elements, want 2 (data and code)", n)
	}
	// The data block holds every name, and no "</" that could close it.
	data := page[strings.Index(page, `<script type="application/json" id="strata-data">`):]
	data = data[:strings.Index(data, "</script>")]
	if strings.Contains(data[1:], "</") || strings.Contains(data, "<img") {
		t.Errorf("the data block is not escaped: %.300s", data)
	}
	for _, s := range []string{`\u003cimg src=x onerror=window.__pwned=1\u003e`, `script\u003e\u003cimg src=x onerror=window.__pwned=2\u003e`} {
		if !strings.Contains(data, s) {
			t.Errorf("the data block lacks %s", s)
		}
	}
	for _, s := range []string{
		"&lt;img src=x onerror=window.__pwned=1&gt;",
		"&lt;/script&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;",
		"evil=&lt;img src=x onerror=window.__pwned=5&gt;",
		"X=&lt;img src=x onerror=window.__pwned=7&gt;",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("the page does not show %q as text", s)
		}
	}
}

// TestHTMLLoadsNothing checks the page's policy and that it names no
// resource outside itself.
func TestHTMLLoadsNothing(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteHTML(&b, demo(t), nil, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(page)
	if csp == nil {
		t.Fatal("no Content-Security-Policy meta tag")
	}
	if strings.Index(page, csp[0]) > strings.Index(page, "<style") {
		t.Error("the policy comes after the style: it must come first")
	}
	policy := strings.ReplaceAll(csp[1], "&#39;", "'")
	for _, want := range []string{"default-src 'none'", "script-src 'sha256-", "style-src 'sha256-", "img-src data:", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("the policy %q lacks %q", policy, want)
		}
	}
	for _, re := range []string{`(?i)(src|href)="(https?:)?//`, `(?i)url\((https?:)?//`, `(?i)@import`} {
		if m := regexp.MustCompile(re).FindString(page); m != "" {
			t.Errorf("the page refers to a remote resource: %s", m)
		}
	}
	if len(page) > 500_000 {
		t.Errorf("the demo image's page is %d bytes, want ≤ 500 kB", len(page))
	}
}

// pageData decodes the JSON data block of a page.
func pageData(t *testing.T, page string) map[string]any {
	t.Helper()
	const open = `<script type="application/json" id="strata-data">`
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatal("no data block")
	}
	data := page[i+len(open):]
	data = data[:strings.Index(data, "</script>")]
	var v map[string]any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatalf("the data block is not JSON: %v", err)
	}
	return v
}

// TestComparisonHTMLTreemap checks the diff treemap against the file
// changes: its area is the sum of the size changes without sign, its net
// change their sum, and each top-level directory's net change is the
// comparison's roll-up.
func TestComparisonHTMLTreemap(t *testing.T) {
	r := appResult(t)
	var b bytes.Buffer
	if err := report.WriteComparisonHTML(&b, r, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	root := pageData(t, b.String())["map"].(map[string]any)
	var abs, net int64
	for _, c := range r.Files.Changes {
		net += c.SizeDelta
		abs += max(c.SizeDelta, -c.SizeDelta)
	}
	if got := int64(root["a"].(float64)); got != abs || abs == 0 {
		t.Errorf("the treemap's area stands for %d bytes, want Σ|change| = %d", got, abs)
	}
	if got, _ := root["dt"].(float64); int64(got) != net || net != r.Files.SizeDelta {
		t.Errorf("the treemap's net change is %v, want %d (the comparison's %d)", got, net, r.Files.SizeDelta)
	}
	dirs := map[string]int64{}
	for _, d := range r.Files.Dirs {
		dirs[d.Path] = d.SizeDelta
	}
	for _, k := range root["c"].([]any) {
		k := k.(map[string]any)
		if _, ok := k["c"]; !ok {
			continue
		}
		path := "/" + k["n"].(string)
		got, _ := k["dt"].(float64)
		if want, ok := dirs[path]; !ok || int64(got) != want {
			t.Errorf("%s: the treemap's net change is %v, the comparison's roll-up %d", path, got, want)
		}
	}
}

// TestHTMLLinksDockerfileLines maps the demo image's findings and steps
// to Dockerfile lines: the page shows each line and links it to its step.
func TestHTMLLinksDockerfileLines(t *testing.T) {
	a := *demo(t)
	a.Findings = append([]findings.Finding(nil), a.Findings...)
	a.Dockerfile.Steps = append([]findings.Step(nil), a.Dockerfile.Steps...)
	a.Dockerfile.Path = "build/Dockerfile"
	var f *findings.Finding
	for i := range a.Findings {
		if a.Findings[i].Layer >= 0 && a.Findings[i].Step >= 0 {
			f = &a.Findings[i]
			break
		}
	}
	if f == nil {
		t.Fatal("the demo image has no finding of a layer")
	}
	loc := &dockerfile.Location{Path: "build/Dockerfile", Line: 7, EndLine: 9, Instruction: "RUN apt-get update && \\"}
	f.Dockerfile = loc
	a.Dockerfile.Steps[f.Step].Source = loc
	var b bytes.Buffer
	if err := report.WriteHTML(&b, &a, nil, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		fmt.Sprintf(`at <a class="src" href="#step-%d"><code>build/Dockerfile:7-9</code></a>`, f.Step),
		`<span class="small src">build/Dockerfile:7-9: <code>RUN apt-get update &amp;&amp; \</code></span>`,
		`<span class="small src">← build/Dockerfile:7-9</span>`,
		`mapped to <code>build/Dockerfile</code>`,
		`"src":"build/Dockerfile:7-9"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

// TestComparisonHTMLEscapesMarkup compares an image with one whose names,
// command, labels and environment are markup: the comparison page shows
// them as text only.
func TestComparisonHTMLEscapesMarkup(t *testing.T) {
	old, new := analyze(t, fixtures.DiffOldImage()), analyze(t, fixtures.MarkupImage())
	new.Image.Reference = `<img src=x onerror=window.__pwned=9>`
	r := mustCompare(t, old, new, compare.Options{})
	var b bytes.Buffer
	if err := report.WriteComparisonHTML(&b, r, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<img", "<svg onload", "<script>window"} {
		if strings.Contains(page, bad) {
			t.Errorf("the comparison page holds %q unescaped", bad)
		}
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("the comparison page has %d <script elements, want 2", n)
	}
	for _, s := range []string{
		"&lt;img src=x onerror=window.__pwned=9&gt;",
		"/hostile/&lt;img src=x onerror=window.__pwned=1&gt;",
		"labels evil",
		"&lt;svg onload=window.__pwned=6&gt;",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("the comparison page does not show %q", s)
		}
	}
	pageData(t, page) // the data block is valid JSON
}

// TestHTMLEmptyImage writes the pages of an image without a file: the
// treemap is empty and the page says so.
func TestHTMLEmptyImage(t *testing.T) {
	c, ok := fixtures.CaseByName("empty-image")
	if !ok {
		t.Fatal("no empty-image case")
	}
	a := analyze(t, c.Image)
	var b bytes.Buffer
	if err := report.WriteHTML(&b, a, nil, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	root := pageData(t, b.String())["map"].(map[string]any)
	if _, kids := root["c"]; kids || root["k"] != nil || root["w"] != nil {
		t.Errorf("the empty image's treemap is %v", root)
	}
	if !strings.Contains(b.String(), "Every path is drawn (0 rectangles).") {
		t.Error("the page does not say that the map is empty")
	}
	b.Reset()
	if err := report.WriteComparisonHTML(&b, mustCompare(t, a, a, compare.Options{}), report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "The images are identical") {
		t.Error("comparing the empty image with itself does not say that they are identical")
	}
}
