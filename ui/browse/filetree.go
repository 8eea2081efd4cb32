package browse

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
	"github.com/stratascan/strata/ui/common"
)

// FileTree is the file tree pane: the filesystem as of the selected layer,
// coloured by the changes of the current mode, with collapse and expand,
// attributes, sorting, change-type toggles, a path filter and "only wasted".
type FileTree struct {
	keys   common.KeyMap
	styles *common.Styles

	nav     *navigator
	mode    Mode
	cursor  tree.NodeID
	row     int // the cursor's row in the window
	rows    []tree.NodeID
	width   int
	height  int
	focused bool
	attrs   bool

	filter     string
	filterGen  int
	filterBusy bool
	status     string
}

// previewMsg asks the root model to preview a file.
type previewMsg struct {
	node  tree.NodeID
	layer int
	path  string
	size  int64
	kind  walk.Kind
	link  string
}

// extractMsg asks the root model to extract a node.
type extractMsg struct {
	node tree.NodeID
	span span
}

// newFileTree builds the pane over an index, showing a span.
func newFileTree(ix *treeIndex, vf *viewFlags, keys common.KeyMap, styles *common.Styles) FileTree {
	m := FileTree{keys: keys, styles: styles, attrs: true}
	m.nav = &navigator{ix: ix, t: ix.t, vf: vf,
		opts: treeOptions{show: allTypes, expandAll: true, toggled: map[tree.NodeID]bool{}}}
	m.cursor = tree.Root
	m.settle()
	return m
}

// SetSize sets the pane's outer size.
func (m *FileTree) SetSize(w, h int) { m.width, m.height = w, h; m.settle() }

// SetFocused gives the pane the keys, or takes them away.
func (m *FileTree) SetFocused(f bool) { m.focused = f }

// SetView switches the tree to another view (layer, mode), keeping the
// cursor on the same path when it is still shown and the view changed it or
// something below it; otherwise the cursor goes to the view's first change,
// so that the layer's changes are on screen.
func (m *FileTree) SetView(vf *viewFlags, mode Mode) {
	m.nav.vf = vf
	m.mode = mode
	m.nav.reset()
	if m.cursor != tree.None && !m.nav.hasChange(m.cursor) {
		if n := m.nav.firstChanged(); n != tree.None {
			m.Reveal(n) // settles
			return
		}
	}
	m.settle()
}

// Cursor returns the node under the cursor (None when the tree is empty).
func (m FileTree) Cursor() tree.NodeID { return m.cursor }

// body is the number of file rows the pane shows.
func (m FileTree) body() int { return max(m.height-4, 1) }

// settle puts the cursor on a shown, reachable row and recomputes the window.
func (m *FileTree) settle() {
	nv := m.nav
	if m.cursor == tree.Root || m.cursor == tree.None || !nv.shown(m.cursor) || !nv.reachable(m.cursor) {
		m.cursor = nv.visibleRow(m.cursor)
	}
	m.rows = m.rows[:0]
	if m.cursor == tree.None {
		m.row = 0
		return
	}
	m.row = min(max(m.row, 0), m.body()-1)
	top, back := m.cursor, 0
	for back < m.row {
		p := nv.prev(top)
		if p == tree.None {
			break
		}
		top, back = p, back+1
	}
	m.row = back
	for n, i := top, 0; n != tree.None && i < m.body(); n, i = nv.next(n), i+1 {
		m.rows = append(m.rows, n)
	}
	// Fill the window when the cursor is near the end.
	for len(m.rows) < m.body() {
		p := nv.prev(m.rows[0])
		if p == tree.None {
			break
		}
		m.rows = append([]tree.NodeID{p}, m.rows...)
		m.row++
	}
}

// changed drops the caches after an option changed, and settles.
func (m *FileTree) changed() {
	m.nav.reset()
	m.settle()
}

// move moves the cursor by delta rows.
func (m *FileTree) move(delta int) {
	nv := m.nav
	for ; delta > 0; delta-- {
		n := nv.next(m.cursor)
		if n == tree.None {
			break
		}
		m.cursor, m.row = n, m.row+1
	}
	for ; delta < 0; delta++ {
		n := nv.prev(m.cursor)
		if n == tree.None {
			break
		}
		m.cursor, m.row = n, m.row-1
	}
	m.settle()
}

