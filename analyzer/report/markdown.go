package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// MarkdownOptions tune the Markdown report.
type MarkdownOptions struct {
	// TopWasted is how many wasted paths to list (default 10).
	TopWasted int
	// TopFindings is how many findings to list (default 30).
	TopFindings int
	// Width is the width commands are cut to (default 80).
	Width int
}

func (o *MarkdownOptions) defaults() {
	if o.TopWasted <= 0 {
		o.TopWasted = 10
	}
	if o.TopFindings <= 0 {
		o.TopFindings = 30
	}
	if o.Width <= 0 {
		o.Width = 80
	}
}

// WriteMarkdown writes the analysis as GitHub-flavoured Markdown, for a job
// summary ($GITHUB_STEP_SUMMARY) or a pull-request comment: the verdict and
// each check when r is not nil, the sizes, the findings with their fixes, the
// largest wasted paths and a table of the layers with their sizes.
func WriteMarkdown(w io.Writer, a *analyzer.Analysis, r *policy.Result, opts MarkdownOptions) error {
	opts.defaults()
	ew := &errWriter{w: w}
	img := a.Image
	if r != nil {
		icon := "✅"
		if !r.Passed {
			icon = "❌"
		}
		ew.printf("## %s strata ci: %s %s\n\n", icon, r.Status, mdCode(img.Reference))
		ew.printf("Policy: %s · %d passed, %d failed, %d skipped\n\n", mdText(PolicySource(r.Config)),
			r.Counts.Pass, r.Counts.Fail, r.Counts.Skip)
	} else {
		ew.printf("## strata: %s\n\n", mdCode(img.Reference))
	}
	writeMarkdownImage(ew, a)
	if r != nil {
		writeMarkdownChecks(ew, r)
		writeMarkdownFindings(ew, r.Findings, r.Suppressed, opts)
	} else {
		var fs []policy.Finding
		for _, f := range policy.FindingsOf(a) {
			fs = append(fs, policy.Finding{Finding: f, New: true})
		}
		writeMarkdownFindings(ew, fs, 0, opts)
	}
	writeMarkdownWasted(ew, a, opts)
	writeMarkdownLayers(ew, a, opts)
	return ew.err
}

func writeMarkdownImage(w *errWriter, a *analyzer.Analysis) {
	s, img := a.Summary, a.Image
	var meta []string
	meta = append(meta, "source "+img.Source)
	if img.Digest != "" {
		meta = append(meta, "digest "+mdCode(img.Digest))
	}
	if img.Platform != "" {
		meta = append(meta, "platform "+mdCode(img.Platform))
	}
	w.printf("%s\n\n", strings.Join(meta, " · "))
	w.printf("| Size | Wasted | Efficiency | User wasted | Duplicates | Potential savings | Layers | Files |\n")
	w.printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	w.printf("| %s | %s | %s | %s | %s | %s | %d | %d |\n\n", termtext.Bytes(s.TotalBytes), termtext.Bytes(s.WastedBytes),
		termtext.Percent(s.Efficiency), termtext.Percent(s.UserWastedPercent), termtext.Bytes(s.DuplicateBytes), termtext.Bytes(s.PotentialSavingsBytes),
		s.LayerCount, s.FileCount)
	w.printf("Dive-compatible: efficiency %s, wasted %s, user wasted %s.\n\n",
		termtext.Percent(s.Dive.Efficiency), termtext.Bytes(s.Dive.WastedBytes), termtext.Percent(s.Dive.UserWastedPercent))
}

func writeMarkdownChecks(w *errWriter, r *policy.Result) {
	w.printf("### Checks\n\n")
	w.printf("| Result | Check | Threshold | Value | Reason |\n|---|---|---:|---:|---|\n")
	for _, c := range r.Checks {
		icon := map[policy.Status]string{policy.Pass: "✅", policy.Fail: "❌", policy.Skip: "⏭️"}[c.Status]
		w.printf("| %s %s | %s | %s | %s | %s |\n", icon, c.Status, mdCode(c.DisplayName(r.Config.Format)),
			mdText(CheckThreshold(c)), mdText(CheckValue(c)), mdText(c.Reason))
	}
	w.printf("\n")
}

