package browse

import (
	"fmt"
	"strings"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/ui/common"
)

// ProgressMsg reports how far the reading of one layer has come; send it to
// the program from the analysis' progress callback.
type ProgressMsg analyzer.Progress

// tickMsg refreshes the loading screen's clock.
type tickMsg time.Time

// loading is the screen shown while the image is read: one bar per layer
// (bytes read of its stored size), the overall progress, the layer count
// and an estimate of the time left.
type loading struct {
	styles *common.Styles
	ref    string
	start  time.Time
	now    time.Time
	read   []int64
	size   []int64
	done   []bool
	// last is the latest report: the image-wide figures and the phase.
	last    ProgressMsg
	started bool
}

func newLoading(ref string, styles *common.Styles, now time.Time) loading {
	return loading{styles: styles, ref: ref, start: now, now: now}
}

func (l *loading) update(p ProgressMsg) {
	l.last, l.started = p, true
	if p.Layers == 0 {
		return // a stream whose layers are not known yet
	}
	if l.read == nil || len(l.read) != p.Layers {
		l.read, l.size, l.done = make([]int64, p.Layers), make([]int64, p.Layers), make([]bool, p.Layers)
	}
	if p.Layer < 0 || p.Layer >= len(l.read) {
		return
	}
	l.read[p.Layer], l.size[p.Layer] = p.Read, max(p.Size, p.Read)
	l.done[p.Layer] = l.done[p.Layer] || p.Done
}

// view draws the screen in w×h cells.
func (l loading) view(w, h int) string {
	s := l.styles
	var lines []string
	verb := "reading "
	if l.last.Downloading {
		verb = "downloading "
	}
	lines = append(lines, s.TitleFocused.Render("strata")+"  "+s.Dim.Render(verb+termtext.OneLine(l.ref, max(w-20, 10))))
	lines = append(lines, "")
	done := 0
	for i := range l.read {
		if l.done[i] {
			done++
		}
	}
	elapsed := l.now.Sub(l.start)
	pr := analyzer.Progress(l.last)
	if !l.started {
		lines = append(lines, fmt.Sprintf("Opening the image… %s", elapsed.Round(time.Second)))
	} else {
		barW := max(min(w-40, 40), 10)
		frac := pr.Fraction()
		line := fmt.Sprintf("%s %3.0f%%  ", s.DrawBar(frac, barW), frac*100)
		if len(l.read) > 0 {
			line += fmt.Sprintf("layer %d of %d done  ", done, len(l.read))
		}
		line += termtext.Bytes(pr.ReadBytes)
		if pr.TotalBytes > 0 {
			line += " / " + termtext.Bytes(pr.TotalBytes)
		}
		switch pr.Phase {
		case analyzer.PhaseMerge:
			line += "  merging the layers…"
		case analyzer.PhaseRules, analyzer.PhaseDone:
			line += "  running the rules…"
		default:
			if left, ok := pr.ETA(); ok {
				line += fmt.Sprintf("  ETA %s", left.Round(time.Second))
			}
		}
		lines = append(lines, line)
		lines = append(lines, "")
		room := h - len(lines) - 3
		first := 0
		if len(l.read) > room && room > 0 {
			// Show the layers still being read first when they do not all fit.
			for first < len(l.read)-room && l.done[first] {
				first++
			}
		}
		for i := first; i < len(l.read) && i-first < max(room, 0); i++ {
			f := 0.0
			if l.size[i] > 0 {
				f = float64(l.read[i]) / float64(l.size[i])
			}
			state := ""
			if l.done[i] {
				state, f = "✓", 1
			}
			lines = append(lines, fmt.Sprintf("layer %2d %s %9s / %-9s %s", i, s.DrawBar(f, max(barW-10, 8)),
				termtext.Bytes(l.read[i]), termtext.Bytes(l.size[i]), state))
		}
	}
	lines = append(lines, "", s.Dim.Render("ctrl+c or q to cancel"))
	for i := range lines {
		lines[i] = common.Fit(lines[i], w)
	}
	return strings.Join(lines, "\n")
}