// toggle collapses or expands a directory.
func (m *FileTree) toggle(n tree.NodeID) {
	if !m.nav.ix.isDir(n) {
		return
	}
	m.nav.opts.toggled[n] = !m.nav.opts.toggled[n]
	if !m.nav.opts.toggled[n] {
		delete(m.nav.opts.toggled, n)
	}
	m.settle()
}

// Reveal expands the ancestors of a node, makes it shown (clearing filters
// that hide it) and moves the cursor onto it, in the middle of the window.
func (m *FileTree) Reveal(n tree.NodeID) {
	for p := m.nav.t.Parent(n); p != tree.Root && p != tree.None; p = m.nav.t.Parent(p) {
		if !m.nav.expanded(p) {
			m.toggleNoSettle(p)
		}
	}
	if !m.nav.shown(n) {
		m.nav.opts.show, m.nav.opts.onlyWasted = allTypes, false
		m.nav.match, m.filter = nil, ""
		m.nav.reset()
	}
	m.cursor, m.row = n, m.body()/2
	m.settle()
}

func (m *FileTree) toggleNoSettle(n tree.NodeID) {
	m.nav.opts.toggled[n] = !m.nav.opts.toggled[n]
	if !m.nav.opts.toggled[n] {
		delete(m.nav.opts.toggled, n)
	}
}

// Filter returns the path filter applied (cleared when Reveal had to).
func (m FileTree) Filter() string { return m.filter }

// SetFilter applies a path filter; on large trees the work runs in the
// returned command and the filter applies when filterDoneMsg arrives.
func (m *FileTree) SetFilter(text string) tea.Cmd {
	m.filterGen++
	m.filter = text
	if text == "" {
		m.nav.match, m.filterBusy = nil, false
		m.changed()
		return nil
	}
	t := m.nav.t
	if t.Len() <= syncFilterNodes {
		m.nav.match, m.filterBusy = computeMatch(t, text), false
		m.changed()
		return nil
	}
	m.filterBusy = true
	gen := m.filterGen
	return func() tea.Msg { return filterDoneMsg{gen: gen, text: text, match: computeMatch(t, text)} }
}

// Update handles keys (when focused), the wheel, clicks and background
// filter results.
func (m FileTree) Update(msg tea.Msg) (FileTree, tea.Cmd) {
	switch msg := msg.(type) {
	case filterDoneMsg:
		if msg.gen == m.filterGen {
			m.nav.match, m.filterBusy = msg.match, false
			m.changed()
		}
		return m, nil
	case tea.KeyPressMsg:
		if !m.focused {
			return m, nil
		}
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-3)
		case tea.MouseWheelDown:
			m.move(3)
		}
	case tea.MouseClickMsg:
		m.click(msg.Y)
	}
	return m, nil
}

func (m FileTree) handleKey(msg tea.KeyPressMsg) (FileTree, tea.Cmd) {
	k := m.keys
	nv := m.nav
	m.status = ""
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.body())
	case key.Matches(msg, k.PageDown):
		m.move(m.body())
	case key.Matches(msg, k.Top):
		m.cursor, m.row = nv.next(tree.Root), 0
		m.settle()
	case key.Matches(msg, k.Bottom):
		m.cursor, m.row = nv.last(tree.Root), m.body()-1
		m.settle()
	case key.Matches(msg, k.Collapse):
		if p := nv.t.Parent(m.cursor); m.cursor != tree.None && p != tree.Root && p != tree.None {
			m.row -= m.distance(p, m.cursor)
			m.cursor = p
			m.settle()
		}
	case key.Matches(msg, k.Expand):
		if nv.ix.isDir(m.cursor) {
			if !nv.expanded(m.cursor) {
				m.toggle(m.cursor)
			}
			m.move(1)
		}
	case key.Matches(msg, k.Toggle), msg.Code == tea.KeyEnter:
		if nv.ix.isDir(m.cursor) {
			m.toggle(m.cursor)
		} else if msg.Code == tea.KeyEnter {
			return m, m.preview()
		}
	case key.Matches(msg, k.ToggleAll):
		m.nav.opts.expandAll = !m.nav.opts.expandAll
		clear(m.nav.opts.toggled)
		m.settle()
	case key.Matches(msg, k.ShowAdded):
		m.nav.opts.show ^= 1 << tree.Added
		m.changed()
	case key.Matches(msg, k.ShowRemoved):
		m.nav.opts.show ^= 1 << tree.Removed
		m.changed()
	case key.Matches(msg, k.ShowModified):
		m.nav.opts.show ^= 1 << tree.Modified
		m.changed()
	case key.Matches(msg, k.ShowUnchanged):
		m.nav.opts.show ^= 1 << tree.Unchanged
		m.changed()
	case key.Matches(msg, k.OnlyWasted):
		m.nav.opts.onlyWasted = !m.nav.opts.onlyWasted
		m.changed()
	case key.Matches(msg, k.Attributes):
		m.attrs = !m.attrs
	case key.Matches(msg, k.Sort):
		m.nav.opts.bySize = !m.nav.opts.bySize
		m.changed()
	case key.Matches(msg, k.Preview):
		return m, m.preview()
	case key.Matches(msg, k.Extract):
		if m.cursor != tree.None {
			n, s := m.cursor, m.nav.vf.span
			return m, func() tea.Msg { return extractMsg{node: n, span: s} }
		}
	}
	return m, nil
}

