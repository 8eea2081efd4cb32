package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report"
)

// outputFlags choose the report format and destination.
type outputFlags struct {
	format string
	output string
}

func (f *outputFlags) register(c *cobra.Command, formats string) {
	c.Flags().StringVar(&f.format, "format", "text", "report format: "+formats)
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
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAnalyze(cmd.Context(), args[0], lf, of, stdout, stderr)
		},
	}
	lf.register(c)
	of.register(c, "text, json, markdown or html")
	return c
}

// runAnalyze loads the image and writes the report.
func runAnalyze(ctx context.Context, ref string, lf *loadFlags, of *outputFlags, stdout, stderr io.Writer) error {
	render, err := renderer(of.format)
	if err != nil {
		return err
	}
	a, err := load(ctx, ref, lf, stderr)
	if err != nil {
		return err
	}
	return writeOutput(of.output, stdout, func(w io.Writer) error { return render(w, a) })
}

// renderer returns the report writer of a format.
func renderer(format string) (func(io.Writer, *analyzer.Analysis) error, error) {
	switch format {
	case "text":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteText(w, a, report.TextOptions{})
		}, nil
	case "json":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteJSON(w, a, report.Tool{Name: "strata", Version: version})
		}, nil
	case "markdown", "md":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteMarkdown(w, a, nil, report.MarkdownOptions{})
		}, nil
	case "html":
		return func(w io.Writer, a *analyzer.Analysis) error {
			return report.WriteHTML(w, a, nil, report.HTMLOptions{Tool: report.Tool{Name: "strata", Version: version}})
		}, nil
	}
	return nil, usageError(fmt.Errorf("--format %q: unknown format (use text, json, markdown or html)", format))
}
