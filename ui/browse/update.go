package browse

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyHandler handles a key press when it applies, and says whether it did.
type keyHandler func(m *Model, msg tea.KeyPressMsg) (handled bool, cmd tea.Cmd)

// keyHandlers are tried in order; a key no handler takes goes to the
// focused pane.
var keyHandlers = []keyHandler{
	(*Model).keyInterrupt,
	(*Model).keyNotBrowsing,
	(*Model).keyPreview,
	(*Model).keyHelp,
	(*Model).keyFilter,
	(*Model).keyGlobal,
	(*Model).keyBetweenPanes,
}

// handleKey dispatches a key press.
func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	for _, h := range keyHandlers {
		if done, cmd := h(&m, msg); done {
			return m, cmd
		}
	}
	return m, m.updatePane(m.focus, msg)
}

// keyInterrupt quits on ctrl+c whatever is shown, and on q while loading.
func (m *Model) keyInterrupt(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if msg.String() == "ctrl+c" || (m.state != stateBrowsing && key.Matches(msg, m.keys.Quit)) {
		return true, m.quit()
	}
	return false, nil
}

// keyNotBrowsing swallows the other keys until the panes are shown.
func (m *Model) keyNotBrowsing(tea.KeyPressMsg) (bool, tea.Cmd) {
	return m.state != stateBrowsing, nil
}

// keyPreview scrolls and closes the preview.
func (m *Model) keyPreview(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !m.preview.open {
		return false, nil
	}
	m.preview.update(msg, m.keys, m.bodyHeight()-2)
	return true, nil
}

// keyHelp scrolls and closes the help overlay.
func (m *Model) keyHelp(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !m.showHelp {
		return false, nil
	}
	switch {
	case key.Matches(msg, m.keys.Help), key.Matches(msg, m.keys.Close):
		m.showHelp = false
	case key.Matches(msg, m.keys.Quit):
		return true, m.quit()
	default:
		m.help.Update(msg, m.keys, m.styles, m.width, m.bodyHeight())
	}
	return true, nil
}

// keyFilter edits the path filter while its line is open.
func (m *Model) keyFilter(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !m.filtering {
		return false, nil
	}
	if key.Matches(msg, m.keys.Close) || msg.Code == tea.KeyEnter {
		m.filtering = false
		m.filter.Blur()
		m.layout()
		return true, nil
	}
	before := m.filter.Value()
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if m.filter.Value() != before {
		cmd = tea.Batch(cmd, m.tree.SetFilter(m.filter.Value()))
		m.syncHistory()
	}
	return true, cmd
}

// keyGlobal handles the keys that mean the same in every pane.
func (m *Model) keyGlobal(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	k := m.keys
	m.status = ""
	switch {
	case key.Matches(msg, k.Quit):
		return true, m.quit()
	case key.Matches(msg, k.Help):
		m.showHelp = true
		m.help.Reset()
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.setFocus(paneTree)
		m.layout()
		return true, m.filter.Focus()
	case key.Matches(msg, k.Close):
		return true, m.clearFilter()
	case key.Matches(msg, k.NextPane):
		m.cycle(1)
	case key.Matches(msg, k.PrevPane):
		m.cycle(-1)
	case key.Matches(msg, k.Findings):
		if m.focus == paneTree {
			// The findings of the file under the cursor, when it has any.
			m.findings.SelectPath(m.cursorPath())
		}
		m.setFocus(paneFindings)
	default:
		return false, nil
	}
	return true, nil
}

// clearFilter drops the path filter, if any.
func (m *Model) clearFilter() tea.Cmd {
	if m.filter.Value() == "" {
		return nil
	}
	m.filter.SetValue("")
	cmd := m.tree.SetFilter("")
	m.layout()
	m.syncHistory()
	return cmd
}

// infoTabs are the tabs of the info box, left to right.
var infoTabs = []pane{paneDetails, paneImage, paneFindings}

// keyBetweenPanes moves left and right: from the layers to the info box,
// along its tabs, and from its last tab to the tree.
func (m *Model) keyBetweenPanes(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	left, right := key.Matches(msg, m.keys.LeftPane), key.Matches(msg, m.keys.RightPane)
	switch {
	case m.focus == paneLayers && right:
		m.setFocus(m.info)
	case m.focus < paneDetails || m.focus > paneFindings || !(left || right):
		return false, nil
	case left && m.focus == paneDetails:
		m.setFocus(paneLayers)
	case right && m.focus == paneFindings:
		m.setFocus(paneTree)
	case left:
		m.setFocus(infoTabs[int(m.focus-paneDetails)-1])
	default:
		m.setFocus(infoTabs[int(m.focus-paneDetails)+1])
	}
	return true, nil
}

// updatePane hands a message (a key, or a mouse message in the pane's own
// coordinates) to a pane.
func (m *Model) updatePane(p pane, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch p {
	case paneLayers:
		m.layers, cmd = m.layers.Update(msg)
	case paneDetails:
		m.details, cmd = m.details.Update(msg)
	case paneImage:
		m.summary, cmd = m.summary.Update(msg)
	case paneFindings:
		m.findings, cmd = m.findings.Update(msg)
	case paneTree:
		m.tree, cmd = m.tree.Update(msg)
		m.syncHistory()
	case paneHistory:
		m.history, cmd = m.history.Update(msg)
	}
	return cmd
}

// handleMouse scrolls the overlays, or hands the message to the pane under
// the pointer in its own coordinates; a click also focuses the pane.
func (m Model) handleMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if m.state != stateBrowsing {
		return m, nil
	}
	wheel, isWheel := msg.(tea.MouseWheelMsg)
	switch {
	case m.showHelp:
		if isWheel {
			m.help.Update(wheel, m.keys, m.styles, m.width, m.bodyHeight())
		}
		return m, nil
	case m.preview.open:
		if isWheel {
			m.preview.scroll.Wheel(wheel, len(m.preview.lines), m.bodyHeight()-2)
		}
		return m, nil
	}
	mouse := msg.Mouse()
	target := pane(-1)
	for p, r := range m.rects {
		if r.Contains(mouse.X, mouse.Y) {
			target = pane(p)
		}
	}
	if target < 0 {
		return m, nil
	}
	r := m.rects[target]
	mouse.X, mouse.Y = mouse.X-r.X, mouse.Y-r.Y
	var local tea.Msg
	switch msg.(type) {
	case tea.MouseWheelMsg:
		local = tea.MouseWheelMsg(mouse)
	case tea.MouseClickMsg:
		if mouse.Button != tea.MouseLeft {
			return m, nil
		}
		m.setFocus(target)
		local = tea.MouseClickMsg(mouse)
	default:
		return m, nil
	}
	return m, m.updatePane(target, local)
}

// quit ends the program, cancelling the analysis when it still runs.
func (m *Model) quit() tea.Cmd {
	if m.state == stateLoading && m.cancel != nil {
		m.cancel()
	}
	m.quitting = true
	return tea.Quit
}
