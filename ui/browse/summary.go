package browse

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/ui/common"
)

// Summary is the image summary pane: sizes, efficiency, waste, duplicates,
// potential savings, dive's efficiency, and the largest wasted paths.
type Summary struct {
	keys   common.KeyMap
	styles *common.Styles
	a      *analyzer.Analysis
	scroll common.Scroller
	width  int
	height int
	title  string

	focused bool
	// pending says the duplicates, dive's figures and the wasted paths are
	// still being computed.
	pending bool
}

func newSummary(a *analyzer.Analysis, keys common.KeyMap, styles *common.Styles) Summary {
	return Summary{keys: keys, styles: styles, a: a, title: "Image"}
}

// SetSize sets the pane's outer size.
func (m *Summary) SetSize(w, h int) { m.width, m.height = w, h }

// SetFocused gives the pane the keys, or takes them away.
func (m *Summary) SetFocused(f bool) { m.focused = f }

// SetTitle sets the title in the pane's top edge.
func (m *Summary) SetTitle(t string) { m.title = t }

// Update scrolls the text by keys (when focused) and the wheel.
func (m Summary) Update(msg tea.Msg) (Summary, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.focused {
			m.scroll.Update(msg, m.keys, len(m.lines()), m.height-2)
		}
	case tea.MouseWheelMsg:
		m.scroll.Wheel(msg, len(m.lines()), m.height-2)
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
		out = append(out, lab(fmt.Sprintf("%-18s", label))+common.Cut(value, max(w-18, 1)))
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
	if m.pending {
		const computing = "computing…"
		add("Duplicates", computing)
		add("Potential savings", computing)
		add("Dive efficiency", computing)
		add("Dive wasted", computing)
	} else {
		add("Duplicates", termtext.Bytes(s.DuplicateBytes))
		add("Potential savings", termtext.Bytes(s.PotentialSavingsBytes))
		add("Dive efficiency", termtext.Percent(s.Dive.Efficiency))
		add("Dive wasted", termtext.Bytes(s.Dive.WastedBytes))
	}
	for _, l := range common.Wrap("dive counts the paths two or more layers touch, less each one's smallest copy; strata counts every byte a later layer hides or deletes.", max(w, 1)) {
		out = append(out, m.styles.Dim.Render(l))
	}
	add("Files", fmt.Sprintf("%d in %d layers", s.FileCount, s.LayerCount))
	if m.pending {
		out = append(out, "", m.styles.Dim.Render(common.Cut("Listing the wasted paths…", max(w, 1))))
	}
	if len(a.Wasted) > 0 {
		out = append(out, "", m.styles.Header.Render(common.Cut("Wasted    Layers  Path", w)))
		for _, wp := range a.Wasted {
			var ls []string
			for _, o := range wp.Occurrences {
				ls = append(ls, fmt.Sprint(o.Layer))
			}
			out = append(out, fmt.Sprintf("%-9s %-7s %s", termtext.Bytes(wp.Bytes), common.Cut(strings.Join(ls, ","), 7), termtext.Escape(wp.Path)))
		}
	}
	return out
}

// View draws the pane.
func (m Summary) View() string {
	return m.styles.Box(m.title, m.scroll.Window(m.lines(), m.height-2), m.width, m.height, m.focused)
}
