package diffview

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/ui/common"
)

// diffPane names a pane of the comparison browser.
type diffPane int

const (
	diffLayers diffPane = iota
	diffInfo
	diffFiles
)

// diffTab names a tab of the comparison's info pane.
type diffTab int

const (
	tabDetails diffTab = iota
	tabPackages
	tabFindings
	tabConfig
)

// Model is the side-by-side comparison browser: the summary of deltas
// on top, OLD and NEW layers aligned on the left with an info pane below
// them (the selected item's details, packages, findings, configuration),
// and on the right one file tree coloured by the difference.
type Model struct {
	r           *compare.Result
	keys        common.KeyMap
	styles      *common.Styles
	fixedStyles bool
	footerHelp  common.Footer
	help        common.Help
	filter      textinput.Model
	filtering   bool

	focus      diffPane
	tab        diffTab
	layer      int // cursor in r.Layers
	layerTop   int
	files      *diffTree
	infoScroll int
	showHelp   bool
	width      int
	height     int
	quitting   bool
}

// Option configures a Model.
type Option func(*Model)

// WithKeyMap replaces the default key bindings.
func WithKeyMap(k common.KeyMap) Option { return func(m *Model) { m.keys = k } }

// WithStyles replaces the default styles, whatever the terminal's
// background.
func WithStyles(s *common.Styles) Option {
	return func(m *Model) { m.styles, m.fixedStyles = s, true }
}

// New returns the browser of a comparison.
func New(r *compare.Result, opts ...Option) Model {
	m := Model{r: r, keys: common.DefaultKeyMap(), styles: common.DefaultStyles(), files: newDiffTree(r.Files.Changes)}
	for _, o := range opts {
		o(&m)
	}
	m.footerHelp = common.NewFooter(m.styles)
	m.filter = textinput.New()
	m.filter.Prompt = "Filter: "
	m.filter.Placeholder = "regexp or text matched in the path"
	m.help = common.Help{Title: "Keys (? or esc to close)", Groups: helpGroups(m.keys), Legend: helpLegend}
	return m
}

// Init asks the terminal for its background colour (the comparison is
// complete when the browser opens).
func (m Model) Init() tea.Cmd { return tea.RequestBackgroundColor }

// Update handles keys, the mouse wheel and resizes.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		if !m.fixedStyles {
			m.styles = common.NewStyles(msg.IsDark())
			m.footerHelp.SetStyles(m.styles)
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.scroll(-1)
		case tea.MouseWheelDown:
			m.scroll(1)
		}
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return m, nil
}

// keyHandler handles a key press when it applies, and says whether it did.
type keyHandler func(m *Model, msg tea.KeyPressMsg) (handled bool, cmd tea.Cmd)

// keyHandlers are tried in order.
var keyHandlers = []keyHandler{
	(*Model).keyFilter,
	(*Model).keyGlobal,
	(*Model).keyHelp,
	(*Model).keyMove,
	(*Model).keyInfo,
	(*Model).keyFiles,
}

// handleKey dispatches a key press.
func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	for _, h := range keyHandlers {
		if done, cmd := h(&m, msg); done {
			return m, cmd
		}
	}
	return m, nil
}

// keyFilter edits the path filter while its line is open.
func (m *Model) keyFilter(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !m.filtering {
		return false, nil
	}
	if msg.String() == "ctrl+c" {
		m.quitting = true
		return true, tea.Quit
	}
	if key.Matches(msg, m.keys.Close) || msg.Code == tea.KeyEnter {
		m.filtering = false
		m.filter.Blur()
		return true, nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	m.files.setFilter(m.filter.Value())
	return true, cmd
}

// keyGlobal handles quitting, help, the filter and moving between panes.
func (m *Model) keyGlobal(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		m.quitting = true
		return true, tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		m.help.Reset()
	case m.showHelp && key.Matches(msg, k.Close):
		m.showHelp = false
	case m.showHelp:
		return false, nil
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.setFocus(diffFiles)
		return true, m.filter.Focus()
	case key.Matches(msg, k.Close) && m.filter.Value() != "":
		m.filter.SetValue("")
		m.files.setFilter("")
	case key.Matches(msg, k.NextPane):
		m.setFocus((m.focus + 1) % 3)
	case key.Matches(msg, k.PrevPane):
		m.setFocus((m.focus + 2) % 3)
	case key.Matches(msg, k.Findings):
		m.focus, m.tab, m.infoScroll = diffInfo, tabFindings, 0
	default:
		return false, nil
	}
	return true, nil
}

