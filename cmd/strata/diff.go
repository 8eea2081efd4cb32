package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/bug"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/ui/common"
	"github.com/stratascan/strata/ui/diffview"
)

// diffFlags are the flags of strata diff.
type diffFlags struct {
	format       string
	output       string
	ignorePaths  []string
	includeNoisy bool
	maxGrowth    []string
	failOnNew    string
	noColor      bool
	topFiles     int
}

func (f *diffFlags) register(c *cobra.Command) {
	fl := c.Flags()
	formatFlag(c, &f.format, diffFormats, "report format (setting it prints the report even on a terminal)")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file (replaced whole) instead of stdout")
	fl.StringArrayVar(&f.ignorePaths, "ignore-path", nil, "leave paths matching this glob out of the file comparison (repeatable; ** crosses directories)")
	fl.BoolVar(&f.includeNoisy, "include-noisy", false, "compare the noisy paths ignored by default (package manager logs, linker caches, *.pyc; see docs/diff.md)")
	fl.StringArrayVar(&f.maxGrowth, "max-growth", nil, "fail (exit 1) when NEW is larger than OLD by more than this: a size (10MB, 512KiB) or a percentage (5%); repeatable")
	fl.StringVar(&f.failOnNew, "fail-on-new-findings", "", "fail (exit 1) on a finding new in NEW of this severity or above: info, low, medium, high or critical")
	fl.BoolVar(&f.noColor, "no-color", false, "draw the browser without colours (as NO_COLOR does)")
	fl.IntVar(&f.topFiles, "top", 20, "how many file changes the text and Markdown reports list (-1: all)")
}

func newDiffCmd(stdout, stderr io.Writer) *cobra.Command {
	lf, df := &loadFlags{}, &diffFlags{}
	c := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Compare two versions of an image; with --max-growth or --fail-on-new-findings, gate on the difference",
		Long: `strata diff compares two images, each from any source (see strata --help):
their layers aligned (shared by diffID, then paired by history similarity, then
by position), their final filesystems (content hash, type, mode, owner, link
target), packages (dpkg, apk), findings, configuration and metrics.

On a terminal it opens a side-by-side browser. Otherwise, or with --format, -o,
a gate flag, or CI=true|1|yes or DIVE_CI=true in the environment, it prints a
report: text, json, markdown (fit for a pull-request comment), html, sarif (OLD as
the baseline: new findings are "new" results, fixed ones "absent") or junit.

Gate: --max-growth and --fail-on-new-findings exit 1 when exceeded, 0 otherwise;
2 means an image could not be loaded or an argument is wrong. Identical images
say so and exit 0. Noisy paths (package manager logs, linker caches, *.pyc) are
ignored unless --include-noisy is given. See docs/diff.md.`,
		Example: `  strata diff docker://myapp:1.3 docker://myapp:1.4
  strata diff registry://ghcr.io/me/app:main docker://app:pr-42 --format markdown -o diff.md
  strata diff old.tar new.tar --format html -o diff.html
  strata diff app-old.tar app-new.tar --max-growth 10MB --max-growth 5% --fail-on-new-findings high
  strata diff old.tar new.tar --ignore-path '/usr/share/doc/**' --format json`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: imageArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := commandConfig(cmd, lf.quiet, stderr)
			if err != nil {
				return err
			}
			lf.config = &cfg
			return runDiff(cmd.Context(), args[0], args[1], lf, df, cmd.Flags().Changed, stdout, stderr)
		},
	}
	lf.register(c)
	df.register(c)
	return c
}

// diffFormats are the report formats of strata diff, the default first.
var diffFormats = []string{"text", "json", "markdown", "html", "sarif", "junit"}

// diffRenderer returns the report writer of a format.
func diffRenderer(format string, opts report.ComparisonOptions) (func(io.Writer, *compare.Result) error, error) {
	switch format {
	case "text":
		return func(w io.Writer, r *compare.Result) error { return report.WriteComparisonText(w, r, opts) }, nil
	case "json":
		return func(w io.Writer, r *compare.Result) error {
			return report.WriteComparisonJSON(w, r, tool())
		}, nil
	case "markdown", "md":
		return func(w io.Writer, r *compare.Result) error { return report.WriteComparisonMarkdown(w, r, opts) }, nil
	case "sarif":
		return func(w io.Writer, r *compare.Result) error { return report.WriteComparisonSARIF(w, r, tool()) }, nil
	case "junit":
		return func(w io.Writer, r *compare.Result) error { return report.WriteComparisonJUnit(w, r) }, nil
	case "html":
		return func(w io.Writer, r *compare.Result) error {
			return report.WriteComparisonHTML(w, r, report.HTMLOptions{Tool: tool()})
		}, nil
	}
	return nil, usageError(fmt.Errorf("--format %q: unknown format (use %s)", format, orList(diffFormats)))
}

// diffOptions validates the comparison flags.
func diffOptions(df *diffFlags) (compare.Options, error) {
	o := compare.Options{IgnorePaths: df.ignorePaths, IncludeNoisy: df.includeNoisy}
	if err := o.Validate(); err != nil {
		return o, usageError(fmt.Errorf("--ignore-path: %w", err))
	}
	for _, s := range df.maxGrowth {
		b, err := compare.ParseBudget(s)
		if err != nil {
			return o, usageError(fmt.Errorf("--max-growth: %w", err))
		}
		o.Gate.MaxGrowth = append(o.Gate.MaxGrowth, b)
	}
	if df.failOnNew != "" {
		sev, err := findings.ParseSeverity(df.failOnNew)
		if err != nil {
			return o, usageError(fmt.Errorf("--fail-on-new-findings: %w", err))
		}
		o.Gate.FailOnNew = &sev
	}
	return o, nil
}

