package browse

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/ui/common"
)

// Findings is the findings pane: the problems found, grouped by severity
// (worst first), the selected one's hint and evidence beside the list. Enter
// jumps to the finding's layer and first path in the file tree.
type Findings struct {
	keys   common.KeyMap
	styles *common.Styles
	list   []findings.Finding // sorted: severity desc, bytes desc
	cursor int
	offset int
	width  int
	height int
	title  string
	// detailScroll scrolls the selected finding's detail.
	detailScroll common.Scroller

	focused bool
	// computing says the rules are still running: the list is not known yet.
	computing bool
}

// jumpMsg asks the root model to select a layer and reveal a path.
type jumpMsg struct {
	layer int
	path  string
}

func newFindings(fs []findings.Finding, keys common.KeyMap, styles *common.Styles) Findings {
	list := slices.Clone(fs)
	slices.SortStableFunc(list, func(a, b findings.Finding) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		return cmp.Compare(b.Bytes, a.Bytes)
	})
	return Findings{keys: keys, styles: styles, list: list, title: "Findings"}
}

// SetSize sets the pane's outer size.
func (m *Findings) SetSize(w, h int) { m.width, m.height = w, h; m.follow() }

// SetFocused gives the pane the keys, or takes them away.
func (m *Findings) SetFocused(f bool) { m.focused = f }

// SetTitle sets the title in the pane's top edge.
func (m *Findings) SetTitle(t string) { m.title = t }

// Len returns the number of findings.
func (m Findings) Len() int { return len(m.list) }

// SelectPath selects the first finding about a path or a directory above
// it (the selection stays when there is none).
func (m *Findings) SelectPath(path string) {
	for i, f := range m.list {
		for _, p := range f.Paths {
			if p == path || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/") {
				m.cursor, m.detailScroll.Offset = i, 0
				m.follow()
				return
			}
		}
	}
}

// PerLayer counts the findings of each of n layers.
func (m Findings) PerLayer(n int) []int {
	out := make([]int, n)
	for _, f := range m.list {
		if f.Layer >= 0 && f.Layer < n {
			out[f.Layer]++
		}
	}
	return out
}

// side reports whether the detail goes beside the list rather than below.
func (m Findings) side() bool { return m.width >= 90 }

// listHeight is how many list rows fit.
func (m Findings) listHeight() int {
	h := m.height - 2
	if !m.side() {
		h = max(h/2, 3)
	}
	return max(h, 1)
}

// Update moves the selection by keys (when focused), the wheel and clicks,
// and jumps on Enter or a click on the selected finding.
func (m Findings) Update(msg tea.Msg) (Findings, tea.Cmd) {
	if len(m.list) == 0 {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if !m.focused {
			return m, nil
		}
		switch {
		case key.Matches(msg, m.keys.Open):
			return m, m.jump()
		case key.Matches(msg, m.keys.DetailUp):
			m.scrollDetail(-1)
			return m, nil
		case key.Matches(msg, m.keys.DetailDown):
			m.scrollDetail(1)
			return m, nil
		}
		m.selectAt(m.keys.ListMove(msg, m.cursor, m.listHeight(), len(m.list)))
	case tea.MouseWheelMsg:
		delta := 1
		if msg.Button == tea.MouseWheelUp {
			delta = -1
		}
		if m.overDetail(msg.X, msg.Y) {
			m.scrollDetail(3 * delta)
			return m, nil
		}
		m.selectAt(min(max(m.cursor+delta, 0), len(m.list)-1), true)
	case tea.MouseClickMsg:
		return m, m.click(msg.Y)
	}
	m.follow()
	return m, nil
}

// select_ moves the cursor, the detail back to its top when it moved.
func (m *Findings) selectAt(i int, ok bool) {
	if ok && i != m.cursor {
		m.cursor, m.detailScroll.Offset = i, 0
	}
}

// overDetail reports whether a cell of the pane shows the detail.
func (m Findings) overDetail(x, y int) bool {
	if m.side() {
		return x > 1+(m.width-2)/2
	}
	return y > m.listHeight()+1
}

// detailHeight is how many lines of the detail are shown.
func (m Findings) detailHeight() int {
	if m.side() {
		return m.height - 2
	}
	return max(m.height-2-m.listHeight()-1, 1)
}

// detailWidth is the detail's width.
func (m Findings) detailWidth() int {
	inner := m.width - 2
	if m.side() {
		return inner - inner/2 - 1
	}
	return inner
}

// scrollDetail scrolls the selected finding's detail by lines.
func (m *Findings) scrollDetail(lines int) {
	m.detailScroll.Offset += lines
	m.detailScroll.Clamp(len(m.detail(m.detailWidth())), m.detailHeight())
}

// click selects the finding on a row; clicking the selected one jumps.
func (m *Findings) click(y int) tea.Cmd {
	rows := m.rows()
	i := m.offset + y - 1
	if y < 1 || i >= len(rows) || rows[i].index < 0 {
		return nil
	}
	if rows[i].index == m.cursor {
		return m.jump()
	}
	m.cursor, m.detailScroll.Offset = rows[i].index, 0
	m.follow()
	return nil
}

