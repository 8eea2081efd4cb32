package browse

import (
	"fmt"
	"strings"

	"github.com/stratascan/strata/ui/common"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// Layers is the layers pane: one row per layer with its index, its size and
// a bar proportional to the largest layer, badges for findings (!) and
// wasted bytes (w), and its command on one line. A mark column shows the
// layers whose changes the file tree colours.
type Layers struct {
	keys   common.KeyMap
	styles *common.Styles

	layers   []analyzer.Layer
	findings []int // findings per layer
	largest  int64
	cursor   int
	offset   int
	span     span
	mode     Mode
	mark     int // range start in ModeRange, else -1
	width    int
	height   int
	focused  bool
}

// layerSelectedMsg says the selected layer or the mode changed.
type layerSelectedMsg struct{}

func newLayers(layers []analyzer.Layer, perLayer []int, keys common.KeyMap, styles *common.Styles) Layers {
	m := Layers{keys: keys, styles: styles, layers: layers, findings: perLayer, mark: -1}
	for _, l := range layers {
		m.largest = max(m.largest, l.SizeBytes)
	}
	return m
}

// complete gives the layers of the finished analysis and their findings.
func (m *Layers) complete(layers []analyzer.Layer, perLayer []int) {
	m.layers, m.findings = layers, perLayer
}

// SetSize sets the pane's outer size.
func (m *Layers) SetSize(w, h int) { m.width, m.height = w, h; m.scroll() }

// SetFocused gives the pane the keys, or takes them away.
func (m *Layers) SetFocused(f bool) { m.focused = f }

// Mode returns the mode the tree is shown in.
func (m Layers) Mode() Mode { return m.mode }

// Mark returns where the range starts in ModeRange (else -1).
func (m Layers) Mark() int { return m.mark }

// SetSpan sets the layers the tree shows, marked in the pane.
func (m *Layers) SetSpan(s span) { m.span = s }

// LeaveRange goes back to layer mode from range mode.
func (m *Layers) LeaveRange() {
	if m.mode == ModeRange {
		m.mode, m.mark = ModeLayer, -1
	}
}

// Selected returns the index of the selected layer.
func (m Layers) Selected() int { return m.cursor }

// Select moves the cursor to a layer.
func (m *Layers) Select(i int) {
	m.cursor = min(max(i, 0), len(m.layers)-1)
	m.scroll()
}

func (m Layers) body() int { return max(m.height-2, 1) }

func (m *Layers) scroll() {
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+m.body() {
		m.offset = m.cursor - m.body() + 1
	}
	m.offset = max(min(m.offset, len(m.layers)-m.body()), 0)
}

// Update moves the selection and switches modes by keys (when focused),
// the wheel and clicks; it says when the selection or the mode changed.
func (m Layers) Update(msg tea.Msg) (Layers, tea.Cmd) {
	old, oldMode, oldMark := m.cursor, m.mode, m.mark
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.focused {
			m.handleKey(msg)
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.Select(m.cursor - 1)
		case tea.MouseWheelDown:
			m.Select(m.cursor + 1)
		}
	case tea.MouseClickMsg:
		m.click(msg.Y)
	}
	if m.cursor != old || m.mode != oldMode || m.mark != oldMark {
		return m, func() tea.Msg { return layerSelectedMsg{} }
	}
	return m, nil
}

func (m *Layers) handleKey(km tea.KeyPressMsg) {
	k := m.keys
	if c, ok := k.ListMove(km, m.cursor, m.body(), len(m.layers)); ok {
		m.Select(c)
	}
	switch {
	case key.Matches(km, k.LayerMode):
		m.mode, m.mark = ModeLayer, -1
	case key.Matches(km, k.AggregatedMode):
		m.mode, m.mark = ModeAggregated, -1
	case key.Matches(km, k.MarkRange):
		if m.mode == ModeRange && m.mark == m.cursor {
			m.mode, m.mark = ModeLayer, -1
		} else {
			m.mode, m.mark = ModeRange, m.cursor
		}
	}
}

// click selects the layer on a row (y counted from the pane's top edge).
func (m *Layers) click(y int) {
	if i := m.offset + y - 1; y >= 1 && i < len(m.layers) {
		m.Select(i)
	}
}

// View draws the pane.
func (m Layers) View() string {
	inner := m.width - 2
	lines := make([]string, 0, m.body())
	barW := 0
	if inner >= 70 {
		barW = 6
	}
	for i := m.offset; i < len(m.layers) && len(lines) < m.body(); i++ {
		l := m.layers[i]
		mark := " "
		if m.mode != ModeLayer && i >= m.span.From && i <= m.span.To {
			mark = "▐"
		}
		badge := " "
		if i < len(m.findings) && m.findings[i] > 0 {
			badge = "!"
		}
		waste := " "
		if l.WastedBytes > 0 {
			waste = "w"
		}
		head := fmt.Sprintf("%2d %8s ", i, termtext.Bytes(l.SizeBytes))
		frac := 0.0
		if m.largest > 0 {
			frac = float64(l.SizeBytes) / float64(m.largest)
		}
		room := inner - 1 - len([]rune(head)) - 3
		if barW > 0 {
			room -= barW + 1
		}
		cmd := termtext.OneLine(layerCommand(l), max(room, 1))
		if i == m.cursor {
			st := m.styles.SelectedBlur
			if m.focused {
				st = m.styles.Selected
			}
			bar := ""
			if barW > 0 {
				bar = common.BarChars(frac, barW) + " "
			}
			lines = append(lines, m.markStyle(mark)+st.Render(common.Fit(head+bar+badge+waste+" "+cmd, inner-1)))
			continue
		}
		bar := ""
		if barW > 0 {
			bar = m.styles.DrawBar(frac, barW) + " "
		}
		lines = append(lines, m.markStyle(mark)+head+bar+m.styles.Badge.Render(badge)+m.styles.Dim.Render(waste)+" "+cmd)
	}
	return m.styles.Box(m.title(), lines, m.width, m.height, m.focused)
}

func (m Layers) markStyle(mark string) string { return m.styles.RangeMark.Render(mark) }

func (m Layers) title() string {
	switch m.mode {
	case ModeAggregated:
		return fmt.Sprintf("Layers · aggregated %d–%d", m.span.From, m.span.To)
	case ModeRange:
		return fmt.Sprintf("Layers · range %d–%d", m.span.From, m.span.To)
	}
	return fmt.Sprintf("Layers (%d)", len(m.layers))
}

// layerCommand is a layer's command, or for a layer without history (a
// base image's), FROM and its short digest, as dive shows it.
func layerCommand(l analyzer.Layer) string {
	if l.Command != "" {
		return l.Command
	}
	return "FROM " + shortDigest(l.Digest)
}

// shortDigest is a digest's first 12 hexadecimal digits.
func shortDigest(d string) string {
	if _, hex, ok := strings.Cut(d, ":"); ok {
		d = hex
	}
	return d[:min(len(d), 12)]
}
