package browse

import (
	"fmt"
	"github.com/stratascan/strata/ui/common"
	"strings"
	"time"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
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
}

func newLoading(ref string, styles *common.Styles, now time.Time) loading {
	return loading{styles: styles, ref: ref, start: now, now: now}
}

func (l *loading) update(p ProgressMsg) {
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
	lines = append(lines, s.TitleFocused.Render("strata")+"  "+s.Dim.Render("reading "+termtext.OneLine(l.ref, max(w-20, 10))))
	lines = append(lines, "")
	var read, total int64
	done := 0
	for i := range l.read {
		read += l.read[i]
		total += l.size[i]
		if l.done[i] {
			done++
		}
	}
	elapsed := l.now.Sub(l.start)
	if len(l.read) == 0 {
		lines = append(lines, fmt.Sprintf("Opening the image… %s", elapsed.Round(time.Second)))
	} else {
		eta := ""
		if read > 0 && total > read && elapsed > time.Second {
			left := time.Duration(float64(elapsed) * float64(total-read) / float64(read))
			eta = fmt.Sprintf("  ETA %s", left.Round(time.Second))
		}
		barW := max(min(w-40, 40), 10)
		frac := 0.0
		if total > 0 {
			frac = float64(read) / float64(total)
		}
		lines = append(lines, fmt.Sprintf("%s %3.0f%%  layer %d of %d done  %s / %s%s",
			s.DrawBar(frac, barW), frac*100, done, len(l.read), termtext.Bytes(read), termtext.Bytes(total), eta))
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
