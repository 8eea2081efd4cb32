package common

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Box draws a pane: a rounded border with the title in its top edge, and the
// lines inside cut or padded to fit exactly w×h cells.
func (s *Styles) Box(title string, lines []string, w, h int, focused bool) string {
	if w < 2 || h < 2 {
		return ""
	}
	bs, ts := s.Border, s.Title
	if focused {
		bs, ts = s.BorderFocused, s.TitleFocused
	}
	inner := w - 2
	var b strings.Builder
	t := ""
	if title != "" && inner > 2 {
		t = ansi.Truncate(" "+title+" ", inner-1, "…")
	}
	b.WriteString(bs.Render("╭─"))
	b.WriteString(ts.Render(t))
	b.WriteString(bs.Render(strings.Repeat("─", max(inner-1-lipgloss.Width(t), 0)) + "╮"))
	side := bs.Render("│")
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteByte('\n')
		b.WriteString(side)
		b.WriteString(Fit(line, inner))
		b.WriteString(side)
	}
	b.WriteByte('\n')
	b.WriteString(bs.Render("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}

// Fit cuts or pads a styled line to exactly w cells.
func Fit(line string, w int) string {
	lw := lipgloss.Width(line)
	if lw > w {
		line = ansi.Truncate(line, w, "…")
		lw = lipgloss.Width(line)
	}
	if lw < w {
		line += strings.Repeat(" ", w-lw)
	}
	return line
}

// Cut shortens plain text to w cells with an ellipsis.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Wrap breaks plain text into lines of at most w cells, at spaces when it
// can and inside words when it must.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		wrapped := ansi.Wrap(para, w, " /-")
		out = append(out, strings.Split(wrapped, "\n")...)
	}
	return out
}

// barCells returns how many of w cells a fraction fills (at least one when
// the fraction is not zero).
func barCells(frac float64, w int) int {
	frac = min(max(frac, 0), 1)
	full := int(frac*float64(w) + 0.5)
	if frac > 0 && full == 0 {
		full = 1
	}
	return full
}

// BarChars draws an unstyled proportional bar of w cells.
func BarChars(frac float64, w int) string {
	full := barCells(frac, w)
	return strings.Repeat("█", full) + strings.Repeat("░", w-full)
}

// DrawBar draws a styled proportional bar of w cells.
func (s *Styles) DrawBar(frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	full := barCells(frac, w)
	return s.Bar.Render(strings.Repeat("█", full)) + s.BarEmpty.Render(strings.Repeat("░", w-full))
}

// JoinColumns puts two blocks of lines side by side, padding the left one
// where it is shorter.
func JoinColumns(left, right string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	n := max(len(l), len(r))
	lw := 0
	if len(l) > 0 {
		lw = lipgloss.Width(l[0])
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(l) {
			b.WriteString(l[i])
		} else {
			b.WriteString(strings.Repeat(" ", lw))
		}
		if i < len(r) {
			b.WriteString(r[i])
		}
	}
	return b.String()
}

// Rect is a pane's place on the screen.
type Rect struct{ X, Y, W, H int }

// Contains reports whether a cell is inside the rectangle.
func (r Rect) Contains(x, y int) bool { return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H }
