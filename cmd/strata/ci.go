package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report"
)

// ciFlags are the flags of strata ci.
type ciFlags struct {
	config        string
	format        string
	output        string
	reports       []string
	baseline      string
	writeBaseline string
	// overrides holds the policy flags by key, as given.
	overrides map[string]*string
}

// ciPolicyFlags are the policy keys that have a flag, with dive's camelCase
// spelling of its three (accepted as hidden aliases).
var ciPolicyFlags = []struct{ key, dive, usage string }{
	{policy.KeyLowestEfficiency, "lowestEfficiency", "fail when the efficiency is below this ratio (0..1, or disabled)"},
	{policy.KeyHighestWastedBytes, "highestWastedBytes", "fail when more bytes than this are wasted (e.g. 20MB, or disabled)"},
	{policy.KeyHighestUserWastedPercent, "highestUserWastedPercent", "fail when the wasted bytes relative to the user layers' bytes are above this ratio (0..1, or disabled)"},
	{policy.KeyMaxImageBytes, "", "fail when the image is larger than this (e.g. 500MB, or disabled)"},
	{policy.KeyMaxLayers, "", "fail when the image has more layers than this (or disabled)"},
	{policy.KeyFailOn, "", "fail on a finding of this severity or above: info, low, medium, high, critical, or off"},
}

// ciFormats are the report formats of strata ci, the default first.
var ciFormats = []string{"text", "json", "sarif", "junit", "markdown", "html"}

func (f *ciFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&f.config, "ci-config", "", "dive's name of --config")
	_ = fl.MarkHidden("ci-config")
	formatFlag(c, &f.format, ciFormats, "report format")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file (replaced whole) instead of stdout")
	fl.StringArrayVar(&f.reports, "report", nil, "also write a report to a file, as FORMAT=FILE (repeatable), e.g. sarif=strata.sarif")
	fl.StringVar(&f.baseline, "baseline", "", "fail only on findings (and threshold breaches) that this baseline file does not record")
	fl.StringVar(&f.writeBaseline, "write-baseline", "", "record today's findings and values in this file, then evaluate against it")
	f.overrides = map[string]*string{}
	for _, p := range ciPolicyFlags {
		v := new(string)
		f.overrides[p.key] = v
		fl.StringVar(v, p.key, "", p.usage+" (overrides the policy file)")
		if p.dive != "" {
			fl.StringVar(v, p.dive, "", "dive's name of --"+p.key)
			_ = fl.MarkHidden(p.dive)
		}
	}
}

