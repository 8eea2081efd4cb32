package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report"
	"golang.org/x/term"
)

// outputFlags choose the report format and destination.
type outputFlags struct {
	format   string
	output   string
	severity string
	top      int
}

func (f *outputFlags) register(c *cobra.Command, formats []string) {
	formatFlag(c, &f.format, formats, "report format")
	c.Flags().StringVarP(&f.output, "output", "o", "", "write the report to this file (replaced whole) instead of stdout")
}

func newAnalyzeCmd(stdout, stderr io.Writer) *cobra.Command {
	lf, of := &loadFlags{}, &outputFlags{}
	c := &cobra.Command{
		Use:   "analyze IMAGE",
		Short: "Analyse an image and print a report (no terminal needed)",
		Example: `  strata analyze fixtures/demo/demo.tar
  strata analyze docker://myapp:latest --format json -o report.json
  strata analyze docker://myapp:latest --format html -o report.html
  strata analyze registry://registry.example.com/team/app:1.4 --platform linux/arm64`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: imageArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := commandConfig(cmd, lf.quiet, stderr)
			if err != nil {
				return err
			}
			lf.config = &cfg
			return runAnalyze(cmd.Context(), args[0], lf, of, stdout, stderr)
		},
	}
	lf.register(c)
	of.register(c, analyzeFormats)
	c.Flags().StringVar(&of.severity, "severity", "", "text report: list only the findings of this severity or above: "+orList(severityNames))
	c.Flags().IntVar(&of.top, "top", 10, "text report: how many of the largest wasted paths to list (-1: all)")
	completeValues(c, "severity", severityNames)
	return c
}

// severityNames are the finding severities, lowest first.
var severityNames = []string{"info", "low", "medium", "high", "critical"}

// textOptions validates --severity and --top and sizes the text report to
// where it goes.
func (f *outputFlags) textOptions(stdout io.Writer) (report.TextOptions, error) {
	o := report.TextOptions{TopWasted: f.top, Width: textWidth(stdout, f.output)}
	if f.top == 0 || f.top < -1 {
		return o, usageError(fmt.Errorf("--top %d: want a number of paths, or -1 for all", f.top))
	}
	if f.severity != "" {
		s, err := findings.ParseSeverity(f.severity)
		if err != nil {
			return o, usageError(fmt.Errorf("--severity: %w", err))
		}
		o.MinSeverity = s
	}
	if f.format != "text" && (f.severity != "" || f.top != 10) {
		return o, usageError(fmt.Errorf("--severity and --top shape the text report, not --format %s", f.format))
	}
	return o, nil
}

// textWidth is the width the text report fits: the terminal's when it
// goes to one, else $COLUMNS, else 80.
func textWidth(stdout io.Writer, output string) int {
	if f, ok := stdout.(*os.File); ok && (output == "" || output == "-") {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// analyzeFormats are the report formats of strata analyze, the default first.
var analyzeFormats = []string{"text", "json", "markdown", "html", "sarif", "junit"}

// runAnalyze loads the image and writes the report.
func runAnalyze(ctx context.Context, ref string, lf *loadFlags, of *outputFlags, stdout, stderr io.Writer) error {
	cfg := policy.Default()
	if lf.config != nil {
		cfg = *lf.config
	}
	topts, err := of.textOptions(stdout)
	if err != nil {
		return err
	}
	render, err := renderer(of.format, cfg, topts)
	if err != nil {
		return err
	}
	if err := checkOutputs(append(inputPaths(ref), cfg.Path), []output{{"-o", of.output}}); err != nil {
		return err
	}
	a, err := load(ctx, ref, lf, stderr)
	if err != nil {
		return err
	}
	return writeOutput(of.output, stdout, func(w io.Writer) error { return render(w, a) })
}

// renderer returns the report writer of a format. SARIF and JUnit carry the
// findings as the configuration's policy sees them.
func renderer(format string, cfg policy.Config, topts report.TextOptions) (func(io.Writer, *analyzer.Analysis) error, error) {
	switch format {
	case "text":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteText(w, a, topts)
		}, nil
	case "json":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteJSON(w, a, tool())
		}, nil
	case "markdown", "md":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteMarkdown(w, a, nil, report.MarkdownOptions{})
		}, nil
	case "html":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteHTML(w, a, nil, report.HTMLOptions{Tool: tool()})
		}, nil
	case "sarif":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteSARIF(w, a, policy.Evaluate(a, cfg, nil), tool())
		}, nil
	case "junit":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteJUnit(w, a, policy.Evaluate(a, cfg, nil))
		}, nil
	}
	return nil, usageError(fmt.Errorf("--format %q: unknown format (use %s)", format, orList(analyzeFormats)))
}
