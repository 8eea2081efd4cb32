package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// ComparisonOptions tune the text and Markdown comparisons.
type ComparisonOptions struct {
	// TopFiles is how many file changes to list (default 20; -1: all).
	TopFiles int
	// TopDirs is how many directory roll-ups to list (default 10; -1: all).
	TopDirs int
	// Width is the width commands are cut to (default 40).
	Width int
}

func (o *ComparisonOptions) defaults() {
	if o.TopFiles == 0 {
		o.TopFiles = 20
	}
	if o.TopDirs == 0 {
		o.TopDirs = 10
	}
	if o.Width <= 0 {
		o.Width = 40
	}
}

// WriteComparisonText writes the comparison as plain text: the two images, the
// deltas, the aligned layers, the file, package, finding and configuration
// changes, and the gate when one was set.
func WriteComparisonText(w io.Writer, r *compare.Result, opts ComparisonOptions) error {
	opts.defaults()
	ew := &errWriter{w: w}
	ew.printf("OLD:  %s\n", comparisonImage(r.Old))
	ew.printf("NEW:  %s\n\n", comparisonImage(r.New))
	switch {
	case r.Identical:
		ew.printf("The images are identical: every layer is shared and nothing differs.\n")
		writeComparisonGate(ew, r)
		return ew.err
	case r.Files.Counts.Total() == 0 && len(r.Packages) == 0 && len(r.Config) == 0 &&
		len(r.Findings.New)+len(r.Findings.Fixed) == 0 && r.Summary.TotalBytes.Delta == 0:
		ew.printf("No differences in the final filesystems, packages, findings or configuration")
		if r.Files.Ignored.Count > 0 {
			ew.printf(" (%d changes in ignored paths)", r.Files.Ignored.Count)
		}
		ew.printf(".\n\n")
	}
	writeComparisonSummary(ew, r)
	writeComparisonLayers(ew, r, opts)
	writeComparisonFiles(ew, r, opts)
	writeComparisonPackages(ew, r)
	writeComparisonFindings(ew, r, opts)
	writeComparisonConfig(ew, r)
	writeComparisonGate(ew, r)
	return ew.err
}

// comparisonImage describes one image: reference, source, digest and platform.
func comparisonImage(i analyzer.ImageInfo) string {
	s := termtext.Escape(i.Reference)
	var meta []string
	if i.Source != "" {
		meta = append(meta, i.Source)
	}
	if i.Digest != "" {
		meta = append(meta, shortID(i.Digest))
	}
	if i.Platform != "" {
		meta = append(meta, i.Platform)
	}
	if len(meta) > 0 {
		s += " (" + strings.Join(meta, ", ") + ")"
	}
	return s
}

func writeComparisonSummary(w *errWriter, r *compare.Result) {
	s := r.Summary
	w.printf("%-20s %12s %12s   %s\n", "", "OLD", "NEW", "CHANGE")
	row := func(name string, d compare.Delta, bytes bool) {
		o, n, c := fmt.Sprint(d.Old), fmt.Sprint(d.New), termtext.SignedInt(d.Delta)
		if bytes {
			o, n, c = termtext.Bytes(d.Old), termtext.Bytes(d.New), termtext.SignedBytes(d.Delta)
		}
		w.printf("%-20s %12s %12s   %s", name, o, n, c)
	}
	row("Image size", s.TotalBytes, true)
	w.printf(" (%s)\n", s.Growth())
	if s.CompressedBytes.Old > 0 || s.CompressedBytes.New > 0 {
		row("Compressed", s.CompressedBytes, true)
		w.printf("\n")
	}
	row("Wasted", s.WastedBytes, true)
	w.printf("\n")
	w.printf("%-20s %12s %12s   %s pt\n", "Efficiency", termtext.Percent(s.Efficiency.Old), termtext.Percent(s.Efficiency.New),
		strings.TrimSuffix(termtext.SignedPercent(s.Efficiency.Delta*100), " %"))
	row("Potential savings", s.PotentialSavingsBytes, true)
	w.printf("\n")
	row("Files", s.FileCount, false)
	w.printf("\n")
	row("Layers", s.LayerCount, false)
	w.printf(" (%d shared, %s)\n", s.SharedLayers, termtext.Bytes(s.SharedBytes))
	var sev []string
	for _, f := range s.Findings {
		if f.Old > 0 || f.New > 0 {
			sev = append(sev, fmt.Sprintf("%s %d→%d", f.Severity, f.Old, f.New))
		}
	}
	if len(sev) == 0 {
		sev = append(sev, "none")
	}
	w.printf("%-20s %s\n\n", "Findings", strings.Join(sev, ", "))
}