// keyHelp scrolls the help overlay.
func (m *Model) keyHelp(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !m.showHelp {
		return false, nil
	}
	m.help.Update(msg, m.keys, m.styles, m.width, m.bodyHeight())
	return true, nil
}

// keyMove moves the focused pane's cursor.
func (m *Model) keyMove(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	k := m.keys
	page := max(m.bodyHeight()/2-2, 1)
	switch {
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-page)
	case key.Matches(msg, k.PageDown):
		m.scroll(page)
	case key.Matches(msg, k.Top):
		m.scroll(-1 << 30)
	case key.Matches(msg, k.Bottom):
		m.scroll(1 << 30)
	default:
		return false, nil
	}
	return true, nil
}

// keyInfo switches the info pane's tabs.
func (m *Model) keyInfo(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if m.focus != diffInfo {
		return false, nil
	}
	switch {
	case key.Matches(msg, m.keys.LeftPane):
		m.tab, m.infoScroll = (m.tab+3)%4, 0
	case key.Matches(msg, m.keys.RightPane):
		m.tab, m.infoScroll = (m.tab+1)%4, 0
	default:
		return false, nil
	}
	return true, nil
}

// keyFiles collapses, expands, filters and sorts the file tree.
func (m *Model) keyFiles(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if m.focus != diffFiles {
		return false, nil
	}
	k, f := m.keys, m.files
	switch {
	case key.Matches(msg, k.Collapse):
		f.collapse()
	case key.Matches(msg, k.Expand):
		f.setOpen(true)
	case key.Matches(msg, k.Toggle):
		if n := f.current(); n > 0 {
			f.setOpen(!f.nodes[n].open)
		}
	case key.Matches(msg, k.ToggleAll):
		f.toggleAll()
	case key.Matches(msg, k.ShowAdded):
		f.toggleShow(bitAdded)
	case key.Matches(msg, k.ShowRemoved):
		f.toggleShow(bitRemoved)
	case key.Matches(msg, k.ShowModified):
		f.toggleShow(bitModified | bitTypeChanged)
	case key.Matches(msg, k.Sort):
		f.bySize = !f.bySize
		f.refresh()
	default:
		return false, nil
	}
	return true, nil
}

// setFocus focuses a pane; the info pane then describes the item under
// the cursor of the layers or the files.
func (m *Model) setFocus(p diffPane) {
	m.focus, m.infoScroll = p, 0
	if p != diffInfo {
		m.tab = tabDetails
	}
}

// scroll moves the focused pane's cursor.
func (m *Model) scroll(d int) {
	switch m.focus {
	case diffLayers:
		m.layer = min(max(m.layer+d, 0), max(len(m.r.Layers)-1, 0))
	case diffInfo:
		m.infoScroll = max(m.infoScroll+d, 0)
	case diffFiles:
		m.files.move(d)
	}
}

// Quitting reports whether the user asked to leave.
func (m Model) Quitting() bool { return m.quitting }

const diffHeaderHeight = 5

func (m Model) bodyHeight() int {
	h := m.height - diffHeaderHeight - 1
	if m.filterLine() {
		h--
	}
	return max(h, 4)
}

