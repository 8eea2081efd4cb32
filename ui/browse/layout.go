package browse

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/ui/common"
)

// bodyHeight is the height left for panes above the footer lines.
func (m *Model) bodyHeight() int {
	h := m.height - 1
	if m.filterLine() {
		h--
	}
	return max(h, 6)
}

func (m *Model) filterLine() bool { return m.filtering || m.filter.Value() != "" }

// layout sizes the panes. Left: layers above the info box (layer details,
// image or findings); right: the file tree above the file history. The
// columns are sized from the width: the layers' commands get what the tree
// can spare. The
// history pane is dropped below 18 rows; nothing else changes down to 60×20.
func (m *Model) layout() {
	if m.state != stateBrowsing || m.width == 0 {
		return
	}
	w, h := m.width, m.bodyHeight()
	// The left column takes what the tree can spare beyond the room its
	// attribute columns and a name need (treeRoom), up to half the width.
	const treeRoom = 64
	lw := max(w*2/5, min(w-treeRoom, w/2))
	rw := w - lw
	lh := min(len(m.a.Layers)+2, h*2/5)
	lh = max(lh, min(5, h/2))
	ih := h - lh
	hh := 0
	if h >= 18 {
		hh = min(8, max(5, h/4))
	}
	th := h - hh
	m.rects[paneLayers] = common.Rect{X: 0, Y: 0, W: lw, H: lh}
	for _, p := range []pane{paneDetails, paneImage, paneFindings} {
		m.rects[p] = common.Rect{}
	}
	m.rects[m.info] = common.Rect{X: 0, Y: lh, W: lw, H: ih}
	m.rects[paneTree] = common.Rect{X: lw, Y: 0, W: rw, H: th}
	m.rects[paneHistory] = common.Rect{X: lw, Y: th, W: rw, H: hh}
	m.layers.SetSize(lw, lh)
	m.details.SetSize(lw, ih)
	m.summary.SetSize(lw, ih)
	m.findings.SetSize(lw, ih)
	m.tree.SetSize(rw, th)
	m.history.SetSize(rw, hh)
	m.filter.SetWidth(max(w-len(m.filter.Prompt)-2, 10))
	m.setTabs()
	if m.focus == paneHistory && hh == 0 {
		m.setFocus(paneTree)
	}
}

// setTabs titles the info box's panes with the tabs.
func (m *Model) setTabs() {
	tabs := m.tabs()
	m.details.SetTitle(tabs)
	m.summary.SetTitle(tabs)
	m.findings.SetTitle(tabs)
}

// tabs is the info box's title: its three tabs, the shown one bracketed.
func (m *Model) tabs() string {
	names := []string{"Layer", "Image", fmt.Sprintf("Findings %d", m.findings.Len())}
	if m.findings.computing {
		names[2] = "Findings …"
	}
	for i := range names {
		if pane(i)+paneDetails == m.info {
			names[i] = "[" + names[i] + "]"
		}
	}
	return strings.Join(names, " ")
}

// View draws the screen in the alternate screen, with the mouse reported.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

// render draws the screen.
func (m Model) render() string {
	if m.quitting || m.width == 0 {
		return ""
	}
	switch m.state {
	case stateLoading:
		return m.load.view(m.width, m.height)
	case stateFailed:
		return m.styles.Error.Render("strata: ") + m.err.Error()
	}
	// The info box's title follows the tab; layout() is not run on every
	// focus change, so set it here on the copy.
	m.setTabs()
	var body string
	switch {
	case m.showHelp:
		body = m.help.View(m.styles, m.width, m.bodyHeight())
	default:
		var info string
		switch m.info {
		case paneImage:
			info = m.summary.View()
		case paneFindings:
			info = m.findings.View()
		default:
			info = m.details.View()
		}
		left := m.layers.View() + "\n" + info
		var right string
		if m.preview.open {
			right = m.preview.view(m.styles, m.rects[paneTree].W, m.bodyHeight())
		} else {
			right = m.tree.View()
			if m.rects[paneHistory].H > 0 {
				right += "\n" + m.history.View()
			}
		}
		body = common.JoinColumns(left, right)
	}
	var b strings.Builder
	b.WriteString(body)
	if m.filterLine() {
		b.WriteByte('\n')
		if m.filtering {
			b.WriteString(common.Fit(m.filter.View(), m.width))
		} else {
			b.WriteString(common.Fit(m.styles.Dim.Render("Filter: "+m.filter.Value()+"   (/ to edit, esc to clear)"), m.width))
		}
	}
	b.WriteByte('\n')
	b.WriteString(common.Fit(m.footer(), m.width))
	return b.String()
}

// footer shows a status message, or the focused pane's keys, then help and
// quit, which are never cut.
func (m Model) footer() string {
	if m.status != "" {
		return m.styles.Hint.Render(m.status)
	}
	k := m.keys
	var keys []key.Binding
	always := []key.Binding{k.Help, k.Quit}
	switch {
	case m.preview.open:
		keys = []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Close}
	case m.showHelp:
		keys = []key.Binding{k.Up, k.Down, k.Close}
	case m.filtering:
		keys = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")), k.Close}
	default:
		switch m.focus {
		case paneLayers:
			keys = layersShort(k)
		case paneTree:
			keys = treeShort(k)
		case paneFindings:
			keys = []key.Binding{k.Up, k.Down, k.Open, k.DetailDown, k.LeftPane, k.RightPane}
		case paneHistory:
			keys = []key.Binding{k.Up, k.Down, k.Open}
		default:
			keys = []key.Binding{k.Up, k.Down, k.LeftPane, k.RightPane}
		}
		keys = append(keys, k.NextPane, k.Filter)
	}
	return m.footerHelp.View(keys, always, m.width)
}