func writeComparisonLayers(w *errWriter, r *compare.Result, opts ComparisonOptions) {
	w.printf("Layers (OLD ↔ NEW):\n")
	side := func(l *compare.LayerRef) string {
		if l == nil {
			return fmt.Sprintf("%-*s", opts.Width+16, "")
		}
		return fmt.Sprintf("%3d %-*s %10s", l.Index, opts.Width, termtext.OneLine(l.Command, opts.Width), termtext.Bytes(l.SizeBytes))
	}
	for _, p := range r.Layers {
		how := ""
		switch p.Match {
		case compare.ByHistory:
			how = fmt.Sprintf("  (by history, %.0f%% similar)", p.Similarity*100)
		case compare.ByPosition:
			how = "  (by position)"
		}
		w.printf("  %-8s %s  |  %s  %s%s\n", p.Status, side(p.Old), side(p.New), termtext.SignedBytes(p.SizeDelta), how)
	}
	w.printf("\n")
}

func writeComparisonFiles(w *errWriter, r *compare.Result, opts ComparisonOptions) {
	f := r.Files
	w.printf("Files: %s; net %s", f.Counts, termtext.SignedBytes(f.SizeDelta))
	if f.Ignored.Count > 0 {
		w.printf("; %d changes in ignored paths (%s)", f.Ignored.Count, termtext.SignedBytes(f.Ignored.SizeDelta))
	}
	w.printf("\n")
	if f.Counts.Total() == 0 {
		w.printf("\n")
		return
	}
	dirs := f.Dirs
	if opts.TopDirs > 0 && len(dirs) > opts.TopDirs {
		dirs = dirs[:opts.TopDirs]
	}
	if len(dirs) > 0 {
		w.printf("  Largest directory changes:\n")
		for _, d := range dirs {
			w.printf("    %10s  %-40s %s → %s  (%s)\n", termtext.SignedBytes(d.SizeDelta), termtext.Escape(d.Path+"/"),
				termtext.Bytes(d.OldBytes), termtext.Bytes(d.NewBytes), d.FileCounts)
		}
	}
	top := f.LargestChanges(max(opts.TopFiles, 0))
	all := len(f.LargestChanges(0))
	if len(top) > 0 {
		if len(top) < all {
			w.printf("  Largest changes (%d of %d; directories not listed):\n", len(top), all)
		} else {
			w.printf("  Changes (directories not listed):\n")
		}
		for _, c := range top {
			detail := c.Detail()
			if detail != "" {
				detail = "  " + detail
			}
			w.printf("    %s %10s  %s%s\n", compare.ChangeMark(c.Change), termtext.SignedBytes(c.SizeDelta), termtext.Escape(c.Path), detail)
		}
	}
	w.printf("\n")
}

func writeComparisonPackages(w *errWriter, r *compare.Result) {
	w.printf("Packages: %s\n", compare.PackageCounts(r.Packages))
	for _, p := range r.Packages {
		layer := ""
		if p.Layer >= 0 {
			side := "NEW"
			if p.Change == compare.PackageRemoved {
				side = "OLD"
			}
			layer = fmt.Sprintf("  (%s layer %d)", side, p.Layer)
		}
		w.printf("  %s %-10s %s %s %s%s\n", compare.PackageMark(p.Change), p.Change, termtext.Escape(p.Name),
			termtext.Escape(p.Versions()), "["+p.Manager+"]", layer)
	}
	w.printf("\n")
}

func writeComparisonFindings(w *errWriter, r *compare.Result, opts ComparisonOptions) {
	fc := r.Findings
	w.printf("Findings: %d new, %d fixed, %d unchanged\n", len(fc.New), len(fc.Fixed), fc.Unchanged)
	for _, group := range []struct {
		label string
		fs    []findings.Finding
	}{{"new", fc.New}, {"fixed", fc.Fixed}} {
		for _, f := range group.fs {
			w.printf("  %-5s %-8s %s  %s: %s\n", group.label, strings.ToUpper(f.Severity.String()), f.Rule,
				termtext.Bytes(f.Bytes), termtext.Escape(f.Title))
			w.printf("          at: %s\n", FindingWhere(f, opts.Width+20))
			if p := FindingPaths(f, 3); p != "" {
				w.printf("          paths: %s\n", p)
			}
		}
	}
	w.printf("\n")
}

func writeComparisonConfig(w *errWriter, r *compare.Result) {
	if len(r.Config) == 0 {
		w.printf("Configuration: no changes\n")
		return
	}
	w.printf("Configuration: %d changes\n", len(r.Config))
	for _, c := range r.Config {
		w.printf("  %-8s %s: %s\n", c.Change, termtext.Escape(c.Name()), c.Values())
	}
}

func writeComparisonGate(w *errWriter, r *compare.Result) {
	if len(r.Gate.Checks) == 0 {
		return
	}
	w.printf("\nGate:\n")
	for _, c := range r.Gate.Checks {
		status := "PASS"
		if !c.Passed {
			status = "FAIL"
		}
		w.printf("  %s  %s %s: %s\n", status, c.Name, c.Threshold, c.Value)
	}
	if r.Gate.Passed {
		w.printf("Result: PASS\n")
	} else {
		w.printf("Result: FAIL\n")
	}
}

// shortID abbreviates a digest for display.
func shortID(d string) string {
	if _, h, ok := strings.Cut(d, ":"); ok && len(h) > 12 {
		return h[:12]
	}
	return d
}
