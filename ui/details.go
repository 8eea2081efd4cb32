package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// scroller is a block of pre-rendered lines with a scroll offset, shared by
// the text panes.
type scroller struct {
	offset int
}

func (s *scroller) update(msg tea.KeyPressMsg, k KeyMap, lines, height int) {
	s.offset, _ = k.listMove(msg, s.offset, height, lines)
	s.clamp(lines, height)
}

func (s *scroller) clamp(lines, height int) {
	s.offset = max(min(s.offset, lines-height), 0)
}

func (s scroller) window(lines []string, height int) []string {
	s.clamp(len(lines), height)
	return lines[s.offset:min(s.offset+height, len(lines))]
}

// Details is the layer details pane: the selected layer's digests, sizes,
// full command and what it added, modified and removed.
type Details struct {
	KeyMap KeyMap
	styles *Styles
	layers []analyzer.Layer
	layer  int
	scroll scroller
	width  int
	height int
	title  string

	focused bool
}

func newDetails(layers []analyzer.Layer, keys KeyMap, styles *Styles) Details {
	return Details{KeyMap: keys, styles: styles, layers: layers, title: "Layer Details"}
}

// SetSize sets the pane's outer size.
func (m *Details) SetSize(w, h int) { m.width, m.height = w, h }

// SetLayer shows another layer.
func (m *Details) SetLayer(i int) {
	if i != m.layer {
		m.layer, m.scroll.offset = i, 0
	}
}

// Update scrolls the text.
func (m Details) Update(msg tea.Msg) (Details, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok && m.focused {
		m.scroll.update(km, m.KeyMap, len(m.lines()), m.height-2)
	}
	return m, nil
}

func (m Details) lines() []string {
	if m.layer < 0 || m.layer >= len(m.layers) {
		return nil
	}
	l := m.layers[m.layer]
	w := m.width - 2
	lab := m.styles.Label.Render
	var out []string
	add := func(label, value string) {
		out = append(out, lab(fmt.Sprintf("%-11s", label))+cut(value, max(w-11, 1)))
	}
	add("Layer", fmt.Sprintf("%d (%d of %d)", l.Index, l.Index+1, len(m.layers)))
	add("Digest", l.Digest)
	add("DiffID", l.DiffID)
	size := termtext.Bytes(l.SizeBytes)
	if l.CompressedBytes > 0 {
		size += fmt.Sprintf(" (%s stored)", termtext.Bytes(l.CompressedBytes))
	}
	add("Size", size)
	add("Entries", fmt.Sprint(l.Entries))
	add("Added", fmt.Sprintf("%d (%s)", l.Added, termtext.Bytes(l.AddedBytes)))
	add("Modified", fmt.Sprintf("%d (%s)", l.Modified, termtext.Bytes(l.ModifiedBytes)))
	add("Removed", fmt.Sprintf("%d (%s)", l.Removed, termtext.Bytes(l.RemovedBytes)))
	add("Wasted", termtext.Bytes(l.WastedBytes)+" shadowed later")
	out = append(out, lab("Command"))
	cmd := l.CreatedBy
	if cmd == "" {
		cmd = l.Command
	}
	for _, line := range wrap(termtext.Escape(cmd), max(w, 1)) {
		out = append(out, line)
	}
	return out
}

// View draws the pane.
func (m Details) View() string {
	return m.styles.box(m.title, m.scroll.window(m.lines(), m.height-2), m.width, m.height, m.focused)
}
