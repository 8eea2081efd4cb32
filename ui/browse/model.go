package browse

import (
	"context"
	"os"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/ui/common"
)

// state is what the browser is doing.
type state int

const (
	stateLoading state = iota
	stateBrowsing
	stateFailed
)

// pane names a pane of the browser.
type pane int

const (
	paneLayers pane = iota
	paneDetails
	paneImage
	paneFindings
	paneTree
	paneHistory
)

// LoadedMsg ends the loading screen: the analysis and the opened image (for
// previews and extraction), or the error that stopped them.
type LoadedMsg struct {
	Analysis *analyzer.Analysis
	Image    v1.Image
	Err      error
}

// TreeMsg opens the browser on an analysis that is still finishing (see
// analyzer.WithTree): the layers and the tree are browsable at once, the
// findings and the image's duplicate and dive figures say they are being
// computed, and the LoadedMsg that follows completes them.
type TreeMsg struct {
	Analysis *analyzer.Analysis
	Image    v1.Image
}

// Option configures the browser.
type Option func(*Model)

// WithImage sets the image files are previewed and extracted from (the
// default, none, disables both).
func WithImage(img v1.Image) Option { return func(m *Model) { m.img = img } }

// WithFindings sets the findings to show instead of the analysis' own.
func WithFindings(fs []findings.Finding) Option {
	return func(m *Model) { m.findingsSet, m.findingsList = true, fs }
}

// WithWorkDir sets where files are extracted (default: the current directory).
func WithWorkDir(dir string) Option { return func(m *Model) { m.workDir = dir } }

// WithCancel sets the function called when the user quits while the image
// is still loading (default: none).
func WithCancel(cancel func()) Option { return func(m *Model) { m.cancel = cancel } }

// WithContext sets the context previews and extractions run under
// (default: context.Background()).
func WithContext(ctx context.Context) Option { return func(m *Model) { m.ctx = ctx } }

// WithKeyMap replaces the default key bindings.
func WithKeyMap(k common.KeyMap) Option { return func(m *Model) { m.keys = k } }

// WithStyles replaces the default styles, whatever the terminal's
// background.
func WithStyles(s *common.Styles) Option { return func(m *Model) { m.styles, m.fixedStyles = s, true } }

// withClock fixes the loading screen's clock (tests).
func withClock(now func() time.Time) Option { return func(m *Model) { m.now = now } }

// Model is the browser's root model: the loading screen, then the panes.
type Model struct {
	keys        common.KeyMap
	styles      *common.Styles
	fixedStyles bool // set by WithStyles: kept whatever the background
	footerHelp  common.Footer
	state       state
	ref         string
	load        loading
	err         error
	ctx         context.Context
	cancel      func()
	workDir     string
	now         func() time.Time

	a            *analyzer.Analysis
	pending      bool // a holds the tree only: the LoadedMsg is still to come
	img          v1.Image
	findingsSet  bool
	findingsList []findings.Finding
	ix           *treeIndex
	flags        *flagCache // the flags of the shown span, moved on layer switches

	layers   Layers
	details  Details
	summary  Summary
	findings Findings
	tree     FileTree
	history  History

	focus     pane
	info      pane // the tab shown in the info box
	width     int
	height    int
	filter    textinput.Model
	filtering bool
	showHelp  bool
	preview   preview
	help      common.Help
	status    string
	quitting  bool
	rects     [6]common.Rect
}

// New returns a browser that shows the loading screen for ref until a
// LoadedMsg arrives; feed it ProgressMsg meanwhile.
func New(ref string, opts ...Option) Model {
	m := Model{keys: common.DefaultKeyMap(), styles: common.DefaultStyles(), ref: ref, ctx: context.Background(), now: time.Now, info: paneDetails}
	for _, o := range opts {
		o(&m)
	}
	if m.workDir == "" {
		m.workDir, _ = os.Getwd()
	}
	m.footerHelp = common.NewFooter(m.styles)
	m.help = common.Help{Title: "Keys (? or esc to close, j/k to scroll)", Groups: helpGroups(m.keys), Legend: helpLegend}
	m.filter = textinput.New()
	m.filter.Prompt = "Filter: "
	m.filter.Placeholder = "regexp or text matched in the path"
	m.load = newLoading(ref, m.styles, m.now())
	return m
}

