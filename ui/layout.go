package ui

import (
	tea "charm.land/bubbletea/v2"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
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
// history pane is dropped below 18 rows; nothing else changes down to 60×20.
func (m *Model) layout() {
	if m.state != stateBrowsing || m.width == 0 {
		return
	}
	w, h := m.width, m.bodyHeight()
	lw := min(max(w*2/5, 26), 64)
	if w < 66 {
		lw = w * 2 / 5
	}
	rw := w - lw
	lh := min(len(m.a.Layers)+2, h*2/5)
	lh = max(lh, min(5, h/2))
	ih := h - lh
	hh := 0
	if h >= 18 {
		hh = min(8, max(5, h/4))
	}
	th := h - hh
	m.rects[paneLayers] = rect{0, 0, lw, lh}
	for _, p := range []pane{paneDetails, paneImage, paneFindings} {
		m.rects[p] = rect{}
	}
	m.rects[m.info] = rect{0, lh, lw, ih}
	m.rects[paneTree] = rect{lw, 0, rw, th}
	m.rects[paneHistory] = rect{lw, th, rw, hh}
	m.layers.SetSize(lw, lh)
	m.details.SetSize(lw, ih)
	m.summary.SetSize(lw, ih)
	m.findings.SetSize(lw, ih)
	m.tree.SetSize(rw, th)
	m.history.SetSize(rw, hh)
	m.help.SetWidth(w)
	m.filter.SetWidth(max(w-len(m.filter.Prompt)-2, 10))
	tabs := m.tabs()
	m.details.title, m.summary.title, m.findings.title = tabs, tabs, tabs
	if m.focus == paneHistory && hh == 0 {
		m.setFocus(paneTree)
	}
}

// tabs is the info box's title: its three tabs, the shown one bracketed.
func (m *Model) tabs() string {
	names := []string{"Layer", "Image", fmt.Sprintf("Findings %d", m.findings.Len())}
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
	tabs := m.tabs()
	m.details.title, m.summary.title, m.findings.title = tabs, tabs, tabs
	var body string
	switch {
	case m.showHelp:
		body = m.helpView(m.width, m.bodyHeight())
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
			right = m.preview.view(m.styles, m.rects[paneTree].w, m.bodyHeight())
		} else {
			right = m.tree.View()
			if m.rects[paneHistory].h > 0 {
				right += "\n" + m.history.View()
			}
		}
		body = joinColumns(left, right)
	}
	var b strings.Builder
	b.WriteString(body)
	if m.filterLine() {
		b.WriteByte('\n')
		if m.filtering {
			b.WriteString(fit(m.filter.View(), m.width))
		} else {
			b.WriteString(fit(m.styles.Dim.Render("Filter: "+m.filter.Value()+"   (/ to edit, esc to clear)"), m.width))
		}
	}
	b.WriteByte('\n')
	b.WriteString(fit(m.footer(), m.width))
	return b.String()
}

// joinColumns puts two blocks of lines side by side.
func joinColumns(left, right string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	n := max(len(l), len(r))
	lw := 0
	if len(l) > 0 {
		lw = lipglossWidthOf(l[0])
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

// footer shows a status message, or the focused pane's keys.
func (m Model) footer() string {
	if m.status != "" {
		return m.styles.Hint.Render(m.status)
	}
	k := m.keys
	var keys []key.Binding
	switch {
	case m.preview.open:
		keys = []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Close}
	case m.showHelp:
		keys = []key.Binding{k.Help, k.Close, k.Quit}
	case m.filtering:
		keys = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")), k.Close}
	default:
		switch m.focus {
		case paneLayers:
			keys = k.layersShort()
		case paneTree:
			keys = k.treeShort()
		case paneFindings:
			keys = []key.Binding{k.Up, k.Down, k.Open, k.LeftPane, k.RightPane}
		case paneHistory:
			keys = []key.Binding{k.Up, k.Down, k.Open}
		default:
			keys = []key.Binding{k.Up, k.Down, k.LeftPane, k.RightPane}
		}
		keys = append(keys, k.globalShort()...)
	}
	return m.help.ShortHelpView(keys)
}

// helpLines lays every key out, group by group, in as many columns as fit.
func (m Model) helpLines(w, h int) []string {
	var blocks [][]string
	for _, g := range m.keys.groups() {
		lines := []string{m.styles.Header.Render(g.Title)}
		for _, b := range g.Bindings {
			hb := b.Help()
			lines = append(lines, fmt.Sprintf("  %s %s", m.styles.HelpKey.Render(fmt.Sprintf("%-12s", hb.Key)), m.styles.HelpDesc.Render(hb.Desc)))
		}
		blocks = append(blocks, append(lines, ""))
	}
	const colW = 38
	cols := max((w-2)/colW, 1)
	total := 0
	for _, bl := range blocks {
		total += len(bl)
	}
	perCol := max((total+cols-1)/cols, h-2)
	var columns [][]string
	cur := []string{}
	for _, bl := range blocks {
		if len(cur)+len(bl) > perCol && len(cur) > 0 && len(columns) < cols-1 {
			columns = append(columns, cur)
			cur = []string{}
		}
		cur = append(cur, bl...)
	}
	columns = append(columns, cur)
	var lines []string
	for i := 0; ; i++ {
		any := false
		var b strings.Builder
		for _, c := range columns {
			cell := ""
			if i < len(c) {
				cell, any = c[i], true
			}
			b.WriteString(fit(cell, colW))
		}
		if !any {
			break
		}
		lines = append(lines, b.String())
	}
	return lines
}

// helpView draws the help overlay, scrolled when it does not fit.
func (m Model) helpView(w, h int) string {
	lines := m.helpScroll.window(m.helpLines(w, h), h-2)
	return m.styles.box("Keys (? or esc to close, j/k to scroll)", lines, w, h, true)
}
