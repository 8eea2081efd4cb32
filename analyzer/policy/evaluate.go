package policy

import (
	"fmt"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/glob"
)

// Status is the outcome of one check.
type Status string

// The outcomes, as dive prints them.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Check is one evaluated check: its threshold, the value measured, the
// outcome and why.
type Check struct {
	// Name is the check's key ("lowest-efficiency").
	Name string `json:"name"`
	// DiveName is dive's name of the rule ("lowestEfficiency"), for the
	// three rules dive has.
	DiveName string `json:"diveName,omitempty"`
	Status   Status `json:"status"`
	// Metric names the report field the value comes from
	// ("summary.dive.efficiency").
	Metric string `json:"metric"`
	// Threshold is the limit (a number, or a severity for fail-on); null
	// when the check is disabled.
	Threshold any `json:"threshold"`
	// Value is what was measured (for fail-on: how many findings fail).
	Value any `json:"value"`
	// Baseline is the value the baseline recorded, when one was used.
	Baseline *float64 `json:"baseline,omitempty"`
	// Reason says why the check passed, failed or was skipped.
	Reason string `json:"reason"`
	// Title is a short description of the check; Help says what it measures
	// and how to fix a failure.
	Title string `json:"title"`
	Help  string `json:"help"`

	measured bool    // a threshold check with a numeric value
	raw      float64 // that value
}

// DisplayName is the name a user of the configuration knows: dive's
// camelCase name when the policy came from a .dive-ci, else the key.
func (c Check) DisplayName(f Format) string {
	if f == FormatDive && c.DiveName != "" {
		return c.DiveName
	}
	return c.Name
}

// Finding is a finding as the policy sees it: after the rule overrides and
// the ignored paths, with its fingerprint and whether it is new and fails.
type Finding struct {
	findings.Finding
	// Fingerprint identifies the finding across rebuilds (see Fingerprint).
	Fingerprint string `json:"fingerprint"`
	// New is false when the baseline accepted the finding.
	New bool `json:"new"`
	// Failing is true when the finding makes the fail-on check fail.
	Failing bool `json:"failing"`
}

// Counts are the number of checks of each outcome.
type Counts struct {
	Pass int `json:"pass"`
	Fail int `json:"fail"`
	Skip int `json:"skip"`
}

// ConfigInfo says which configuration was evaluated.
type ConfigInfo struct {
	// Path is the file ("" for the built-in policy).
	Path    string  `json:"path,omitempty"`
	Format  Format  `json:"format"`
	Metrics Metrics `json:"metrics"`
	// FailOn is the fail-on severity ("" when off).
	FailOn string `json:"failOn,omitempty"`
	// IgnorePaths are the ignored globs.
	IgnorePaths []string `json:"ignorePaths,omitempty"`
}

// BaselineInfo says how the findings compared with a baseline.
type BaselineInfo struct {
	// Known is how many findings the baseline accepted; New how many it did not.
	Known int `json:"known"`
	New   int `json:"new"`
}

// Result is an evaluated policy.
type Result struct {
	// Passed is true when no check failed.
	Passed bool       `json:"passed"`
	Status Status     `json:"status"`
	Config ConfigInfo `json:"config"`
	Checks []Check    `json:"checks"`
	Counts Counts     `json:"counts"`
	// Findings are the image's findings left after the rule overrides and
	// the ignored paths.
	Findings []Finding `json:"findings"`
	// Suppressed counts the findings dropped by "rules: {RULE: off}" and by
	// ignore-paths.
	Suppressed int `json:"suppressed"`
	// Baseline is set when a baseline was used.
	Baseline *BaselineInfo `json:"baseline,omitempty"`
}

// Failing returns the findings that make the fail-on check fail.
func (r *Result) Failing() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Failing {
			out = append(out, f)
		}
	}
	return out
}