// runDiff loads both images concurrently, compares them, and opens the
// browser or writes the report; it returns errPolicyFailed (exit 1) when
// the gate fails.
func runDiff(ctx context.Context, oldRef, newRef string, lf *loadFlags, df *diffFlags, changed func(string) bool, stdout, stderr io.Writer) error {
	opts, err := diffOptions(df)
	if err != nil {
		return err
	}
	render, err := diffRenderer(df.format, report.ComparisonOptions{TopFiles: df.topFiles})
	if err != nil {
		return err
	}
	inputs := append(inputPaths(oldRef), inputPaths(newRef)...)
	if lf.config != nil {
		inputs = append(inputs, lf.config.Path)
		opts.IgnorePaths = append(opts.IgnorePaths, lf.config.IgnorePaths...)
	}
	if err := checkOutputs(inputs, []output{{"-o", df.output}}); err != nil {
		return err
	}
	gate := len(opts.Gate.MaxGrowth) > 0 || opts.Gate.FailOnNew != nil
	browse := !changed("format") && df.output == "" && !gate
	if browse {
		if reason := noBrowserReason(stdout); reason != "" {
			browse = false
			if !lf.quiet {
				fmt.Fprintf(stderr, "strata: %s: printing the text report instead of opening the browser\n", reason)
			}
		}
	}
	old, new, err := loadPair(ctx, oldRef, newRef, lf, stderr)
	if err != nil {
		return err
	}
	r, err := compare.Compare(old, new, opts)
	if err != nil {
		return usageError(err)
	}
	if browse {
		return runDiffBrowser(ctx, r, df, stdout)
	}
	if err := writeOutput(df.output, stdout, func(w io.Writer) error { return render(w, r) }); err != nil {
		return err
	}
	if r.Identical && !lf.quiet {
		fmt.Fprintln(stderr, "strata: the images are identical")
	}
	if !gate {
		return nil
	}
	if r.Gate.Passed {
		if !lf.quiet {
			fmt.Fprintf(stderr, "strata: diff gate passed (%d checks)\n", len(r.Gate.Checks))
		}
		return nil
	}
	var failed []string
	for _, c := range r.Gate.Checks {
		if !c.Passed {
			failed = append(failed, c.Name+" "+c.Threshold+" ("+c.Value+")")
		}
	}
	fmt.Fprintf(stderr, "strata: diff gate failed: %s\n", strings.Join(failed, "; "))
	return errPolicyFailed
}

// loadPair opens and analyses both images at once. The first failure
// cancels the other load; it is an input error (exit 2) naming its image.
func loadPair(ctx context.Context, oldRef, newRef string, lf *loadFlags, stderr io.Writer) (*analyzer.Analysis, *analyzer.Analysis, error) {
	opts, err := lf.options(stderr)
	if err != nil {
		return nil, nil, err
	}
	// The Dockerfile is the new image's.
	if lf.config != nil && lf.dockerfile.config.Path == "" {
		lf.dockerfile.config = lf.config.Dockerfile
	}
	df, err := lf.dockerfile.parse()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	refs := [2]string{oldRef, newRef}
	cache := analyzer.NewLayerCache() // layers both images share are read once
	var out [2]*analyzer.Analysis
	var errs [2]error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = func() (err error) {
				defer bug.Catch(&err)
				var extra []analyzer.Option
				if i == 1 {
					extra = append(extra, analyzer.WithDockerfile(df))
				}
				out[i], err = loadOne(ctx, ref, [2]string{"OLD", "NEW"}[i], opts, lf, cache, stderr, &mu, extra...)
				return err
			}()
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	// Report the failure that caused the other's cancellation.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return out[0], out[1], nil
}

// loadOne opens and analyses one image, printing a line when it starts and
// one when it is done (a progress bar per image would clash on one terminal).
func loadOne(ctx context.Context, ref, label string, opts source.Options, lf *loadFlags, cache *analyzer.LayerCache, stderr io.Writer, mu *sync.Mutex, extra ...analyzer.Option) (*analyzer.Analysis, error) {
	say := func(format string, args ...any) {
		if lf.quiet {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "strata: "+format+"\n", args...)
	}
	start := time.Now()
	say("loading %s %s", label, termtext.Escape(ref))
	aopts := append([]analyzer.Option{analyzer.WithBaseLayers(lf.baseLayers), analyzer.WithVerify(lf.verify),
		analyzer.WithLayerCache(cache)}, configOptions(lf.config)...)
	aopts = append(aopts, extra...)
	a, img, err := openAnalyze(ctx, ref, opts, false, aopts...)
	if err != nil {
		return nil, inputError(ref, err)
	}
	defer img.Close()
	if err := img.Close(); err != nil {
		return nil, fmt.Errorf("%s: removing temporary files: %w", ref, err)
	}
	say("analysed %s: %d layers, %d entries, %s in %s", label, len(a.Layers), a.Tree.EntryCount(),
		termtext.Bytes(a.Summary.TotalBytes), time.Since(start).Round(time.Millisecond))
	return a, nil
}

// runDiffBrowser shows the comparison in the side-by-side browser.
func runDiffBrowser(ctx context.Context, r *compare.Result, df *diffFlags, stdout io.Writer) error {
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithOutput(stdout)}
	var dopts []diffview.Option
	if df.noColor || os.Getenv("NO_COLOR") != "" {
		// No colour, but bold, reverse and underline still mark the
		// selection.
		dopts = append(dopts, diffview.WithStyles(common.PlainStyles()))
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(diffview.New(r, dopts...), popts...)
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, tea.ErrInterrupted) {
		return context.Canceled
	}
	if err != nil {
		return fmt.Errorf("running the browser: %w", err)
	}
	return nil
}
