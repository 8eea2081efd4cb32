package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/bug"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/ui/browse"
	"github.com/stratascan/strata/ui/common"
	"golang.org/x/term"
)

// browseFlags are the flags of the interactive browser.
type browseFlags struct {
	noColor bool
}

// runBrowse opens the interactive browser on a terminal. Without one, or
// when CI is set (as dive does), it prints the text report instead and says
// why on stderr.
func runBrowse(ctx context.Context, ref string, lf *loadFlags, bf *browseFlags, stdout, stderr io.Writer) error {
	if reason := noBrowserReason(stdout); reason != "" {
		fmt.Fprintf(stderr, "strata: %s: printing the text report instead of opening the browser\n", reason)
		return runAnalyze(ctx, ref, lf, &outputFlags{format: "text", top: 10}, stdout, stderr)
	}
	var notes []string
	var notesMu sync.Mutex
	opts, err := lf.options(io.Discard)
	if err != nil {
		return err
	}
	if lf.config != nil && lf.dockerfile.config.Path == "" {
		lf.dockerfile.config = lf.config.Dockerfile
	}
	df, err := lf.dockerfile.parse()
	if err != nil {
		return err
	}
	if !lf.quiet {
		opts.Notify = func(msg string) { notesMu.Lock(); notes = append(notes, msg); notesMu.Unlock() }
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	uopts := []browse.Option{browse.WithCancel(cancel), browse.WithContext(ctx)}
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithOutput(stdout)}
	if bf.noColor || os.Getenv("NO_COLOR") != "" {
		// No colour, but bold, reverse and underline still mark the
		// selection.
		uopts = append(uopts, browse.WithStyles(common.PlainStyles()))
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	m := browse.New(ref, uopts...)
	p := tea.NewProgram(m, popts...)

	var img *source.Image
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		defer func() {
			if r := recover(); r != nil {
				p.Send(browse.LoadedMsg{Err: bug.From(r)})
			}
		}()
		aopts := []analyzer.Option{analyzer.WithBaseLayers(lf.baseLayers), analyzer.WithVerify(lf.verify), analyzer.WithDockerfile(df),
			analyzer.WithProgress(func(pr analyzer.Progress) { p.Send(browse.ProgressMsg(pr)) }),
			// Browse the tree while the duplicates, dive's metrics and the
			// rules finish.
			analyzer.WithTree(func(a *analyzer.Analysis, img *source.Image) {
				p.Send(browse.TreeMsg{Analysis: a, Image: img.Image})
			})}
		aopts = append(aopts, configOptions(lf.config)...)
		// A daemon's image is analysed as it is saved, and spooled for the
		// previews and extraction.
		a, opened, err := openAnalyze(ctx, ref, opts, true, aopts...)
		if err != nil {
			p.Send(browse.LoadedMsg{Err: inputError(ref, err)})
			return
		}
		img = opened
		p.Send(browse.LoadedMsg{Analysis: a, Image: img.Image})
	}()

	final, runErr := p.Run()
	cancel()
	<-loaded // the analysis has stopped: the image can be closed
	if img != nil {
		if err := img.Close(); err != nil && runErr == nil {
			runErr = fmt.Errorf("removing temporary files: %w", err)
		}
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "strata: %s\n", n)
	}
	if fm, ok := final.(browse.Model); ok && fm.Err() != nil {
		return fm.Err()
	}
	if errors.Is(runErr, tea.ErrProgramPanic) {
		return &bug.Error{Value: "the browser panicked (its stack is printed above)"}
	}
	if errors.Is(runErr, tea.ErrProgramKilled) || errors.Is(runErr, tea.ErrInterrupted) {
		return context.Canceled
	}
	if runErr != nil {
		return fmt.Errorf("running the browser: %w", runErr)
	}
	if fm, ok := final.(browse.Model); ok && fm.Cancelled() {
		return context.Canceled
	}
	return nil
}

// noBrowserReason says why the browser cannot or must not open, or "".
func noBrowserReason(stdout io.Writer) string {
	if v := strings.ToLower(os.Getenv("CI")); v == "true" || v == "1" || v == "yes" {
		return "CI is set"
	}
	if strings.ToLower(os.Getenv("DIVE_CI")) == "true" {
		return "DIVE_CI is set"
	}
	f, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "stdout is not a terminal"
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return "stdin is not a terminal"
	}
	return ""
}
