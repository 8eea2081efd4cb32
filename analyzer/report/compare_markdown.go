package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// WriteComparisonMarkdown writes the comparison as GitHub-flavoured Markdown fit for
// a pull-request comment: the verdict of the gate, the deltas in one table,
// then the layers, files, packages, findings and configuration, the long
// lists folded in <details>.
func WriteComparisonMarkdown(w io.Writer, r *compare.Result, opts ComparisonOptions) error {
	opts.defaults()
	ew := &errWriter{w: w}
	icon := ""
	if len(r.Gate.Checks) > 0 {
		icon = "✅ "
		if !r.Gate.Passed {
			icon = "❌ "
		}
	}
	ew.printf("## %sstrata diff: %s → %s\n\n", icon, mdCode(r.Old.Reference), mdCode(r.New.Reference))
	ew.printf("%s · %s\n\n", mdComparisonImage("OLD", r.Old), mdComparisonImage("NEW", r.New))
	if r.Identical {
		ew.printf("**The images are identical**: every layer is shared and nothing differs.\n")
		writeComparisonMarkdownGate(ew, r)
		return ew.err
	}
	s := r.Summary
	ew.printf("| | OLD | NEW | change |\n|---|---:|---:|---:|\n")
	ew.printf("| Image size | %s | %s | **%s** (%s) |\n", termtext.Bytes(s.TotalBytes.Old), termtext.Bytes(s.TotalBytes.New),
		termtext.SignedBytes(s.TotalBytes.Delta), s.Growth())
	if s.CompressedBytes.Old > 0 || s.CompressedBytes.New > 0 {
		ew.printf("| Compressed | %s | %s | %s |\n", termtext.Bytes(s.CompressedBytes.Old), termtext.Bytes(s.CompressedBytes.New), termtext.SignedBytes(s.CompressedBytes.Delta))
	}
	ew.printf("| Wasted | %s | %s | %s |\n", termtext.Bytes(s.WastedBytes.Old), termtext.Bytes(s.WastedBytes.New), termtext.SignedBytes(s.WastedBytes.Delta))
	ew.printf("| Efficiency | %s | %s | %s pt |\n", termtext.Percent(s.Efficiency.Old), termtext.Percent(s.Efficiency.New),
		strings.TrimSuffix(termtext.SignedPercent(s.Efficiency.Delta*100), " %"))
	ew.printf("| Files | %d | %d | %s |\n", s.FileCount.Old, s.FileCount.New, termtext.SignedInt(s.FileCount.Delta))
	ew.printf("| Layers | %d | %d | %s (%d shared) |\n", s.LayerCount.Old, s.LayerCount.New, termtext.SignedInt(s.LayerCount.Delta), s.SharedLayers)
	for _, f := range s.Findings {
		if f.Old > 0 || f.New > 0 {
			ew.printf("| Findings: %s | %d | %d | %s |\n", f.Severity, f.Old, f.New, termtext.SignedInt(int64(f.Delta)))
		}
	}
	ew.printf("\n")
	writeComparisonMarkdownGate(ew, r)
	writeComparisonMarkdownFindings(ew, r)
	writeComparisonMarkdownFiles(ew, r, opts)
	writeComparisonMarkdownPackages(ew, r)
	writeComparisonMarkdownConfig(ew, r)
	writeComparisonMarkdownLayers(ew, r, opts)
	return ew.err
}

func mdComparisonImage(label string, i analyzer.ImageInfo) string {
	s := label
	if i.Source != "" {
		s += " " + i.Source
	}
	if i.Digest != "" {
		s += " " + mdCode(shortID(i.Digest))
	}
	return s
}

func writeComparisonMarkdownGate(w *errWriter, r *compare.Result) {
	if len(r.Gate.Checks) == 0 {
		return
	}
	w.printf("| check | budget | value | |\n|---|---|---|---|\n")
	for _, c := range r.Gate.Checks {
		mark := "✅ pass"
		if !c.Passed {
			mark = "❌ fail"
		}
		w.printf("| %s | %s | %s | %s |\n", c.Name, mdText(c.Threshold), mdText(c.Value), mark)
	}
	w.printf("\n")
}