// filterLine reports whether the filter's line is shown.
func (m Model) filterLine() bool { return m.filtering || m.filter.Value() != "" }

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
	var b strings.Builder
	b.WriteString(m.styles.Box(m.headerTitle(), m.headerLines(m.width-2), m.width, diffHeaderHeight, false))
	b.WriteByte('\n')
	bh := m.bodyHeight()
	if m.showHelp {
		b.WriteString(m.help.View(m.styles, m.width, bh))
	} else {
		lw := max(m.width/2, 20)
		rw := m.width - lw
		lh := min(max(len(m.r.Layers)+2, 5), bh/2)
		ih := bh - lh
		left := m.layersView(lw, lh) + "\n" + m.infoView(lw, ih)
		right := m.styles.Box(m.filesTitle(), m.files.lines(m.styles, rw-2, bh-2, m.focus == diffFiles), rw, bh, m.focus == diffFiles)
		b.WriteString(common.JoinColumns(left, right))
	}
	if m.filterLine() {
		b.WriteByte('\n')
		if m.filtering {
			m.filter.SetWidth(max(m.width-len(m.filter.Prompt)-2, 10))
			b.WriteString(common.Fit(m.filter.View(), m.width))
		} else {
			b.WriteString(common.Fit(m.styles.Dim.Render("Filter: "+termtext.Escape(m.filter.Value())+"   (/ to edit, esc to clear)"), m.width))
		}
	}
	b.WriteByte('\n')
	b.WriteString(common.Fit(m.footer(), m.width))
	return b.String()
}

func (m Model) headerTitle() string {
	if m.r.Identical {
		return "strata diff: identical images"
	}
	return "strata diff"
}

// headerLines is the summary of deltas: the two images, size, waste,
// efficiency, then counts of every kind of change and the gate.
func (m Model) headerLines(w int) []string {
	r, s := m.r, m.r.Summary
	st := m.styles
	name := func(label string, ref string) string {
		return st.Label.Render(label+" ") + st.Value.Render(termtext.Escape(ref))
	}
	size := fmt.Sprintf("%s → %s (%s, %s)", termtext.Bytes(s.TotalBytes.Old), termtext.Bytes(s.TotalBytes.New),
		termtext.SignedBytes(s.TotalBytes.Delta), s.Growth())
	sizeStyle := st.Value
	switch {
	case s.TotalBytes.Delta > 0:
		sizeStyle = st.Change[changeStyle(compare.FileRemoved)]
	case s.TotalBytes.Delta < 0:
		sizeStyle = st.Change[changeStyle(compare.FileAdded)]
	}
	line1 := name("OLD", r.Old.Reference) + st.Dim.Render("  →  ") + name("NEW", r.New.Reference)
	if len(r.Gate.Checks) > 0 {
		if r.Gate.Passed {
			line1 = st.Change[changeStyle(compare.FileAdded)].Render("gate PASS") + "   " + line1
		} else {
			line1 = st.Error.Render("gate FAIL") + "   " + line1
		}
	}
	line2 := st.Label.Render("size ") + sizeStyle.Render(size) +
		st.Label.Render("   wasted ") + st.Value.Render(fmt.Sprintf("%s → %s", termtext.Bytes(s.WastedBytes.Old), termtext.Bytes(s.WastedBytes.New))) +
		st.Label.Render("   efficiency ") + st.Value.Render(fmt.Sprintf("%s → %s", termtext.Percent(s.Efficiency.Old), termtext.Percent(s.Efficiency.New)))
	fc := r.Files.Counts
	line3 := st.Label.Render("files ") +
		st.Change[changeStyle(compare.FileAdded)].Render(fmt.Sprintf("+%d", fc.Added)) + " " +
		st.Change[changeStyle(compare.FileRemoved)].Render(fmt.Sprintf("-%d", fc.Removed)) + " " +
		st.Change[changeStyle(compare.FileModified)].Render(fmt.Sprintf("~%d", fc.Modified+fc.TypeChanged)) +
		st.Label.Render("   layers ") + st.Value.Render(fmt.Sprintf("%d → %d (%d shared)", s.LayerCount.Old, s.LayerCount.New, s.SharedLayers)) +
		st.Label.Render("   packages ") + st.Value.Render(compare.PackageCounts(r.Packages)) +
		st.Label.Render("   findings ") + st.Value.Render(fmt.Sprintf("%d new, %d fixed", len(r.Findings.New), len(r.Findings.Fixed))) +
		st.Label.Render("   config ") + st.Value.Render(fmt.Sprint(len(r.Config)))
	return []string{line1, line2, line3}
}