// Evaluate applies the policy to an analysis. With a baseline, findings it
// accepted do not fail, and a threshold the baseline already broke fails only
// when the value got worse.
func Evaluate(a *analyzer.Analysis, c Config, base *Baseline) *Result {
	r := &Result{Config: ConfigInfo{Path: c.Path, Format: c.Format, Metrics: c.Metrics, IgnorePaths: c.IgnorePaths}}
	if r.Config.Metrics == "" {
		r.Config.Metrics = MetricsStrata
	}
	if c.FailOn.Enabled {
		r.Config.FailOn = c.FailOn.Severity.String()
	}
	r.Findings, r.Suppressed = applyFindings(FindingsOf(a), c, base)
	if base != nil {
		r.Baseline = &BaselineInfo{}
		for _, f := range r.Findings {
			if f.New {
				r.Baseline.New++
			} else {
				r.Baseline.Known++
			}
		}
	}
	m := measures(a, r.Config.Metrics)
	r.Checks = []Check{
		ratioCheck(KeyLowestEfficiency, c.LowestEfficiency, m.efficiency, m.effMetric, true),
		bytesCheck(KeyHighestWastedBytes, c.HighestWastedBytes, m.wasted, m.wastedMetric),
		ratioCheck(KeyHighestUserWastedPercent, c.HighestUserWastedPercent, m.userPercent, m.userMetric, false),
		bytesCheck(KeyMaxImageBytes, c.MaxImageBytes, a.Summary.TotalBytes, "summary.totalBytes"),
		countCheck(KeyMaxLayers, c.MaxLayers, len(a.Layers), "summary.layerCount"),
		failOnCheck(c.FailOn, r),
	}
	for i := range r.Checks {
		ch := &r.Checks[i]
		ch.DiveName = DiveName(ch.Name)
		ch.Title, ch.Help = checkHelp(ch.Name)
		if base != nil && ch.measured && base.Metrics == r.Config.Metrics {
			if v, ok := base.Values[ch.Name]; ok {
				ch.Baseline = &v
				acceptKnown(ch, v)
			}
		}
		switch ch.Status {
		case Pass:
			r.Counts.Pass++
		case Fail:
			r.Counts.Fail++
		default:
			r.Counts.Skip++
		}
	}
	r.Passed = r.Counts.Fail == 0
	r.Status = Pass
	if !r.Passed {
		r.Status = Fail
	}
	return r
}

// acceptKnown turns a failed threshold check into a pass when the baseline
// already had a value at least as bad.
func acceptKnown(ch *Check, base float64) {
	if ch.Status != Fail {
		return
	}
	noWorse := ch.raw <= base
	if ch.Name == KeyLowestEfficiency {
		noWorse = ch.raw >= base
	}
	if noWorse {
		ch.Status = Pass
		ch.Reason = fmt.Sprintf("accepted by the baseline, which recorded %s: %s", formatValue(ch.Name, base), ch.Reason)
		return
	}
	ch.Reason += fmt.Sprintf("; worse than the baseline (%s)", formatValue(ch.Name, base))
}

// applyFindings applies the rule overrides, the ignored paths and the
// baseline to the analysis's findings.
func applyFindings(in []findings.Finding, c Config, base *Baseline) ([]Finding, int) {
	known := base.known()
	out := []Finding{}
	suppressed := 0
	for _, f := range in {
		fp := Fingerprint(f) // before paths are dropped, so an ignore glob changes no fingerprint
		f, keep := c.apply(f)
		if !keep {
			suppressed++
			continue
		}
		pf := Finding{Finding: f, Fingerprint: fp, New: true}
		if known[fp] > 0 {
			known[fp]--
			pf.New = false
		}
		pf.Failing = pf.New && c.FailOn.Enabled && f.Severity >= c.FailOn.Severity
		out = append(out, pf)
	}
	return out, suppressed
}

// apply applies the rule override (a rule turned off, a severity) and the
// ignored paths to one finding, as every report shows it. It returns false
// when the finding is dropped: its rule is off, or no path of it is left.
func (c Config) apply(f findings.Finding) (findings.Finding, bool) {
	if o, ok := c.Rules[f.Rule]; ok {
		if o.Off {
			return f, false
		}
		f.Severity = o.Severity
	}
	if len(c.IgnorePaths) > 0 && len(f.Paths) > 0 {
		var kept []string
		for _, p := range f.Paths {
			if !ignored(c.IgnorePaths, p) {
				kept = append(kept, p)
			}
		}
		dropped := len(f.Paths) - len(kept)
		if len(kept) == 0 && f.PathCount <= len(f.Paths) {
			return f, false
		}
		f.Paths, f.PathCount = kept, max(f.PathCount-dropped, len(kept))
	}
	return f, true
}

func ignored(globs []string, p string) bool {
	for _, g := range globs {
		if glob.MatchPath(g, p) {
			return true
		}
	}
	return false
}

// metricSet holds the values dive's three thresholds are compared with.
type metricSet struct {
	efficiency, userPercent             float64
	wasted                              int64
	effMetric, wastedMetric, userMetric string
}

