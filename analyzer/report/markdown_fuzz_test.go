package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// FuzzMarkdownReport puts the fuzzer's text in a file name, two layer
// commands and the image reference, writes the Markdown report and parses it
// as GitHub does: no HTML, link or image may come out of the image's text,
// and every table row keeps its header's columns.
func FuzzMarkdownReport(f *testing.F) {
	for _, s := range hostileMarkdown {
		f.Add(s)
	}
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	f.Fuzz(func(t *testing.T, s string) {
		name := strings.ReplaceAll(s, "/", "_")
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || len(s) > 512 || name == "" || name == "." || name == ".." {
			return
		}
		img, err := fixtures.Build(fixtures.Image{Layers: []fixtures.Layer{
			{CreatedBy: "/bin/sh -c echo " + s, Entries: []fixtures.Entry{fixtures.File("app/"+name, strings.Repeat("x", 100))}},
			{CreatedBy: "/bin/sh -c #(nop) COPY " + s + " /app", Entries: []fixtures.Entry{fixtures.File("app/"+name, "y")}},
		}}, fixtures.Uncompressed)
		if err != nil {
			return
		}
		a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: "app:" + s})
		if err != nil {
			return
		}
		var doc, html bytes.Buffer
		if err := report.WriteMarkdown(&doc, a, policy.Evaluate(a, policy.Default(), nil), report.MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := md.Convert(doc.Bytes(), &html); err != nil {
			t.Fatal(err)
		}
		if m := htmlTag.FindString(html.String()); m != "" {
			t.Fatalf("the report of %q renders the tag %q:\n%s", s, m, html.String())
		}
		if m := link.FindString(html.String()); m != "" {
			t.Fatalf("the report of %q renders a link or image %q", s, m)
		}
		checkTables(t, "analysis", doc.String())
	})
}