// unmatched reports a pair of layers put side by side by their position
// only, with nothing in common: not a match.
func unmatched(p compare.LayerPair) bool {
	return p.Match == compare.ByPosition && p.Similarity == 0 && p.Old != nil && p.New != nil
}

// pairMark is the one-cell mark of a layer pair and its style.
func (m Model) pairMark(p compare.LayerPair) string {
	if unmatched(p) {
		return m.styles.Change[changeStyle(compare.FileRemoved)].Render("≠")
	}
	switch p.Status {
	case compare.Shared:
		return m.styles.Dim.Render("=")
	case compare.Changed:
		return m.styles.Change[changeStyle(compare.FileModified)].Render("~")
	case compare.OnlyOld:
		return m.styles.Change[changeStyle(compare.FileRemoved)].Render("-")
	}
	return m.styles.Change[changeStyle(compare.FileAdded)].Render("+")
}

// layersView draws the aligned layers: OLD on the left, NEW on the right.
func (m *Model) layersView(w, h int) string {
	inner, rows := w-2, h-2
	deltaW := 9
	colW := max((inner-2-3-1-deltaW)/2, 6)
	side := func(l *compare.LayerRef) string {
		if l == nil {
			return strings.Repeat(" ", colW)
		}
		return common.Fit(fmt.Sprintf("%2d %s", l.Index, termtext.OneLine(l.Command, 0)), colW)
	}
	if m.layer < m.layerTop {
		m.layerTop = m.layer
	}
	if m.layer >= m.layerTop+rows {
		m.layerTop = m.layer - rows + 1
	}
	var lines []string
	for i := m.layerTop; i < min(m.layerTop+rows, len(m.r.Layers)); i++ {
		p := m.r.Layers[i]
		plain := side(p.Old) + " │ " + side(p.New) + fmt.Sprintf(" %*s", deltaW, termtext.SignedBytes(p.SizeDelta))
		line := m.pairMark(p) + " " + plain
		if i == m.layer {
			sel := m.styles.SelectedBlur
			if m.focus == diffLayers {
				sel = m.styles.Selected
			}
			line = m.pairMark(p) + " " + sel.Render(plain)
		}
		lines = append(lines, line)
	}
	title := fmt.Sprintf("Layers  OLD │ NEW  (%d shared)", m.r.Summary.SharedLayers)
	return m.styles.Box(title, lines, w, h, m.focus == diffLayers)
}

func (m Model) filesTitle() string {
	f := m.files
	var off []string
	for _, t := range []struct {
		bit  uint8
		name string
	}{{bitAdded, "added"}, {bitRemoved, "removed"}, {bitModified, "modified"}} {
		if f.show&t.bit == 0 {
			off = append(off, t.name)
		}
	}
	title := fmt.Sprintf("Files  %s", m.r.Files.Counts)
	if f.bySize {
		title += " · by size"
	}
	if len(off) > 0 {
		title += " · hiding " + strings.Join(off, ", ")
	}
	return title
}

// infoView draws the info pane: the tab's lines, scrolled.
func (m Model) infoView(w, h int) string {
	names := []string{"Details", fmt.Sprintf("Packages %d", len(m.r.Packages)),
		fmt.Sprintf("Findings %d/%d", len(m.r.Findings.New), len(m.r.Findings.Fixed)), fmt.Sprintf("Config %d", len(m.r.Config))}
	names[m.tab] = "[" + names[m.tab] + "]"
	var lines []string
	inner := w - 2
	switch m.tab {
	case tabPackages:
		lines = m.packageLines()
	case tabFindings:
		lines = m.findingLines(inner)
	case tabConfig:
		lines = m.configLines(inner)
	default:
		if m.focus == diffFiles {
			lines = m.fileDetails(inner)
		} else {
			lines = m.layerDetails(inner)
		}
	}
	scroll := min(m.infoScroll, max(len(lines)-(h-2), 0))
	return m.styles.Box(strings.Join(names, " "), lines[scroll:], w, h, m.focus == diffInfo)
}