func measures(a *analyzer.Analysis, m Metrics) metricSet {
	s := a.Summary
	if m == MetricsDive {
		return metricSet{
			efficiency: s.Dive.Efficiency, wasted: s.Dive.WastedBytes, userPercent: s.Dive.UserWastedPercent,
			effMetric: "summary.dive.efficiency", wastedMetric: "summary.dive.wastedBytes",
			userMetric: "summary.dive.userWastedPercent",
		}
	}
	return metricSet{
		efficiency: s.Efficiency, wasted: s.WastedBytes, userPercent: s.UserWastedPercent,
		effMetric: "summary.efficiency", wastedMetric: "summary.wastedBytes", userMetric: "summary.userWastedPercent",
	}
}

// ratioCheck compares a ratio: at least the threshold when lowest, else at
// most; equal passes (dive's strict comparisons).
func ratioCheck(name string, l Limit, v float64, metric string, lowest bool) Check {
	ch := Check{Name: name, Metric: metric, Value: v, measured: true, raw: v}
	if !l.Enabled {
		ch.Status, ch.Reason = Skip, "disabled"
		return ch
	}
	ch.Threshold = l.Value
	t := formatRatio(l.Value)
	switch {
	case lowest && l.Value > v:
		ch.Status = Fail
		ch.Reason = fmt.Sprintf("image efficiency is too low (efficiency=%.4f < threshold=%s)", v, t)
	case lowest:
		ch.Status = Pass
		ch.Reason = fmt.Sprintf("efficiency=%.4f >= threshold=%s", v, t)
	case v > l.Value:
		ch.Status = Fail
		ch.Reason = fmt.Sprintf("too many bytes wasted, relative to the user bytes added (%%-user-wasted-bytes=%.4f > threshold=%s)", v, t)
	default:
		ch.Status = Pass
		ch.Reason = fmt.Sprintf("%%-user-wasted-bytes=%.4f <= threshold=%s", v, t)
	}
	return ch
}

// bytesCheck fails when the value is over the threshold.
func bytesCheck(name string, l Limit, v int64, metric string) Check {
	ch := Check{Name: name, Metric: metric, Value: v, measured: true, raw: float64(v)}
	if !l.Enabled {
		ch.Status, ch.Reason = Skip, "disabled"
		return ch
	}
	t := int64(l.Value)
	ch.Threshold = t
	what, fail := "wasted-bytes", "too many bytes wasted"
	if name == KeyMaxImageBytes {
		what, fail = "image-bytes", "the image is too large"
	}
	if v > t {
		ch.Status = Fail
		ch.Reason = fmt.Sprintf("%s (%s=%s > threshold=%s)", fail, what, formatBytes(v), formatBytes(t))
	} else {
		ch.Status = Pass
		ch.Reason = fmt.Sprintf("%s=%s <= threshold=%s", what, formatBytes(v), formatBytes(t))
	}
	return ch
}

// countCheck fails when the count is over the threshold.
func countCheck(name string, l Limit, v int, metric string) Check {
	ch := Check{Name: name, Metric: metric, Value: v, measured: true, raw: float64(v)}
	if !l.Enabled {
		ch.Status, ch.Reason = Skip, "disabled"
		return ch
	}
	t := int(l.Value)
	ch.Threshold = t
	if v > t {
		ch.Status = Fail
		ch.Reason = fmt.Sprintf("too many layers (layers=%d > threshold=%d)", v, t)
	} else {
		ch.Status = Pass
		ch.Reason = fmt.Sprintf("layers=%d <= threshold=%d", v, t)
	}
	return ch
}

// failOnCheck fails when a new finding has the fail-on severity or above.
func failOnCheck(l SeverityLimit, r *Result) Check {
	failing := r.Failing()
	ch := Check{Name: KeyFailOn, Metric: "findings", Value: len(failing)}
	if !l.Enabled {
		ch.Status, ch.Reason = Skip, "disabled"
		if r.Config.Format == FormatDive {
			ch.Reason = "disabled (dive's .dive-ci has no findings gate)"
		}
		return ch
	}
	ch.Threshold = l.Severity.String()
	known := ""
	if r.Baseline != nil && r.Baseline.Known > 0 {
		known = fmt.Sprintf(" (%d known from the baseline)", r.Baseline.Known)
	}
	if len(failing) == 0 {
		ch.Status = Pass
		ch.Reason = fmt.Sprintf("no new finding of severity %s or above%s", l.Severity, known)
		return ch
	}
	ch.Status = Fail
	var names []string
	for i, f := range failing {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(failing)-5))
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", f.Rule, f.Severity))
	}
	noun := "findings"
	if len(failing) == 1 {
		noun = "finding"
	}
	ch.Reason = fmt.Sprintf("%d %s of severity %s or above: %s%s", len(failing), noun, l.Severity, strings.Join(names, ", "), known)
	return ch
}
