package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"golang.org/x/term"
)

// progress reports the loading of an image on stderr: on a terminal, one
// redrawn line with the bytes read against the total known from the start,
// the phase and an estimate of the time left; otherwise one plain line per
// phase, in order.
type progress struct {
	w       io.Writer
	tty     bool
	ref     string
	start   time.Time
	drawn   time.Time
	last    analyzer.Progress
	phase   analyzer.Phase
	lastLen int
}

func newProgress(w io.Writer, ref string) *progress {
	p := &progress{w: w, ref: ref, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	if !p.tty {
		fmt.Fprintf(w, "strata: loading %s\n", termtext.Escape(ref))
	}
	return p
}

// update receives one progress report (calls are serialized by the analyzer).
func (p *progress) update(u analyzer.Progress) {
	p.last = u
	if u.Phase != p.phase {
		p.phase = u.Phase
		if !p.tty {
			if line := phaseLine(u); line != "" {
				fmt.Fprintf(p.w, "strata: %s\n", line)
			}
		}
	}
	if p.tty && (u.Phase != analyzer.PhaseRead || u.Done || time.Since(p.drawn) > 100*time.Millisecond) {
		p.draw()
	}
}

// phaseLine is the line a phase starts with when there is no terminal.
func phaseLine(u analyzer.Progress) string {
	switch u.Phase {
	case analyzer.PhaseRead:
		what := "reading"
		if u.Downloading {
			what = "downloading"
		}
		if u.TotalBytes > 0 {
			what += " " + termtext.Bytes(u.TotalBytes)
		}
		if u.Layers > 0 {
			what += fmt.Sprintf(" in %d layers", u.Layers)
		}
		return what
	case analyzer.PhaseMerge:
		return fmt.Sprintf("merging %d layers", u.Layers)
	case analyzer.PhaseRules:
		return "computing the metrics and running the rules"
	}
	return ""
}

func (p *progress) draw() {
	p.drawn = time.Now()
	u := p.last
	var line string
	switch u.Phase {
	case analyzer.PhaseRead:
		const width = 30
		frac := u.Fraction()
		filled := int(float64(width) * frac)
		verb := "Reading"
		if u.Downloading {
			verb = "Downloading"
		}
		line = fmt.Sprintf("\r%s [%s%s] %3.0f%%  %s", verb, strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			frac*100, termtext.Bytes(u.ReadBytes))
		if u.TotalBytes > 0 {
			line += " / " + termtext.Bytes(u.TotalBytes)
		}
		if u.Layers > 0 {
			line += fmt.Sprintf("  %d/%d layers", u.LayersDone, u.Layers)
		}
		if left, ok := u.ETA(); ok {
			line += fmt.Sprintf("  ETA %s", left.Round(time.Second))
		}
	case analyzer.PhaseMerge:
		line = fmt.Sprintf("\rMerging %d layers…", u.Layers)
	case analyzer.PhaseRules:
		line = "\rComputing the metrics and running the rules…"
	default:
		return
	}
	pad := max(p.lastLen-len(line), 0)
	p.lastLen = len(line)
	fmt.Fprint(p.w, line+strings.Repeat(" ", pad))
}

// finish clears the bar and prints one closing line.
func (p *progress) finish(a *analyzer.Analysis, err error) {
	if p.tty && p.lastLen > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.lastLen))
	}
	if err != nil || a == nil {
		return
	}
	fmt.Fprintf(p.w, "strata: analysed %d layers, %d entries, %s in %s\n", len(a.Layers),
		a.Tree.EntryCount(), termtext.Bytes(a.Summary.TotalBytes), time.Since(p.start).Round(time.Millisecond))
}
