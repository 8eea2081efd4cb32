package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// Summary is the image summary pane: sizes, efficiency, waste, duplicates,
// potential savings, dive's efficiency, and the largest wasted paths.
type Summary struct {
	KeyMap KeyMap
	styles *Styles
	a      *analyzer.Analysis
	scroll scroller
	width  int
	height int
	title  string

	focused bool
}

func newSummary(a *analyzer.Analysis, keys KeyMap, styles *Styles) Summary {
	return Summary{KeyMap: keys, styles: styles, a: a, title: "Image"}
}

// SetSize sets the pane's outer size.
func (m *Summary) SetSize(w, h int) { m.width, m.height = w, h }

// Update scrolls the text.
func (m Summary) Update(msg tea.Msg) (Summary, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok && m.focused {
		m.scroll.update(km, m.KeyMap, len(m.lines()), m.height-2)
	}
	return m, nil
}

func (m Summary) lines() []string {
	a := m.a
	s := a.Summary
	w := m.width - 2
	lab := m.styles.Label.Render
	var out []string
	add := func(label, value string) {
		out = append(out, lab(fmt.Sprintf("%-18s", label))+cut(value, max(w-18, 1)))
	}
	name := a.Image.Name
	if name == "" {
		name = a.Image.Reference
	}
	add("Image", termtext.Escape(name))
	if a.Image.Platform != "" {
		add("Platform", a.Image.Platform+" ("+a.Image.Source+")")
	}
	if a.Image.Digest != "" {
		add("Digest", a.Image.Digest)
	}
	add("Total size", termtext.Bytes(s.TotalBytes))
	add("Efficiency", termtext.Percent(s.Efficiency))
	add("Wasted", termtext.Bytes(s.WastedBytes))
	add("User wasted", fmt.Sprintf("%s (%s)", termtext.Bytes(s.UserWastedBytes), termtext.Percent(s.UserWastedPercent)))
	add("Duplicates", termtext.Bytes(s.DuplicateBytes))
	add("Potential savings", termtext.Bytes(s.PotentialSavingsBytes))
	add("Dive efficiency", termtext.Percent(s.Dive.Efficiency))
	add("Files", fmt.Sprintf("%d in %d layers", s.FileCount, s.LayerCount))
	if len(a.Wasted) > 0 {
		out = append(out, "", m.styles.Header.Render(cut("Wasted    Layers  Path", w)))
		for _, wp := range a.Wasted {
			var ls []string
			for _, o := range wp.Occurrences {
				ls = append(ls, fmt.Sprint(o.Layer))
			}
			out = append(out, fmt.Sprintf("%-9s %-7s %s", termtext.Bytes(wp.Bytes), cut(strings.Join(ls, ","), 7), termtext.Escape(wp.Path)))
		}
	}
	return out
}

// View draws the pane.
func (m Summary) View() string {
	return m.styles.box(m.title, m.scroll.window(m.lines(), m.height-2), m.width, m.height, m.focused)
}
