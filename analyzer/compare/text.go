package compare

import (
	"fmt"
	"io"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report"
)

// TextOptions tune the text and Markdown comparisons.
type TextOptions struct {
	// TopFiles is how many file changes to list (default 20; -1: all).
	TopFiles int
	// TopDirs is how many directory roll-ups to list (default 10; -1: all).
	TopDirs int
	// Width is the width commands are cut to (default 40).
	Width int
}

func (o *TextOptions) defaults() {
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

// WriteText writes the comparison as plain text: the two images, the
// deltas, the aligned layers, the file, package, finding and configuration
// changes, and the gate when one was set.
func WriteText(w io.Writer, r *Result, opts TextOptions) error {
	opts.defaults()
	ew := &errWriter{w: w}
	ew.printf("OLD:  %s\n", imageLine(r.Old))
	ew.printf("NEW:  %s\n\n", imageLine(r.New))
	switch {
	case r.Identical:
		ew.printf("The images are identical: every layer is shared and nothing differs.\n")
		writeTextGate(ew, r)
		return ew.err
	case r.Files.Counts.Total() == 0 && len(r.Packages) == 0 && len(r.Config) == 0 &&
		len(r.Findings.New)+len(r.Findings.Fixed) == 0 && r.Summary.TotalBytes.Delta == 0:
		ew.printf("No differences in the final filesystems, packages, findings or configuration")
		if r.Files.Ignored.Count > 0 {
			ew.printf(" (%d changes in ignored paths)", r.Files.Ignored.Count)
		}
		ew.printf(".\n\n")
	}
	writeTextSummary(ew, r)
	writeTextLayers(ew, r, opts)
	writeTextFiles(ew, r, opts)
	writeTextPackages(ew, r)
	writeTextFindings(ew, r, opts)
	writeTextConfig(ew, r)
	writeTextGate(ew, r)
	return ew.err
}

// imageLine describes one image: reference, source, digest and platform.
func imageLine(i analyzer.ImageInfo) string {
	s := report.Escape(i.Reference)
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

func writeTextSummary(w *errWriter, r *Result) {
	s := r.Summary
	w.printf("%-20s %12s %12s   %s\n", "", "OLD", "NEW", "CHANGE")
	row := func(name string, d Delta, bytes bool) {
		o, n, c := fmt.Sprint(d.Old), fmt.Sprint(d.New), SignedInt(d.Delta)
		if bytes {
			o, n, c = report.Bytes(d.Old), report.Bytes(d.New), SignedBytes(d.Delta)
		}
		w.printf("%-20s %12s %12s   %s", name, o, n, c)
	}
	row("Image size", s.TotalBytes, true)
	w.printf(" (%s)\n", SignedPercent(s.GrowthPercent))
	if s.CompressedBytes.Old > 0 || s.CompressedBytes.New > 0 {
		row("Compressed", s.CompressedBytes, true)
		w.printf("\n")
	}
	row("Wasted", s.WastedBytes, true)
	w.printf("\n")
	w.printf("%-20s %12s %12s   %s pt\n", "Efficiency", report.Percent(s.Efficiency.Old), report.Percent(s.Efficiency.New),
		strings.TrimSuffix(SignedPercent(s.Efficiency.Delta*100), " %"))
	row("Potential savings", s.PotentialSavingsBytes, true)
	w.printf("\n")
	row("Files", s.FileCount, false)
	w.printf("\n")
	row("Layers", s.LayerCount, false)
	w.printf(" (%d shared, %s)\n", s.SharedLayers, report.Bytes(s.SharedBytes))
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

func writeTextLayers(w *errWriter, r *Result, opts TextOptions) {
	w.printf("Layers (OLD ↔ NEW):\n")
	side := func(l *LayerRef) string {
		if l == nil {
			return fmt.Sprintf("%-*s", opts.Width+16, "")
		}
		return fmt.Sprintf("%3d %-*s %10s", l.Index, opts.Width, report.OneLine(l.Command, opts.Width), report.Bytes(l.SizeBytes))
	}
	for _, p := range r.Layers {
		how := ""
		switch p.Match {
		case ByHistory:
			how = fmt.Sprintf("  (by history, %.0f%% similar)", p.Similarity*100)
		case ByPosition:
			how = "  (by position)"
		}
		w.printf("  %-8s %s  |  %s  %s%s\n", p.Status, side(p.Old), side(p.New), SignedBytes(p.SizeDelta), how)
	}
	w.printf("\n")
}

func writeTextFiles(w *errWriter, r *Result, opts TextOptions) {
	f := r.Files
	w.printf("Files: %s; net %s", f.Counts, SignedBytes(f.SizeDelta))
	if f.Ignored.Count > 0 {
		w.printf("; %d changes in ignored paths (%s)", f.Ignored.Count, SignedBytes(f.Ignored.SizeDelta))
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
			w.printf("    %10s  %-40s %s → %s  (%s)\n", SignedBytes(d.SizeDelta), report.Escape(d.Path+"/"),
				report.Bytes(d.OldBytes), report.Bytes(d.NewBytes), d.FileCounts)
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
			w.printf("    %s %10s  %s%s\n", ChangeMark(c.Change), SignedBytes(c.SizeDelta), report.Escape(c.Path), detail)
		}
	}
	w.printf("\n")
}

func writeTextPackages(w *errWriter, r *Result) {
	w.printf("Packages: %s\n", PackageCounts(r.Packages))
	for _, p := range r.Packages {
		layer := ""
		if p.Layer >= 0 {
			side := "NEW"
			if p.Change == PackageRemoved {
				side = "OLD"
			}
			layer = fmt.Sprintf("  (%s layer %d)", side, p.Layer)
		}
		w.printf("  %s %-10s %s %s %s%s\n", PackageMark(p.Change), p.Change, report.Escape(p.Name),
			report.Escape(p.Versions()), "["+p.Manager+"]", layer)
	}
	w.printf("\n")
}

func writeTextFindings(w *errWriter, r *Result, opts TextOptions) {
	fc := r.Findings
	w.printf("Findings: %d new, %d fixed, %d unchanged\n", len(fc.New), len(fc.Fixed), fc.Unchanged)
	for _, group := range []struct {
		label string
		fs    []findings.Finding
	}{{"new", fc.New}, {"fixed", fc.Fixed}} {
		for _, f := range group.fs {
			w.printf("  %-5s %-8s %s  %s: %s\n", group.label, strings.ToUpper(f.Severity.String()), f.Rule,
				report.Bytes(f.Bytes), report.Escape(f.Title))
			w.printf("          at: %s\n", report.FindingWhere(f, opts.Width+20))
			if p := report.FindingPaths(f, 3); p != "" {
				w.printf("          paths: %s\n", p)
			}
		}
	}
	w.printf("\n")
}

func writeTextConfig(w *errWriter, r *Result) {
	if len(r.Config) == 0 {
		w.printf("Configuration: no changes\n")
		return
	}
	w.printf("Configuration: %d changes\n", len(r.Config))
	for _, c := range r.Config {
		w.printf("  %-8s %s: %s\n", c.Change, report.Escape(c.Name()), c.Values())
	}
}

func writeTextGate(w *errWriter, r *Result) {
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