// distance counts the rows from a to b (b after a), at most one window.
func (m *FileTree) distance(a, b tree.NodeID) int {
	d := 0
	for n := b; n != a && n != tree.None && d <= m.body(); n = m.nav.prev(n) {
		d++
	}
	return d
}

// preview asks for a preview of the file under the cursor.
func (m FileTree) preview() tea.Cmd {
	if m.cursor == tree.None {
		return nil
	}
	e := m.nav.entry(m.cursor)
	if e == nil {
		return nil
	}
	msg := previewMsg{node: m.cursor, layer: int(e.Layer), path: m.nav.t.Path(m.cursor), size: e.Size, kind: e.Kind, link: e.Link}
	return func() tea.Msg { return msg }
}

// click moves the cursor to a row of the pane (y counted from its top
// edge); clicking the selected directory toggles it.
func (m *FileTree) click(y int) {
	i := y - 2 // border and header
	if i < 0 || i >= len(m.rows) {
		return
	}
	if m.rows[i] == m.cursor {
		m.toggle(m.cursor)
		return
	}
	m.cursor, m.row = m.rows[i], i
	m.settle()
}

// title names the pane after its mode, as dive does.
func (m FileTree) title() string {
	s := m.nav.vf.span
	switch m.mode {
	case ModeAggregated:
		return fmt.Sprintf("Aggregated Contents (layers %d–%d)", s.From, s.To)
	case ModeRange:
		return fmt.Sprintf("Range Contents (layers %d–%d)", s.From, s.To)
	}
	return fmt.Sprintf("Layer %d Contents", s.To)
}

// flags describes the active options for the status line.
func (m FileTree) flags() string {
	var parts []string
	var hidden []string
	for _, t := range []tree.ChangeType{tree.Added, tree.Modified, tree.Removed, tree.Unchanged} {
		if !m.nav.opts.show.has(t) {
			hidden = append(hidden, t.String())
		}
	}
	if len(hidden) > 0 {
		parts = append(parts, "hide "+strings.Join(hidden, ","))
	}
	if m.nav.opts.onlyWasted {
		parts = append(parts, "wasted only")
	}
	if m.nav.opts.bySize {
		parts = append(parts, "by size")
	}
	if m.filter != "" {
		f := "filter " + termtext.OneLine(m.filter, 20)
		if m.filterBusy {
			f += "…"
		}
		parts = append(parts, f)
	}
	return strings.Join(parts, " · ")
}

// showAttrs reports whether the attribute columns fit.
func (m FileTree) showAttrs() bool { return m.attrs && m.width >= 56 }

// View draws the pane.
func (m FileTree) View() string {
	inner := m.width - 2
	lines := make([]string, 0, m.height)
	header := "   Filetree"
	ow := m.ownerWidth()
	if m.showAttrs() {
		header = fmt.Sprintf("%-10s %*s %8s    Filetree", "Permission", ow, "UID:GID", "Size")
	}
	lines = append(lines, m.styles.Header.Render(common.Cut(header, inner)))
	if len(m.rows) == 0 {
		lines = append(lines, m.styles.Dim.Render("  (nothing to show: check the filters)"))
	}
	for i, n := range m.rows {
		lines = append(lines, m.renderRow(n, i == m.row, inner, ow))
	}
	for len(lines) < m.height-3 {
		lines = append(lines, "")
	}
	lines = lines[:max(m.height-3, 1)]
	status := m.flags()
	path := ""
	if m.cursor != tree.None {
		path = termtext.Escape(m.nav.t.Path(m.cursor))
	}
	if m.status != "" {
		status = m.status
	}
	room := inner - len([]rune(status)) - 1
	line := common.Cut(path, max(room, 0))
	if status != "" {
		line += strings.Repeat(" ", max(inner-len([]rune(line))-len([]rune(status)), 1)) + status
	}
	lines = append(lines, m.styles.Dim.Render(common.Cut(line, inner)))
	return m.styles.Box(m.title(), lines, m.width, m.height, m.focused)
}