func (m Findings) jump() tea.Cmd {
	if len(m.list) == 0 {
		return nil
	}
	f := m.list[m.cursor]
	msg := jumpMsg{layer: f.Layer}
	if len(f.Paths) > 0 {
		msg.path = f.Paths[0]
	}
	return func() tea.Msg { return msg }
}

// row is one line of the list: a severity header (index -1) or a finding.
type row struct {
	index int
	sev   findings.Severity
}

func (m Findings) rows() []row {
	var out []row
	for i, f := range m.list {
		if i == 0 || m.list[i-1].Severity != f.Severity {
			out = append(out, row{index: -1, sev: f.Severity})
		}
		out = append(out, row{index: i, sev: f.Severity})
	}
	return out
}

// follow keeps the cursor's row in view, with its header when it fits.
func (m *Findings) follow() {
	at := 0
	for i, r := range m.rows() {
		if r.index == m.cursor {
			at = i
		}
	}
	lh := m.listHeight()
	if at-1 < m.offset {
		m.offset = max(at-1, 0)
	}
	if at >= m.offset+lh {
		m.offset = at - lh + 1
	}
}

// View draws the pane.
func (m Findings) View() string {
	inner := m.width - 2
	if m.computing {
		return m.styles.Box(m.title, []string{m.styles.Dim.Render("Running the rules…")}, m.width, m.height, m.focused)
	}
	if len(m.list) == 0 {
		return m.styles.Box(m.title, []string{m.styles.Dim.Render("No findings.")}, m.width, m.height, m.focused)
	}
	listW := inner
	if m.side() {
		listW = inner / 2
	}
	rows := m.rows()
	lh := m.listHeight()
	m.follow()
	var list []string
	for _, r := range rows[m.offset:min(m.offset+lh, len(rows))] {
		if r.index < 0 {
			n := 0
			for _, f := range m.list {
				if f.Severity == r.sev {
					n++
				}
			}
			list = append(list, m.styles.SeverityOf(r.sev).Render(fmt.Sprintf("%s (%d)", strings.ToUpper(r.sev.String()), n)))
			continue
		}
		f := m.list[r.index]
		where := "image"
		if f.Layer >= 0 {
			where = fmt.Sprintf("L%d", f.Layer)
		}
		size := ""
		if f.Bytes > 0 {
			size = termtext.Bytes(f.Bytes)
		}
		left := fmt.Sprintf(" %-5s ", where)
		title := termtext.OneLine(f.Title, max(listW-len(left)-len(size)-1, 1))
		text := left + title + strings.Repeat(" ", max(listW-len(left)-len([]rune(title))-len(size), 1)) + size
		if r.index == m.cursor {
			st := m.styles.SelectedBlur
			if m.focused {
				st = m.styles.Selected
			}
			text = st.Render(common.Fit(text, listW))
		}
		list = append(list, text)
	}
	detail := m.detailScroll.Window(m.detail(m.detailWidth()), m.detailHeight())
	if m.side() {
		lines := make([]string, m.height-2)
		for i := range lines {
			l, d := "", ""
			if i < len(list) {
				l = list[i]
			}
			if i < len(detail) {
				d = detail[i]
			}
			lines[i] = common.Fit(l, listW) + m.styles.Border.Render("│") + d
		}
		return m.styles.Box(m.title, lines, m.width, m.height, m.focused)
	}
	for len(list) < lh {
		list = append(list, "")
	}
	lines := append(list, m.styles.Border.Render(strings.Repeat("─", inner)))
	lines = append(lines, detail...)
	return m.styles.Box(m.title, lines, m.width, m.height, m.focused)
}

// detail renders the selected finding: title, where, paths, hint, evidence.
func (m Findings) detail(w int) []string {
	f := m.list[m.cursor]
	var out []string
	add := func(st func(...string) string, text string) {
		for _, l := range common.Wrap(text, max(w, 1)) {
			out = append(out, st(l))
		}
	}
	plain := func(s ...string) string { return strings.Join(s, "") }
	add(m.styles.Header.Render, termtext.Escape(f.Title))
	meta := fmt.Sprintf("%s · %s · %s", f.Rule, f.Category, f.Severity)
	if f.Bytes > 0 {
		meta += " · " + termtext.Bytes(f.Bytes)
	}
	add(m.styles.Dim.Render, meta)
	if f.Layer >= 0 && f.Instruction != "" {
		add(m.styles.Dim.Render, fmt.Sprintf("layer %d: %s", f.Layer, termtext.OneLine(f.Instruction, 200)))
	}
	for _, p := range f.Paths {
		add(plain, "  "+termtext.Escape(p))
	}
	if more := f.PathCount - len(f.Paths); more > 0 {
		add(m.styles.Dim.Render, fmt.Sprintf("  … and %d more", more))
	}
	if f.Hint != "" {
		add(m.styles.Hint.Render, "Fix: "+termtext.Escape(f.Hint))
	}
	if f.Evidence != "" {
		add(m.styles.Dim.Render, termtext.Escape(f.Evidence))
	}
	return out
}
