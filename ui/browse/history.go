package browse

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
	"github.com/stratascan/strata/ui/common"
)

// History is the file history pane: for the path under the tree's cursor,
// every layer that touched it and how (added, modified, re-added unchanged,
// removed by a whiteout or with a parent), with the size, mode and owner of
// the entry and the layer that later shadowed it. Enter selects that layer.
type History struct {
	keys   common.KeyMap
	styles *common.Styles
	t      *tree.Tree
	node   tree.NodeID
	rows   []histRow
	cursor int
	offset int
	width  int
	height int

	focused bool
}

// noteWidth is the width of the notes' column: the longest note's.
const noteWidth = len("removed with a parent")

// histRow is one layer's effect on a path.
type histRow struct {
	layer int
	what  tree.ChangeType
	note  string
	entry *tree.Entry
}

func newHistory(t *tree.Tree, keys common.KeyMap, styles *common.Styles) History {
	return History{keys: keys, styles: styles, t: t, node: tree.None}
}

// SetSize sets the pane's outer size.
func (m *History) SetSize(w, h int) { m.width, m.height = w, h; m.follow() }

// SetFocused gives the pane the keys, or takes them away.
func (m *History) SetFocused(f bool) { m.focused = f }

// SetNode shows another path.
func (m *History) SetNode(n tree.NodeID) {
	if n == m.node {
		return
	}
	m.node, m.cursor, m.offset = n, 0, 0
	m.rows = historyOf(m.t, n)
}

// historyOf lists every layer that changed or touched a node.
func historyOf(t *tree.Tree, n tree.NodeID) []histRow {
	if n == tree.None || n == tree.Root {
		return nil
	}
	var out []histRow
	hist := t.History(n)
	for l := 0; l < t.Layers(); l++ {
		var own *tree.Entry
		for i := range hist {
			if int(hist[i].Layer) == l {
				own = &hist[i]
			}
		}
		prev, cur := t.State(n, l-1), t.State(n, l)
		if own == nil && prev == cur {
			continue
		}
		r := histRow{layer: l}
		switch {
		case own != nil && own.Kind == walk.Whiteout:
			r.what, r.note, r.entry = tree.Removed, "removed (whiteout)", own
		case cur < 0 && prev >= 0:
			r.what, r.note, r.entry = tree.Removed, "removed with a parent", t.Entry(prev)
		case cur < 0:
			continue
		case prev < 0:
			r.what, r.note, r.entry = tree.Added, "added", t.Entry(cur)
		case prev == cur:
			r.what, r.note, r.entry = tree.Unchanged, "made opaque", t.Entry(cur)
		case t.Entry(cur).Same(t.Entry(prev)):
			r.what, r.note, r.entry = tree.Unchanged, "re-added unchanged", t.Entry(cur)
		default:
			r.what, r.note, r.entry = tree.Modified, "modified", t.Entry(cur)
		}
		out = append(out, r)
	}
	return out
}

func (m History) body() int { return max(m.height-2, 1) }

func (m *History) follow() {
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+m.body() {
		m.offset = m.cursor - m.body() + 1
	}
}

// Update moves the selection by keys (when focused), the wheel and clicks;
// Enter selects the layer.
func (m History) Update(msg tea.Msg) (History, tea.Cmd) {
	if len(m.rows) == 0 {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if !m.focused {
			return m, nil
		}
		if key.Matches(msg, m.keys.Open) {
			jump := jumpMsg{layer: m.rows[m.cursor].layer, path: m.t.Path(m.node)}
			return m, func() tea.Msg { return jump }
		}
		m.cursor, _ = m.keys.ListMove(msg, m.cursor, m.body(), len(m.rows))
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.cursor = max(m.cursor-1, 0)
		case tea.MouseWheelDown:
			m.cursor = min(m.cursor+1, len(m.rows)-1)
		}
	case tea.MouseClickMsg:
		if i := m.offset + msg.Y - 1; msg.Y >= 1 && i < len(m.rows) {
			m.cursor = i
		}
	}
	m.follow()
	return m, nil
}

// View draws the pane.
func (m History) View() string {
	title := "File History"
	if m.node != tree.None && m.node != tree.Root {
		title += " · " + termtext.Escape(m.t.Name(m.node))
	}
	inner := m.width - 2
	var lines []string
	if len(m.rows) == 0 {
		lines = append(lines, m.styles.Dim.Render("Select a file in the tree."))
	}
	for i := m.offset; i < len(m.rows) && len(lines) < m.body(); i++ {
		r := m.rows[i]
		e := r.entry
		detail := ""
		if e != nil && !e.Kind.IsMarker() {
			detail = fmt.Sprintf("%s %s %d:%d", termtext.Bytes(e.Size), permString(e), e.UID, e.GID)
			if e.Kind == walk.Symlink || e.Kind == walk.HardLink {
				detail += " → " + termtext.Escape(e.Link)
			}
		}
		if e != nil && e.Shadowed() && r.what != tree.Removed {
			detail += fmt.Sprintf(" · hidden by L%d", e.HiddenBy)
		}
		text := fmt.Sprintf("%s L%-2d %-*s %s", common.Markers[r.what], r.layer, noteWidth, r.note, detail)
		switch {
		case i == m.cursor && m.focused:
			text = m.styles.Selected.Render(common.Fit(text, inner))
		default:
			text = m.styles.Change[r.what].Render(common.Cut(text, inner))
		}
		lines = append(lines, text)
	}
	return m.styles.Box(title, lines, m.width, m.height, m.focused)
}