// ownerWidth is the width of the uid:gid column: the widest on screen, at
// least as wide as a two-digit pair.
func (m FileTree) ownerWidth() int {
	w := 9
	for _, n := range m.rows {
		if e := m.nav.entry(n); e != nil {
			w = max(w, len(owner(e)))
		}
	}
	return w
}

// owner formats an entry's uid:gid.
func owner(e *tree.Entry) string { return fmt.Sprintf("%d:%d", e.UID, e.GID) }

// renderRow draws one file row, the owner column ow cells wide.
func (m FileTree) renderRow(n tree.NodeID, selected bool, w, ow int) string {
	nv := m.nav
	typ, _ := nv.kind(n)
	typ = nv.mark(n, typ)
	var b strings.Builder
	e := nv.entry(n)
	if m.showAttrs() {
		perm, own := "", ""
		if e != nil {
			perm = permString(e)
			own = owner(e)
		} else {
			perm = "d---------"
		}
		size := ""
		if !(e != nil && e.Kind != walk.File && e.Kind != walk.Dir && !nv.ix.isDir(n)) {
			size = termtext.Bytes(nv.size(n))
		}
		fmt.Fprintf(&b, "%-10s %*s %8s ", perm, ow, own, size)
	}
	b.WriteString(common.Markers[typ])
	b.WriteByte(' ')
	b.WriteString(m.guides(n))
	if nv.ix.isDir(n) && !nv.expanded(n) {
		b.WriteString("⊕ ")
	}
	b.WriteString(termtext.Escape(nv.t.Name(n)))
	if e != nil && (e.Kind == walk.Symlink || e.Kind == walk.HardLink) {
		b.WriteString(" → ")
		b.WriteString(termtext.Escape(e.Link))
	}
	text := common.Cut(b.String(), w)
	switch {
	case selected && m.focused:
		return m.styles.Selected.Render(common.Fit(text, w))
	case selected:
		return m.styles.SelectedBlur.Render(text)
	}
	return m.styles.Change[typ].Render(text)
}

// guides draws the tree lines before a name.
func (m FileTree) guides(n tree.NodeID) string {
	nv := m.nav
	depth := nv.t.Depth(n) - 1
	parts := make([]string, depth+1)
	if nv.nextSibling(n) != tree.None {
		parts[depth] = "├─ "
	} else {
		parts[depth] = "└─ "
	}
	p := nv.t.Parent(n)
	for d := depth - 1; d >= 0; d-- {
		if nv.nextSibling(p) != tree.None {
			parts[d] = "│  "
		} else {
			parts[d] = "   "
		}
		p = nv.t.Parent(p)
	}
	return strings.Join(parts, "")
}

// permString formats a mode as ls does, with setuid, setgid and sticky.
func permString(e *tree.Entry) string {
	b := []byte("----------")
	switch e.Kind {
	case walk.Dir:
		b[0] = 'd'
	case walk.Symlink:
		b[0] = 'l'
	case walk.HardLink:
		b[0] = 'h'
	case walk.CharDevice:
		b[0] = 'c'
	case walk.BlockDevice:
		b[0] = 'b'
	case walk.FIFO:
		b[0] = 'p'
	case walk.Whiteout, walk.Opaque:
		b[0] = 'w'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if e.Mode&(1<<(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	special := func(bit uint32, at int, set, unset byte) {
		if e.Mode&bit != 0 {
			if b[at] == 'x' {
				b[at] = set
			} else {
				b[at] = unset
			}
		}
	}
	special(04000, 3, 's', 'S')
	special(02000, 6, 's', 'S')
	special(01000, 9, 't', 'T')
	return string(b)
}