func (m Model) label(l, v string) string {
	return m.styles.Label.Render(l) + m.styles.Value.Render(v)
}

func (m Model) layerDetails(w int) []string {
	if len(m.r.Layers) == 0 {
		return []string{m.styles.Dim.Render("no layers")}
	}
	p := m.r.Layers[m.layer]
	how := string(p.Status)
	switch {
	case unmatched(p):
		how = "not matched: side by side by position only (nothing in common)"
	case p.Match != "":
		how += ", paired by " + string(p.Match)
		if p.Old != nil && p.New != nil && p.Status != compare.Shared {
			how += fmt.Sprintf(" (%.0f%% similar)", p.Similarity*100)
		}
	}
	lines := []string{m.label("Pair:   ", how), m.label("Change: ", termtext.SignedBytes(p.SizeDelta))}
	for _, s := range []struct {
		name string
		l    *compare.LayerRef
	}{{"OLD", p.Old}, {"NEW", p.New}} {
		if s.l == nil {
			lines = append(lines, m.styles.Header.Render(s.name)+m.styles.Dim.Render("  (none)"))
			continue
		}
		lines = append(lines, m.styles.Header.Render(fmt.Sprintf("%s layer %d", s.name, s.l.Index))+
			m.styles.Dim.Render(fmt.Sprintf("  %s  +%d ~%d -%d", termtext.Bytes(s.l.SizeBytes), s.l.Added, s.l.Modified, s.l.Removed)))
		lines = append(lines, m.styles.Dim.Render("  "+common.Cut(s.l.DiffID, w-2)))
		for _, l := range common.Wrap(termtext.OneLine(s.l.Command, 0), w-2) {
			lines = append(lines, "  "+l)
		}
	}
	return lines
}

func (m Model) fileDetails(w int) []string {
	n := m.files.current()
	if n < 0 {
		return []string{m.styles.Dim.Render("no file changes")}
	}
	node := &m.files.nodes[n]
	var path []string
	for i := n; i > 0; i = m.files.nodes[i].parent {
		path = append([]string{m.files.nodes[i].name}, path...)
	}
	lines := common.Wrap(termtext.Escape("/"+strings.Join(path, "/")), w)
	c := node.change
	if c == nil {
		return append(lines, m.label("Below:  ", termtext.SignedBytes(node.delta)+" in changes"))
	}
	lines = append(lines, m.label("Change: ", string(c.Change)))
	if d := c.Detail(); d != "" {
		lines = append(lines, m.label("        ", d))
	}
	for _, s := range []struct {
		name string
		st   *compare.FileState
	}{{"OLD", c.Old}, {"NEW", c.New}} {
		if s.st == nil {
			lines = append(lines, m.label(s.name+":    ", "(absent)"))
			continue
		}
		v := fmt.Sprintf("%s %s", s.st.Kind, termtext.Bytes(s.st.SizeBytes))
		if s.st.Mode != "" {
			v += fmt.Sprintf(" %s %d:%d", s.st.Mode, s.st.UID, s.st.GID)
		}
		if s.st.Layer >= 0 {
			v += fmt.Sprintf(" layer %d", s.st.Layer)
		}
		if s.st.Link != "" {
			v += " → " + termtext.Escape(s.st.Link)
		}
		lines = append(lines, m.label(s.name+":    ", v))
	}
	return lines
}

