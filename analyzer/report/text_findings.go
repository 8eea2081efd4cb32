package report

import (
	"fmt"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// writeFindings lists the findings, highest severity first, each with its
// layer and instruction, its paths, its evidence and its fix.
func writeFindings(w *errWriter, a *analyzer.Analysis, opts TextOptions) {
	if len(a.Findings) == 0 {
		w.printf("Findings: none\n\n")
		return
	}
	w.printf("Findings (%d: %s):\n", len(a.Findings), severityCounts(a.Findings))
	below := 0
	for i, f := range a.Findings {
		if f.Severity < opts.MinSeverity {
			below++
			continue
		}
		writeFinding(w, i, f, opts)
	}
	if below > 0 {
		w.printf("  (%d below %s not shown)\n", below, opts.MinSeverity)
	}
	w.printf("\n")
}

// severityCounts says how many findings each severity has ("1 critical, 2 low").
func severityCounts(fs []findings.Finding) string {
	counts := map[findings.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	var parts []string
	for s := findings.Critical; s >= findings.Info; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

// writeFinding writes one finding as a short block.
func writeFinding(w *errWriter, i int, f findings.Finding, opts TextOptions) {
	head := fmt.Sprintf("  [%d] %-8s %s", i, strings.ToUpper(f.Severity.String()), f.Rule)
	if f.Bytes > 0 {
		head += "  " + termtext.Bytes(f.Bytes)
	}
	w.printf("%s: %s\n", head, termtext.Escape(f.Title))
	where := "image"
	switch {
	case f.Layer >= 0:
		where = fmt.Sprintf("layer %d", f.Layer)
	case f.Step >= 0:
		where = fmt.Sprintf("step %d", f.Step)
	}
	if f.Instruction != "" {
		where += ": " + termtext.OneLine(f.Instruction, opts.fitted(15+len(where)+2, 20))
	}
	if f.Dockerfile != nil {
		where = DockerfileLine(f.Dockerfile) + ", " + where
	}
	w.printf("        at:    %s\n", where)
	if len(f.Paths) > 0 {
		paths := make([]string, len(f.Paths))
		for j, p := range f.Paths {
			paths[j] = termtext.Escape(p)
		}
		more := ""
		if f.PathCount > len(f.Paths) {
			more = fmt.Sprintf(" (%d paths in all)", f.PathCount)
		}
		w.printf("        paths: %s%s\n", strings.Join(paths, ", "), more)
	}
	if f.Evidence != "" {
		w.printf("        why:   %s\n", termtext.Escape(f.Evidence))
	}
	w.printf("        fix:   %s\n", termtext.Escape(f.Hint))
	if len(f.References) > 0 {
		w.printf("        see:   %s\n", strings.Join(f.References, ", "))
	}
}

// writeDockerfile writes the reconstructed Dockerfile with, under each
// step, the findings it caused.
func writeDockerfile(w *errWriter, a *analyzer.Analysis, opts TextOptions) {
	steps := a.Dockerfile.Steps
	if len(steps) == 0 {
		return
	}
	if a.Dockerfile.Path != "" {
		w.printf("\nDockerfile (the history mapped to %s; base image steps included):\n", termtext.Escape(a.Dockerfile.Path))
		for _, warn := range a.Dockerfile.Warnings {
			w.printf("  (%s)\n", termtext.OneLine(warn, cmdWidth+40))
		}
	} else {
		w.printf("\nDockerfile (reconstructed from the history; base image steps included):\n")
	}
	if !a.Dockerfile.HistoryMatched {
		w.printf("  (the history does not match the layers: steps are matched from the newest layer down)\n")
	}
	for _, s := range steps {
		layer := "   "
		if s.Layer >= 0 {
			layer = fmt.Sprintf("%3d", s.Layer)
		}
		width := cmdWidth + 40
		if opts.Width > 0 {
			width = 0 // the line wraps
		}
		w.printf("  %s  %s\n", layer, termtext.OneLine(s.Instruction, width))
		if s.Source != nil {
			conf := ""
			if s.Confidence != "exact" {
				conf = " (" + s.Confidence + ")"
			}
			w.printf("       ← %s  %s%s\n", DockerfileLine(s.Source), termtext.OneLine(s.Source.Instruction, width), conf)
		} else if s.Reason != "" {
			w.printf("       ← no line: %s\n", termtext.OneLine(s.Reason, width))
		}
		for _, i := range s.Findings {
			f := a.Findings[i]
			if f.Severity < opts.MinSeverity {
				continue
			}
			cost := ""
			if f.Bytes > 0 {
				cost = " (" + termtext.Bytes(f.Bytes) + ")"
			}
			w.printf("         ^ [%d] %s %s%s\n", i, f.Severity, f.Rule, cost)
		}
	}
}