func writeMarkdownFindings(w *errWriter, fs []policy.Finding, suppressed int, opts MarkdownOptions) {
	if len(fs) == 0 {
		w.printf("### Findings\n\nNone")
		if suppressed > 0 {
			w.printf(" (%d suppressed by the policy)", suppressed)
		}
		w.printf(".\n\n")
		return
	}
	w.printf("### Findings (%d)\n\n", len(fs))
	w.printf("| | Severity | Rule | Layer | Paths | Size | Finding and fix |\n|---|---|---|---|---|---:|---|\n")
	for i, f := range fs {
		if i == opts.TopFindings {
			w.printf("\n… and %d more (see the JSON report).\n", len(fs)-i)
			break
		}
		mark := ""
		switch {
		case f.Failing:
			mark = "❌"
		case !f.New:
			mark = "baseline"
		}
		w.printf("| %s | %s | %s | %s | %s | %s | %s |\n", mark, f.Severity, mdCode(f.Rule),
			mdText(FindingWhere(f.Finding, opts.Width/2)), mdText(FindingPaths(f.Finding, 3)), markdownBytes(f.Finding),
			mdRich(f.Title+". "+f.Hint))
	}
	w.printf("\n")
}

func markdownBytes(f findings.Finding) string {
	if f.Bytes <= 0 {
		return ""
	}
	return termtext.Bytes(f.Bytes)
}

func writeMarkdownWasted(w *errWriter, a *analyzer.Analysis, opts MarkdownOptions) {
	if len(a.Wasted) == 0 {
		return
	}
	w.printf("### Largest wasted paths (%d in all)\n\n", len(a.Wasted))
	w.printf("| Wasted | Path | In layers | Hidden by |\n|---:|---|---|---|\n")
	for i, p := range a.Wasted {
		if i == opts.TopWasted {
			break
		}
		var in []string
		for _, o := range p.Occurrences {
			in = append(in, fmt.Sprint(o.Layer))
		}
		by := p.Occurrences[len(p.Occurrences)-1].ShadowedBy
		w.printf("| %s | %s | %s | %d |\n", termtext.Bytes(p.Bytes), mdCode(p.Path), strings.Join(in, ", "), by)
	}
	w.printf("\n")
}

func writeMarkdownLayers(w *errWriter, a *analyzer.Analysis, opts MarkdownOptions) {
	w.printf("### Layers\n\n")
	writeMermaidLayers(w, a.Layers)
	w.printf("| # | Size | Wasted later | Added | Modified | Removed | Command |\n|---:|---:|---:|---:|---:|---:|---|\n")
	for _, l := range a.Layers {
		w.printf("| %d | %s | %s | %d | %d | %d | %s |\n", l.Index, termtext.Bytes(l.SizeBytes), termtext.Bytes(l.WastedBytes),
			l.Added, l.Modified, l.Removed, mdCode(termtext.OneLine(l.Command, opts.Width)))
	}
	w.printf("\n")
}

// The Markdown escaping: every image-controlled string in a Markdown
// report (history, paths, labels, tags, finding titles and hints) goes
// through mdText (text) or mdCode (inline code), so that none can close a
// code span, open an HTML tag, a link or an image, or break a table.

// mdTextEscaper escapes, after the backslash itself (or "\\|" would end a
// table cell), the characters that open emphasis, code, links, images, HTML
// or a table cell. Without "[" no link or image can start, so "(", ")" and
// "!" need nothing.
var mdTextEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
)

// mdText makes text safe in a Markdown table cell: one line, escaped as
// terminal text is, every Markdown-significant character escaped.
func mdText(s string) string {
	return mdTextEscaper.Replace(termtext.OneLine(s, 0))
}

// mdRich writes a rule's hint, whose `backquoted` parts are code, safe in
// a table cell: the code parts as inline code, the rest as text.
func mdRich(s string) string {
	parts := strings.Split(termtext.OneLine(s, 0), "`")
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString(mdFence(p))
		} else {
			b.WriteString(mdTextEscaper.Replace(p))
		}
	}
	return b.String()
}

// mdCode writes s as inline code, safe in a table cell.
func mdCode(s string) string { return mdFence(termtext.OneLine(s, 0)) }

// mdFence writes one line as inline code: the fence is one backtick longer
// than the longest run of backticks in it, so that nothing in it can close
// the span, and pipes are escaped for the table.
//
// GitHub splits table rows at every pipe not escaped by a backslash, code
// spans included, and a backslash escapes the next character: in
// "\\|" the pipe would end the cell, and the rest of the span would be
// read as HTML. A string with a backslash before a pipe is therefore
// written as escaped text instead, which shows it exactly.
func mdFence(s string) string {
	if strings.Contains(s, `\|`) {
		return mdTextEscaper.Replace(s)
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