// NewBrowser returns a browser already showing an analysis.
func NewBrowser(a *analyzer.Analysis, opts ...Option) Model {
	m := New(a.Image.Reference, opts...)
	m.loaded(a)
	return m
}

// Err returns the error that ended the browser (a failed load), if any.
func (m Model) Err() error { return m.err }

// Init asks the terminal for its background colour, the program owning the
// terminal by then, and starts the loading screen's clock.
func (m Model) Init() tea.Cmd {
	if m.state == stateLoading {
		return tea.Batch(tea.RequestBackgroundColor, m.tick())
	}
	return tea.RequestBackgroundColor
}

// setBackground picks the styles made for the terminal's background; the
// panes share the styles, so they follow.
func (m *Model) setBackground(dark bool) {
	if m.fixedStyles {
		return
	}
	*m.styles = *common.NewStyles(dark)
	m.footerHelp.SetStyles(m.styles)
}

func (m Model) tick() tea.Cmd {
	return tea.Tick(500*time.Millisecond, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// loaded builds the panes over an analysis: an index linear in the tree's
// size, and the view of the first layer.
func (m *Model) loaded(a *analyzer.Analysis) {
	m.a, m.state = a, stateBrowsing
	if !m.findingsSet {
		m.findingsList = analysisFindings(a)
	}
	m.ix = newTreeIndex(a.Tree)
	m.flags = newFlagCache(a.Tree)
	m.findings = newFindings(m.findingsList, m.keys, m.styles)
	m.findings.computing = m.pending && !m.findingsSet
	m.layers = newLayers(a.Layers, m.findings.PerLayer(len(a.Layers)), m.keys, m.styles)
	m.details = newDetails(a.Layers, m.keys, m.styles)
	m.details.SetDockerfile(a.Dockerfile)
	m.summary = newSummary(a, m.keys, m.styles)
	m.summary.pending = m.pending
	m.history = newHistory(a.Tree, m.keys, m.styles)
	vf := m.viewFlags()
	m.tree = newFileTree(m.ix, vf, m.keys, m.styles)
	m.layers.SetSpan(vf.span)
	m.setFocus(paneLayers)
	m.layout()
	m.syncHistory()
}

// complete replaces the analysis the browser opened on (a TreeMsg's) with
// the finished one over the same tree: the findings, the layers' badges,
// the Dockerfile steps and the image summary are filled in, and whatever
// the user did meanwhile (selection, mode, tree state, focus) stays.
func (m *Model) complete(a *analyzer.Analysis) {
	m.a, m.pending = a, false
	if !m.findingsSet {
		m.findingsList = analysisFindings(a)
		m.findings = newFindings(m.findingsList, m.keys, m.styles)
	}
	m.layers.complete(a.Layers, m.findings.PerLayer(len(a.Layers)))
	m.details.layers = a.Layers
	m.details.SetDockerfile(a.Dockerfile)
	m.summary.a, m.summary.pending = a, false
	m.layout()
	m.setFocus(m.focus)
}

// span returns the view the layers pane asks for.
func (m *Model) span() span {
	i := m.layers.Selected()
	switch m.layers.Mode() {
	case ModeAggregated:
		return span{From: min(max(m.a.Summary.BaseLayers, 0), i), To: i}
	case ModeRange:
		mark := m.layers.Mark()
		return span{From: min(mark, i), To: max(mark, i)}
	}
	return span{From: i, To: i}
}

func (m *Model) viewFlags() *viewFlags {
	if len(m.a.Layers) == 0 {
		return &viewFlags{span: span{0, -1}, flags: make([]uint8, m.a.Tree.Len())}
	}
	return m.flags.view(m.span())
}

// updateView recomputes the tree's view after the layer or mode changed.
func (m *Model) updateView() {
	vf := m.viewFlags()
	m.layers.SetSpan(vf.span)
	m.tree.SetView(vf, m.layers.Mode())
	m.details.SetLayer(m.layers.Selected())
	m.syncHistory()
}

func (m *Model) syncHistory() { m.history.SetNode(m.tree.Cursor()) }

// setFocus moves the keyboard focus.
func (m *Model) setFocus(p pane) {
	if p == paneHistory && m.rects[paneHistory].H == 0 && m.width > 0 {
		p = paneLayers
	}
	m.focus = p
	if p == paneDetails || p == paneImage || p == paneFindings {
		m.info = p
	}
	m.layers.SetFocused(p == paneLayers)
	m.details.SetFocused(p == paneDetails)
	m.summary.SetFocused(p == paneImage)
	m.findings.SetFocused(p == paneFindings)
	m.tree.SetFocused(p == paneTree)
	m.history.SetFocused(p == paneHistory)
}

// cycle moves the focus along Layers → info tab → Tree → History.
func (m *Model) cycle(dir int) {
	order := []pane{paneLayers, m.info, paneTree}
	if m.rects[paneHistory].H > 0 {
		order = append(order, paneHistory)
	}
	at := 0
	for i, p := range order {
		if p == m.focus {
			at = i
		}
	}
	m.setFocus(order[(at+dir+len(order))%len(order)])
}

// Update handles every message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.setBackground(msg.IsDark())
		return m, nil
	case ProgressMsg:
		m.load.update(msg)
		return m, nil
	case tickMsg:
		if m.state != stateLoading {
			return m, nil
		}
		m.load.now = m.now()
		return m, m.tick()
	case TreeMsg:
		if m.state != stateLoading {
			return m, nil
		}
		if msg.Image != nil {
			m.img = msg.Image
		}
		m.pending = true
		m.loaded(msg.Analysis)
		return m, nil
	case LoadedMsg:
		if msg.Err != nil {
			m.err, m.state = msg.Err, stateFailed
			return m, tea.Quit
		}
		if msg.Image != nil {
			m.img = msg.Image
		}
		if m.state == stateBrowsing && m.pending {
			m.complete(msg.Analysis)
			return m, nil
		}
		m.loaded(msg.Analysis)
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseMsg:
		return m.handleMouse(msg)
	}
	if m.state != stateBrowsing {
		return m, nil
	}
	return m.handleBrowse(msg)
}