func newCICmd(stdout, stderr io.Writer) *cobra.Command {
	lf, cf := &loadFlags{}, &ciFlags{}
	c := &cobra.Command{
		Use:   "ci IMAGE",
		Short: "Check an image against a policy and fail (exit 1) when it breaks it",
		Long: `strata ci analyses an image and evaluates a policy on it: dive's three thresholds
(lowest-efficiency, highest-wasted-bytes, highest-user-wasted-percent), max-image-bytes,
max-layers and fail-on (a finding severity). It prints each check with its threshold,
value, PASS/FAIL/SKIP and the reason, and exits 0 when all pass, 1 when one fails,
2 when the image or the configuration cannot be used.

The policy is read from --config, else ./.strata.yaml, else
$XDG_CONFIG_HOME/strata/config.yaml (~/.config/strata/config.yaml), else dive's
./.dive-ci (its thresholds then apply to the dive-compatible metrics, as in dive).
Policy flags override the file. strata IMAGE with CI=true|1|yes or DIVE_CI=true in
the environment runs this command. See docs/ci.md.`,
		Example: `  strata ci docker://myapp:latest
  strata ci myapp.tar --lowest-efficiency 0.95 --fail-on medium
  strata ci docker://myapp:latest --report sarif=strata.sarif --report junit=strata.xml \
      --report markdown="$GITHUB_STEP_SUMMARY"
  strata ci docker://myapp:latest --write-baseline .strata-baseline.json
  strata ci docker://myapp:latest --baseline .strata-baseline.json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: imageArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if v := configFlag(cmd); v != "" {
				cf.config = v
			}
			return runCI(cmd.Context(), args[0], lf, cf, cmd.Flags().Changed, stdout, stderr)
		},
	}
	lf.register(c)
	cf.register(c)
	completeValues(c, policy.KeyFailOn, []string{"info", "low", "medium", "high", "critical", "off"})
	return c
}

// ciMode reports whether the environment asks for the gate instead of the
// browser, as dive reads it: CI=true|1|yes or DIVE_CI=true.
func ciMode() bool {
	switch strings.ToLower(os.Getenv("CI")) {
	case "true", "1", "yes":
		return true
	}
	return strings.ToLower(os.Getenv("DIVE_CI")) == "true"
}

// runRootCI runs the gate for strata IMAGE in CI, with the defaults of
// strata ci (the policy file, text to stdout).
func runRootCI(ctx context.Context, ref string, lf *loadFlags, stdout, stderr io.Writer) error {
	fmt.Fprintln(stderr, "strata: CI is set: running the policy gate (strata ci)")
	return runCI(ctx, ref, lf, &ciFlags{format: "text"}, func(string) bool { return false }, stdout, stderr)
}

// ciRender writes one report of the gate.
type ciRender func(w io.Writer, a *analyzer.Analysis, r *policy.Result) error

// ciRenderer returns the writer of a report format.
func ciRenderer(format string, width int) (ciRender, bool) {
	tool := tool()
	switch format {
	case "text":
		return func(w io.Writer, a *analyzer.Analysis, r *policy.Result) error {
			return report.WritePolicyText(w, a, r, report.TextOptions{Width: width})
		}, true
	case "json":
		return func(w io.Writer, a *analyzer.Analysis, r *policy.Result) error {
			return report.WritePolicyJSON(w, a, r, tool)
		}, true
	case "sarif":
		return func(w io.Writer, a *analyzer.Analysis, r *policy.Result) error {
			return report.WriteSARIF(w, a, r, tool)
		}, true
	case "junit":
		return func(w io.Writer, a *analyzer.Analysis, r *policy.Result) error { return report.WriteJUnit(w, a, r) }, true
	case "markdown", "md":
		return func(w io.Writer, a *analyzer.Analysis, r *policy.Result) error {
			return report.WriteMarkdown(w, a, r, report.MarkdownOptions{})
		}, true
	case "html":
		return func(w io.Writer, a *analyzer.Analysis, r *policy.Result) error {
			return report.WriteHTML(w, a, r, report.HTMLOptions{Tool: tool})
		}, true
	}
	return nil, false
}

// ciOutput is one report to write: to stdout when path is "".
type ciOutput struct {
	output
	render ciRender
}

// ciOutputs validates --format, -o and --report.
func ciOutputs(cf *ciFlags, stdout io.Writer) ([]ciOutput, error) {
	render, ok := ciRenderer(cf.format, textWidth(stdout, cf.output))
	if !ok {
		return nil, usageError(fmt.Errorf("--format %q: unknown format (use %s)", cf.format, orList(ciFormats)))
	}
	outs := []ciOutput{{output: output{"-o", cf.output}, render: render}}
	for _, spec := range cf.reports {
		format, path, ok := strings.Cut(spec, "=")
		if !ok || path == "" {
			return nil, usageError(fmt.Errorf("--report %q: want FORMAT=FILE, e.g. sarif=strata.sarif", spec))
		}
		render, known := ciRenderer(format, textWidth(nil, path))
		if !known {
			return nil, usageError(fmt.Errorf("--report %q: unknown format %q (use %s)", spec, format, orList(ciFormats)))
		}
		outs = append(outs, ciOutput{output: output{"--report " + format, path}, render: render})
	}
	return outs, nil
}

// ciConfig finds and reads the policy, then applies the policy flags.
func ciConfig(cf *ciFlags, changed func(string) bool) (policy.Config, error) {
	path, format, err := policy.Locate(cf.config, policy.Env{})
	if err != nil {
		return policy.Config{}, usageError(err)
	}
	cfg, err := policy.Load(path, format)
	if err != nil {
		return policy.Config{}, usageError(err)
	}
	for _, p := range ciPolicyFlags {
		if !changed(p.key) && (p.dive == "" || !changed(p.dive)) {
			continue
		}
		if err := cfg.Set(p.key, *cf.overrides[p.key]); err != nil {
			return policy.Config{}, usageError(&policy.ConfigError{Key: p.key, Err: err})
		}
	}
	return cfg, nil
}

// runCI loads the image, evaluates the policy, writes the reports, and
// returns errPolicyFailed (exit 1) when a check failed.
func runCI(ctx context.Context, ref string, lf *loadFlags, cf *ciFlags, changed func(string) bool, stdout, stderr io.Writer) error {
	outs, err := ciOutputs(cf, stdout)
	if err != nil {
		return err
	}
	if cf.baseline != "" && cf.writeBaseline != "" {
		return usageError(errors.New("--baseline and --write-baseline: give one (--write-baseline records a new baseline and evaluates against it)"))
	}
	cfg, err := ciConfig(cf, changed)
	if err != nil {
		return err
	}
	files := make([]output, 0, len(outs)+1)
	for _, o := range outs {
		files = append(files, o.output)
	}
	if cf.writeBaseline != "" {
		files = append(files, output{"--write-baseline", cf.writeBaseline})
	}
	if err := checkOutputs(append(inputPaths(ref), cfg.Path, cf.baseline), files); err != nil {
		return err
	}
	var base *policy.Baseline
	if cf.baseline != "" {
		if base, err = policy.ReadBaseline(cf.baseline); err != nil {
			return usageError(fmt.Errorf("--baseline: %w", err))
		}
	}
	if !lf.quiet {
		fmt.Fprintf(stderr, "strata: policy: %s\n", report.PolicySource(policy.ConfigInfo{Path: cfg.Path, Format: cfg.Format, Metrics: cfg.Metrics}))
	}
	// The rule overrides apply to the analysis too, so that every report
	// (savings, the reconstructed Dockerfile) agrees with the policy.
	if lf.dockerfile.config.Path == "" {
		lf.dockerfile.config = cfg.Dockerfile
	}
	a, err := load(ctx, ref, lf, stderr, analyzer.WithRuleOptions(cfg.RuleOptions()))
	if err != nil {
		return err
	}

	if cf.writeBaseline != "" {
		base = policy.NewBaseline(policy.Evaluate(a, cfg, nil), a.Image.Reference)
		if err := writeFileOutput(output{"--write-baseline", cf.writeBaseline}, stdout, base.Write); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "strata: baseline written to %s (%d findings)\n", cf.writeBaseline, len(base.Findings))
	}
	r := policy.Evaluate(a, cfg, base)
	for _, o := range outs {
		if err := writeFileOutput(o.output, stdout, func(w io.Writer) error { return o.render(w, a, r) }); err != nil {
			return err
		}
	}
	if r.Passed {
		fmt.Fprintf(stderr, "strata: policy passed (%d checks passed, %d skipped)\n", r.Counts.Pass, r.Counts.Skip)
		return nil
	}
	var failed []string
	for _, c := range r.Checks {
		if c.Status == policy.Fail {
			failed = append(failed, c.DisplayName(r.Config.Format))
		}
	}
	fmt.Fprintf(stderr, "strata: policy failed: %s\n", strings.Join(failed, ", "))
	return errPolicyFailed
}
