package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// htmlDiff is the content of the comparison page.
type htmlDiff struct {
	Old, New  analyzer.ImageInfo
	Identical bool
	Rows      []htmlDiffRow
	Gate      compare.GateResult
	Layers    []compare.LayerPair
	Files     compare.Files
	// TopFiles are the largest file changes.
	TopFiles    []compare.FileChange
	Packages    []compare.PackageChange
	NewFindings []htmlFinding
	Fixed       []htmlFinding
	Unchanged   int
	Config      []compare.ConfigChange
	Note        string
}

// htmlDiffRow is a measure in both images.
type htmlDiffRow struct {
	Label string
	// Key names the field of the JSON comparison ("summary.totalBytes").
	Key          string
	Old, New     htmlStat
	Delta        string
	DeltaValue   any
	Grew, Shrank bool
}

// diffData is the JSON the comparison page's script reads.
type diffData struct {
	Kind      string   `json:"kind"`
	Map       *mapNode `json:"map"`
	Threshold int64    `json:"threshold"`
}

// WriteComparisonHTML writes the comparison as one self-contained HTML
// page: the two images' measures side by side, a treemap of the growth and
// shrinkage by directory, the aligned layers, and the file, package,
// finding and configuration changes.
func WriteComparisonHTML(w io.Writer, r *compare.Result, opts HTMLOptions) error {
	opts.defaults()
	m := buildDiffMap(r.Files.Changes, opts.MapBudget)
	s := r.Summary
	bytesRow := func(label, key string, d compare.Delta) htmlDiffRow {
		return htmlDiffRow{
			Label: label, Key: key,
			Old:   htmlStat{Key: key + ".old", Value: d.Old, Text: termtext.Bytes(d.Old)},
			New:   htmlStat{Key: key + ".new", Value: d.New, Text: termtext.Bytes(d.New)},
			Delta: termtext.SignedBytes(d.Delta), DeltaValue: d.Delta, Grew: d.Delta > 0, Shrank: d.Delta < 0,
		}
	}
	countRow := func(label, key string, d compare.Delta) htmlDiffRow {
		return htmlDiffRow{
			Label: label, Key: key,
			Old:   htmlStat{Key: key + ".old", Value: d.Old, Text: fmt.Sprint(d.Old)},
			New:   htmlStat{Key: key + ".new", Value: d.New, Text: fmt.Sprint(d.New)},
			Delta: termtext.SignedInt(d.Delta), DeltaValue: d.Delta, Grew: d.Delta > 0, Shrank: d.Delta < 0,
		}
	}
	size := bytesRow("Image size", "summary.totalBytes", s.TotalBytes)
	size.Delta += " (" + s.Growth() + ")"
	v := &htmlDiff{
		Old: r.Old, New: r.New, Identical: r.Identical, Gate: r.Gate, Layers: r.Layers, Files: r.Files,
		Packages: r.Packages, Unchanged: r.Findings.Unchanged, Config: r.Config,
		Note: groupNote(m.Threshold, m.Grouped, countRects(m.Root)-1),
	}
	v.Rows = append(v.Rows, size)
	if s.CompressedBytes.Old > 0 || s.CompressedBytes.New > 0 {
		v.Rows = append(v.Rows, bytesRow("Compressed", "summary.compressedBytes", s.CompressedBytes))
	}
	v.Rows = append(v.Rows,
		bytesRow("Visible", "summary.visibleBytes", s.VisibleBytes),
		bytesRow("Wasted", "summary.wastedBytes", s.WastedBytes),
		htmlDiffRow{
			Label: "Efficiency", Key: "summary.efficiency",
			Old:   htmlStat{Key: "summary.efficiency.old", Value: s.Efficiency.Old, Text: termtext.Percent(s.Efficiency.Old)},
			New:   htmlStat{Key: "summary.efficiency.new", Value: s.Efficiency.New, Text: termtext.Percent(s.Efficiency.New)},
			Delta: strings.TrimSuffix(termtext.SignedPercent(s.Efficiency.Delta*100), " %") + " pt", DeltaValue: s.Efficiency.Delta,
			// Efficiency going down is the bad direction.
			Grew: s.Efficiency.Delta < 0, Shrank: s.Efficiency.Delta > 0,
		},
		bytesRow("Potential savings", "summary.potentialSavingsBytes", s.PotentialSavingsBytes),
		countRow("Files", "summary.fileCount", s.FileCount),
		countRow("Layers", "summary.layerCount", s.LayerCount),
	)
	for _, f := range s.Findings {
		if f.Old == 0 && f.New == 0 {
			continue
		}
		d := compare.Delta{Old: int64(f.Old), New: int64(f.New), Delta: int64(f.Delta)}
		row := countRow("Findings: "+f.Severity.String(), "summary.findings."+strings.ToLower(f.Severity.String()), d)
		v.Rows = append(v.Rows, row)
	}
	for i, f := range r.Findings.New {
		v.NewFindings = append(v.NewFindings, htmlFinding{Finding: f, Index: i})
	}
	for i, f := range r.Findings.Fixed {
		v.Fixed = append(v.Fixed, htmlFinding{Finding: f, Index: len(r.Findings.New) + i})
	}
	v.TopFiles = largestChanges(r.Files.Changes, opts.TopFiles)
	title := "strata diff: " + termtext.OneLine(r.Old.Reference, 0) + " → " + termtext.OneLine(r.New.Reference, 0)
	return writePage(w, htmlPage{Title: title, Tool: opts.Tool, Diff: v}, diffData{Kind: "diff", Map: m.Root, Threshold: m.Threshold})
}

// isDirState reports whether a side of a change is a directory (or
// absent).
func isDirState(s *compare.FileState) bool { return s == nil || s.Kind == "dir" }

// largestChanges returns the n file changes with the largest size change,
// largest first (path order on ties).
func largestChanges(cs []compare.FileChange, n int) []compare.FileChange {
	var out []compare.FileChange
	for _, c := range cs {
		if isDirState(c.Old) && isDirState(c.New) {
			continue
		}
		out = append(out, c)
	}
	sortChanges(out)
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// sortChanges orders file changes by the size of their change, largest
// first; the sort is stable, so equal changes stay in path order.
func sortChanges(cs []compare.FileChange) {
	slices.SortStableFunc(cs, func(a, b compare.FileChange) int {
		return cmp.Compare(abs64(b.SizeDelta), abs64(a.SizeDelta))
	})
}