func (m Model) packageLines() []string {
	if len(m.r.Packages) == 0 {
		return []string{m.styles.Dim.Render("no package changes")}
	}
	var lines []string
	for _, p := range m.r.Packages {
		style := m.styles.Change[changeStyle(compare.FileModified)]
		switch p.Change {
		case compare.PackageAdded:
			style = m.styles.Change[changeStyle(compare.FileAdded)]
		case compare.PackageRemoved:
			style = m.styles.Change[changeStyle(compare.FileRemoved)]
		}
		lines = append(lines, style.Render(fmt.Sprintf("%s %s", compare.PackageMark(p.Change), termtext.Escape(p.Name)))+" "+
			m.styles.Dim.Render(termtext.Escape(p.Versions())))
	}
	return lines
}

func (m Model) findingLines(w int) []string {
	fc := m.r.Findings
	if len(fc.New)+len(fc.Fixed) == 0 {
		return []string{m.styles.Dim.Render(fmt.Sprintf("no new or fixed findings (%d unchanged)", fc.Unchanged))}
	}
	var lines []string
	add := func(label string, style lipgloss.Style, list []findings.Finding) {
		for _, f := range list {
			lines = append(lines, style.Render(label)+" "+m.styles.SeverityOf(f.Severity).Render(fmt.Sprintf("%-8s", strings.ToUpper(f.Severity.String())))+" "+f.Rule)
			lines = append(lines, m.styles.Dim.Render("  "+common.Cut(termtext.Escape(f.Title), w-2)))
		}
	}
	add("new  ", m.styles.Change[changeStyle(compare.FileRemoved)], fc.New)
	add("fixed", m.styles.Change[changeStyle(compare.FileAdded)], fc.Fixed)
	return lines
}

func (m Model) configLines(w int) []string {
	if len(m.r.Config) == 0 {
		return []string{m.styles.Dim.Render("no configuration changes")}
	}
	var lines []string
	for _, c := range m.r.Config {
		lines = append(lines, m.styles.Header.Render(termtext.Escape(c.Name()))+m.styles.Dim.Render(" "+c.Change))
		for _, l := range common.Wrap(c.Values(), w-2) {
			lines = append(lines, "  "+l)
		}
	}
	return lines
}

// footer shows the focused pane's keys, then help and quit, which are
// never cut.
func (m Model) footer() string {
	k := m.keys
	var keys []key.Binding
	switch {
	case m.showHelp:
		keys = []key.Binding{k.Up, k.Down, k.Close}
	case m.filtering:
		keys = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")), k.Close}
	case m.focus == diffFiles:
		keys = []key.Binding{k.Up, k.Down, k.Collapse, k.Expand, k.Filter, k.ToggleAll, k.ShowAdded, k.ShowRemoved, k.ShowModified, k.Sort}
	case m.focus == diffInfo:
		keys = []key.Binding{k.Up, k.Down, k.LeftPane, k.RightPane}
	default:
		keys = []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown}
	}
	if !m.showHelp {
		keys = append(keys, k.NextPane)
	}
	return m.footerHelp.View(keys, []key.Binding{k.Help, k.Quit}, m.width)
}

// helpGroups lists the comparison browser's keys for the help overlay.
func helpGroups(k common.KeyMap) []common.HelpGroup {
	return []common.HelpGroup{
		{Title: "Global", Bindings: []key.Binding{k.NextPane, k.PrevPane, k.Filter, k.Findings, k.Help, k.Close, k.Quit}},
		{Title: "File tree", Bindings: []key.Binding{k.Collapse, k.Expand, k.Toggle, k.ToggleAll, k.ShowAdded, k.ShowRemoved, k.ShowModified, k.Sort}},
		{Title: "Lists", Bindings: []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}},
		{Title: "Info tabs", Bindings: []key.Binding{k.LeftPane, k.RightPane}},
	}
}

// helpLegend explains the marks and colours.
var helpLegend = []string{
	"Files: + added (green)  - removed (red)  ~ modified or type changed (yellow), as in the image browser.",
	"Layers: = shared  ~ changed  - only in OLD  + only in NEW  ≠ side by side by position only, nothing in common.",
}
