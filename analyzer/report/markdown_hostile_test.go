package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/fixtures"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// hostileMarkdown are image-controlled strings that try to close a code
// span, open HTML, a link or an image, or break a table.
var hostileMarkdown = []string{
	"a`` <img src=x onerror=alert(1)> ``b",
	"```<img src=x>```",
	"x\\|<script>alert(1)<\\/script>",
	"![t](https:__evil_p.png)",
	"[click](javascript:alert(1))",
	"<a href=javascript:alert(1)>x<\\/a>",
	"**bold** _it_ |pipe| \\",
	"`",
	"\\`<b>escaped tick<\\/b>",
}

// hostileImage puts every hostile string in file names (overwritten later,
// so that they are listed as wasted) and in layer commands.
func hostileImage(extra string) fixtures.Image {
	var first, second []fixtures.Entry
	for i, s := range hostileMarkdown {
		name := strings.ReplaceAll(s, "/", "_")
		first = append(first, fixtures.File("app/"+name, strings.Repeat("x", 100+i)))
		second = append(second, fixtures.File("app/"+name, extra+strings.Repeat("y", 50+i)))
	}
	return fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "/bin/sh -c echo " + strings.Join(hostileMarkdown, " "), Entries: first},
		{CreatedBy: "/bin/sh -c #(nop) COPY " + hostileMarkdown[0] + " /app", Entries: second},
	}}
}

var (
	htmlTag = regexp.MustCompile(`(?i)<(img|script|a|b)[\s>]`)
	link    = regexp.MustCompile(`(?i)<a href|<img`)
)

// TestMarkdownHostile renders every Markdown report of images whose names
// and commands are hostile, parses them as GitHub does (CommonMark with
// tables) and requires that no HTML, link or image came out of the image's
// text, and that every table row keeps its columns.
func TestMarkdownHostile(t *testing.T) {
	old, new := analyze(t, hostileImage("")), analyze(t, hostileImage("z"))
	new.Image.Reference = "app:" + hostileMarkdown[0]
	docs := map[string]*bytes.Buffer{"analysis": {}, "comparison": {}}
	res := policy.Evaluate(new, policy.Default(), nil)
	if err := report.WriteMarkdown(docs["analysis"], new, res, report.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteComparisonMarkdown(docs["comparison"], mustCompare(t, old, new, compare.Options{}), report.ComparisonOptions{}); err != nil {
		t.Fatal(err)
	}
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	for name, doc := range docs {
		if !strings.Contains(doc.String(), "bold") {
			t.Fatalf("%s: the hostile names are not in the report:\n%s", name, doc)
		}
		var html bytes.Buffer
		if err := md.Convert(doc.Bytes(), &html); err != nil {
			t.Fatal(err)
		}
		if m := htmlTag.FindString(html.String()); m != "" {
			t.Errorf("%s: the report renders the tag %q:\n%s", name, m, html.String())
		}
		if m := link.FindString(html.String()); m != "" {
			t.Errorf("%s: the report renders a link or image %q", name, m)
		}
		if strings.Contains(html.String(), "<strong>bold") || strings.Contains(html.String(), "<em>it") {
			t.Errorf("%s: image text renders as emphasis", name)
		}
		checkTables(t, name, doc.String())
	}
}

// checkTables requires every row of every table to have as many cells as
// its header: a pipe from the image would add one.
func checkTables(t *testing.T, name, doc string) {
	t.Helper()
	// As GitHub does: a backslash escapes the next character, and every
	// other pipe separates cells, inside code spans too.
	cells := func(line string) int {
		n := 0
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '|':
				n++
			}
		}
		return n
	}
	want := -1
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		if want < 0 {
			want = cells(line)
			continue
		}
		if got := cells(line); got != want {
			t.Errorf("%s: a row has %d cell separators, its header %d:\n%s", name, got, want, line)
		}
	}
}