// handleBrowse handles the messages panes send each other.
func (m Model) handleBrowse(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case layerSelectedMsg:
		m.updateView()
	case jumpMsg:
		m.jump(msg)
	case previewMsg:
		return m, readPreview(m.ctx, m.img, msg)
	case previewDoneMsg:
		m.preview.show(msg, m.img != nil)
	case extractMsg:
		m.status = "extracting…"
		return m, extractCmd(m.ctx, m.img, m.a.Tree, msg.node, msg.span, m.workDir)
	case extractDoneMsg:
		if msg.err != nil {
			m.status = "extract failed: " + msg.err.Error()
		} else {
			m.status = msg.text
		}
	case filterDoneMsg:
		m.tree, _ = m.tree.Update(msg)
		m.syncHistory()
	}
	return m, nil
}

// jump selects a layer and reveals a path in the tree.
func (m *Model) jump(j jumpMsg) {
	if j.layer >= 0 && j.layer < len(m.a.Layers) {
		m.layers.LeaveRange()
		m.layers.Select(j.layer)
		m.updateView()
	}
	if j.path != "" {
		if n, ok := m.a.Tree.Lookup(j.path); ok {
			m.tree.Reveal(n)
			if m.tree.Filter() == "" && m.filter.Value() != "" {
				// Revealing the path cleared the filter that hid it.
				m.filter.SetValue("")
				m.layout()
			}
			m.syncHistory()
			m.setFocus(paneTree)
		}
	}
}

// analysisFindings returns the findings the analysis carries.
func analysisFindings(a *analyzer.Analysis) []findings.Finding { return a.Findings }

var _ tea.Model = Model{}

// cursorPath returns the path under the tree's cursor (tests).
func (m Model) cursorPath() string {
	if n := m.tree.Cursor(); n != tree.None {
		return m.a.Tree.Path(n)
	}
	return ""
}

// Cancelled reports whether the user quit before the image was loaded.
func (m Model) Cancelled() bool { return m.quitting && m.state == stateLoading }

// Pending reports whether the browser shows the tree of an analysis that is
// still finishing (after a TreeMsg, before its LoadedMsg).
func (m Model) Pending() bool { return m.pending }
