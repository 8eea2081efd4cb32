package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/dockerfile"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// WritePolicyJSON writes the JSON report with its policy section.
func WritePolicyJSON(w io.Writer, a *analyzer.Analysis, r *policy.Result, tool Tool) error {
	d := NewDocument(a, tool)
	d.Policy = r
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// WritePolicyText writes the result of strata ci as a dive user knows it: the
// analysis, the inefficient files, the findings (failing ones with their
// fix), then each check with its outcome, threshold, value and reason, and
// the closing "PASS [pass:N fail:N skip:N]" line.
func WritePolicyText(w io.Writer, a *analyzer.Analysis, r *policy.Result, opts TextOptions) error {
	if opts.TopWasted == 0 {
		opts.TopWasted = 10
	}
	var ww *wrapWriter
	if opts.Width > 0 {
		ww = &wrapWriter{w: w, width: opts.Width}
		w = ww
	}
	ew := &errWriter{w: w}
	ew.printf("Image:  %s (%s)\n", termtext.Escape(a.Image.Reference), a.Image.Source)
	ew.printf("Policy: %s\n\n", PolicySource(r.Config))
	writePolicyAnalysis(ew, a, r)
	writeInefficient(ew, a, r, opts)
	writePolicyFindings(ew, r, opts)
	writeEvaluation(ew, r)
	if ww != nil && ew.err == nil {
		ew.err = ww.Close()
	}
	return ew.err
}

// PolicySource says in words which configuration was evaluated.
func PolicySource(c policy.ConfigInfo) string {
	switch c.Format {
	case policy.FormatDive:
		return fmt.Sprintf("%s (dive's rules, evaluated on the dive-compatible metrics)", c.Path)
	case policy.FormatStrata:
		if c.Metrics == policy.MetricsDive {
			return c.Path + " (on the dive-compatible metrics)"
		}
		return c.Path
	}
	return "built-in defaults (no .strata.yaml, strata config or .dive-ci found)"
}

func writePolicyAnalysis(w *errWriter, a *analyzer.Analysis, r *policy.Result) {
	s := a.Summary
	eff, wasted, user := s.Efficiency, s.WastedBytes, s.UserWastedPercent
	if r.Config.Metrics == policy.MetricsDive {
		eff, wasted, user = s.Dive.Efficiency, s.Dive.WastedBytes, s.Dive.UserWastedPercent
	}
	w.printf("Analysis:\n")
	w.printf("  efficiency:        %s\n", termtext.Percent(eff))
	w.printf("  wastedBytes:       %d bytes (%s)\n", wasted, termtext.Bytes(wasted))
	w.printf("  userWastedPercent: %s\n", termtext.Percent(user))
	w.printf("  imageBytes:        %d bytes (%s)\n", s.TotalBytes, termtext.Bytes(s.TotalBytes))
	w.printf("  layers:            %d\n", s.LayerCount)
	if r.Config.Metrics == policy.MetricsDive {
		w.printf("  (strata's own:     efficiency %s, wasted %s, user wasted %s)\n",
			termtext.Percent(s.Efficiency), termtext.Bytes(s.WastedBytes), termtext.Percent(s.UserWastedPercent))
	} else {
		w.printf("  (dive-compatible:  efficiency %s, wasted %s, user wasted %s)\n",
			termtext.Percent(s.Dive.Efficiency), termtext.Bytes(s.Dive.WastedBytes), termtext.Percent(s.Dive.UserWastedPercent))
	}
	w.printf("\n")
}

// writeInefficient lists the most wasteful paths: dive's list on its
// metrics, strata's wasted paths otherwise.
func writeInefficient(w *errWriter, a *analyzer.Analysis, r *policy.Result, opts TextOptions) {
	type row struct {
		count int
		bytes int64
		path  string
	}
	var rows []row
	if r.Config.Metrics == policy.MetricsDive {
		for _, d := range a.DiveInefficiencies {
			rows = append(rows, row{d.Count, d.Bytes, d.Path})
		}
	} else {
		for _, p := range a.Wasted {
			rows = append(rows, row{len(p.Occurrences), p.Bytes, p.Path})
		}
	}
	if len(rows) == 0 {
		w.printf("Inefficient Files: none\n\n")
		return
	}
	w.printf("Inefficient Files:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  Count\tWasted Space\tFile Path\n")
	for i, rw := range rows {
		if i == opts.TopWasted {
			fmt.Fprintf(tw, "  ...\t\t(%d more)\n", len(rows)-i)
			break
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\n", rw.count, termtext.Bytes(rw.bytes), termtext.Escape(rw.path))
	}
	if err := tw.Flush(); err != nil {
		w.err = err
	}
	w.printf("\n")
}

// writePolicyFindings lists the failing findings in full, with their fix,
// then the others one line each.
func writePolicyFindings(w *errWriter, r *policy.Result, opts TextOptions) {
	if len(r.Findings) == 0 {
		w.printf("Findings: none")
		if r.Suppressed > 0 {
			w.printf(" (%d suppressed by the policy)", r.Suppressed)
		}
		w.printf("\n\n")
		return
	}
	failing := r.Failing()
	w.printf("Findings: %d, %d failing", len(r.Findings), len(failing))
	if r.Baseline != nil {
		w.printf(", %d known from the baseline", r.Baseline.Known)
	}
	if r.Suppressed > 0 {
		w.printf(", %d suppressed by the policy", r.Suppressed)
	}
	w.printf("\n")
	for _, f := range failing {
		w.printf("  FAIL  %-8s  %s  %s\n", f.Severity, f.Rule, termtext.Escape(f.Title))
		w.printf("        %s\n", FindingWhere(f.Finding, opts.fitted(30, 20)))
		if paths := FindingPaths(f.Finding, 3); paths != "" {
			w.printf("        paths: %s\n", paths)
		}
		if f.Evidence != "" {
			w.printf("        evidence: %s\n", termtext.Escape(f.Evidence))
		}
		if f.Hint != "" {
			w.printf("        fix: %s\n", termtext.Escape(f.Hint))
		}
	}
	const maxOthers = 20
	n := 0
	for _, f := range r.Findings {
		if f.Failing {
			continue
		}
		if n == maxOthers {
			w.printf("  ... and %d more (see --format json)\n", len(r.Findings)-len(failing)-n)
			break
		}
		n++
		state := "note"
		if !f.New {
			state = "known"
		}
		w.printf("  %-5s %-8s  %s  %s (%s)\n", state, f.Severity, f.Rule, termtext.Escape(f.Title), FindingWhere(f.Finding, opts.fitted(30, 20)/2))
	}
	w.printf("\n")
}

// FindingWhere says which layer and instruction caused a finding.
func FindingWhere(f findings.Finding, width int) string {
	line := ""
	if d := f.Dockerfile; d != nil {
		line = DockerfileLine(d) + ", "
	}
	if f.Layer < 0 {
		return line + "image configuration"
	}
	if f.Instruction == "" {
		return line + "layer " + strconv.Itoa(f.Layer)
	}
	return fmt.Sprintf("%slayer %d: %s", line, f.Layer, termtext.OneLine(f.Instruction, width))
}

// DockerfileLine names a Dockerfile line the way compilers do
// ("Dockerfile:7", "Dockerfile:7-9" for an instruction over several lines).
func DockerfileLine(d *dockerfile.Location) string { return termtext.Escape(d.String()) }

// FindingPaths lists up to n of a finding's paths, with the count of the rest.
func FindingPaths(f findings.Finding, n int) string {
	if len(f.Paths) == 0 {
		return ""
	}
	var ps []string
	for i, p := range f.Paths {
		if i == n {
			break
		}
		ps = append(ps, termtext.Escape(p))
	}
	s := strings.Join(ps, ", ")
	if rest := max(f.PathCount, len(f.Paths)) - len(ps); rest > 0 {
		s += fmt.Sprintf(" and %d more", rest)
	}
	return s
}

// writeEvaluation writes each check and the closing summary line. For a
// .dive-ci, dive's rules come first, sorted by name, as dive prints them.
func writeEvaluation(w *errWriter, r *policy.Result) {
	checks := slices.Clone(r.Checks)
	if r.Config.Format == policy.FormatDive {
		slices.SortStableFunc(checks, func(a, b policy.Check) int {
			if (a.DiveName == "") != (b.DiveName == "") {
				if a.DiveName != "" {
					return -1
				}
				return 1
			}
			return strings.Compare(a.DiveName, b.DiveName)
		})
	}
	w.printf("Evaluation:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  RESULT\tCHECK\tTHRESHOLD\tVALUE\tREASON\n")
	for _, c := range checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.Status, c.DisplayName(r.Config.Format),
			CheckThreshold(c), CheckValue(c), c.Reason)
	}
	if err := tw.Flush(); err != nil {
		w.err = err
	}
	w.printf("\n%s [pass:%d fail:%d skip:%d]\n", r.Status, r.Counts.Pass, r.Counts.Fail, r.Counts.Skip)
}

// CheckThreshold formats a check's threshold for people ("0.9", "20 MB",
// "high", "disabled").
func CheckThreshold(c policy.Check) string {
	if c.Threshold == nil {
		return "disabled"
	}
	return formatCheckValue(c.Name, c.Threshold)
}

// CheckValue formats a check's measured value for people.
func CheckValue(c policy.Check) string {
	if c.Name == policy.KeyFailOn {
		return fmt.Sprintf("%v failing", c.Value)
	}
	return formatCheckValue(c.Name, c.Value)
}

func formatCheckValue(name string, v any) string {
	switch x := v.(type) {
	case float64:
		if name == policy.KeyLowestEfficiency || name == policy.KeyHighestUserWastedPercent {
			s := strconv.FormatFloat(x, 'f', -1, 64)
			if len(s) > 6 {
				s = strconv.FormatFloat(x, 'f', 4, 64)
			}
			return s
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return termtext.Bytes(x)
	}
	return fmt.Sprint(v)
}