func writeComparisonMarkdownFindings(w *errWriter, r *compare.Result) {
	fc := r.Findings
	if len(fc.New)+len(fc.Fixed) == 0 {
		return
	}
	w.printf("### Findings: %d new, %d fixed\n\n| | severity | rule | where | bytes |\n|---|---|---|---|---:|\n", len(fc.New), len(fc.Fixed))
	for _, f := range fc.New {
		w.printf("| 🆕 new | %s | `%s` %s | %s | %s |\n", f.Severity, f.Rule, mdText(f.Title), mdText(FindingWhere(f, 60)), termtext.Bytes(f.Bytes))
	}
	for _, f := range fc.Fixed {
		w.printf("| ✔ fixed | %s | `%s` %s | %s | %s |\n", f.Severity, f.Rule, mdText(f.Title), mdText(FindingWhere(f, 60)), termtext.Bytes(f.Bytes))
	}
	w.printf("\n")
}

func writeComparisonMarkdownFiles(w *errWriter, r *compare.Result, opts ComparisonOptions) {
	f := r.Files
	w.printf("### Files: %s; net %s\n\n", f.Counts, termtext.SignedBytes(f.SizeDelta))
	if f.Ignored.Count > 0 {
		w.printf("%d changes in ignored paths (%s) are not shown.\n\n", f.Ignored.Count, termtext.SignedBytes(f.Ignored.SizeDelta))
	}
	if f.Counts.Total() == 0 {
		return
	}
	dirs := f.Dirs
	if opts.TopDirs > 0 && len(dirs) > opts.TopDirs {
		dirs = dirs[:opts.TopDirs]
	}
	if len(dirs) > 0 {
		w.printf("| directory | OLD | NEW | change | files |\n|---|---:|---:|---:|---|\n")
		for _, d := range dirs {
			w.printf("| %s | %s | %s | %s | %s |\n", mdCode(d.Path+"/"), termtext.Bytes(d.OldBytes), termtext.Bytes(d.NewBytes),
				termtext.SignedBytes(d.SizeDelta), mdText(d.FileCounts.String()))
		}
		w.printf("\n")
	}
	top := f.LargestChanges(max(opts.TopFiles, 0))
	if len(top) == 0 {
		return
	}
	w.printf("<details><summary>Largest file changes (%d of %d)</summary>\n\n| | path | change | detail |\n|---|---|---:|---|\n",
		len(top), len(f.LargestChanges(0)))
	for _, c := range top {
		w.printf("| %s | %s | %s | %s |\n", c.Change, mdCode(c.Path), termtext.SignedBytes(c.SizeDelta), mdText(c.Detail()))
	}
	w.printf("\n</details>\n\n")
}

func writeComparisonMarkdownPackages(w *errWriter, r *compare.Result) {
	if len(r.Packages) == 0 {
		return
	}
	w.printf("### Packages: %s\n\n| | package | version | manager |\n|---|---|---|---|\n", compare.PackageCounts(r.Packages))
	for _, p := range r.Packages {
		w.printf("| %s %s | %s | %s | %s |\n", compare.PackageMark(p.Change), p.Change, mdCode(p.Name), mdText(p.Versions()), p.Manager)
	}
	w.printf("\n")
}

func writeComparisonMarkdownConfig(w *errWriter, r *compare.Result) {
	if len(r.Config) == 0 {
		return
	}
	w.printf("### Configuration: %d changes\n\n| setting | OLD | NEW |\n|---|---|---|\n", len(r.Config))
	for _, c := range r.Config {
		note := ""
		if c.Masked {
			note = " (secret value changed; masked)"
		}
		w.printf("| %s | %s | %s%s |\n", mdText(c.Name()), mdCode(c.Old), mdCode(c.New), note)
	}
	w.printf("\n")
}

func writeComparisonMarkdownLayers(w *errWriter, r *compare.Result, opts ComparisonOptions) {
	writeMermaidPairs(w, r.Layers)
	w.printf("<details><summary>Layers: %d shared, %d changed, %d only in OLD, %d only in NEW</summary>\n\n",
		countPairs(r, compare.Shared), countPairs(r, compare.Changed), countPairs(r, compare.OnlyOld), countPairs(r, compare.OnlyNew))
	w.printf("| | OLD | NEW | change |\n|---|---|---|---:|\n")
	cell := func(l *compare.LayerRef) string {
		if l == nil {
			return ""
		}
		return fmt.Sprintf("%d %s %s", l.Index, mdCode(termtext.OneLine(l.Command, opts.Width+20)), termtext.Bytes(l.SizeBytes))
	}
	for _, p := range r.Layers {
		w.printf("| %s | %s | %s | %s |\n", p.Status, cell(p.Old), cell(p.New), termtext.SignedBytes(p.SizeDelta))
	}
	w.printf("\n</details>\n")
}

func countPairs(r *compare.Result, s compare.PairStatus) int {
	n := 0
	for _, p := range r.Layers {
		if p.Status == s {
			n++
		}
	}
	return n
}
