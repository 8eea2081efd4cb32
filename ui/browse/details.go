package browse

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/ui/common"
)

// Details is the layer details pane: the selected layer's digests, sizes,
// full command and what it added, modified and removed.
type Details struct {
	keys   common.KeyMap
	styles *common.Styles
	layers []analyzer.Layer
	layer  int
	scroll common.Scroller
	width  int
	height int
	title  string
	// steps are the Dockerfile steps that made each layer, when the image
	// is mapped to its Dockerfile.
	steps map[int]findings.Step

	focused bool
}

func newDetails(layers []analyzer.Layer, keys common.KeyMap, styles *common.Styles) Details {
	return Details{keys: keys, styles: styles, layers: layers, title: "Layer Details"}
}

// SetDockerfile gives the steps of the image's Dockerfile, so that the pane
// shows the instruction line under each layer.
func (m *Details) SetDockerfile(d findings.Dockerfile) {
	m.steps = map[int]findings.Step{}
	for _, s := range d.Steps {
		if s.Layer >= 0 && (s.Source != nil || s.Reason != "") {
			m.steps[s.Layer] = s
		}
	}
}

// SetSize sets the pane's outer size.
func (m *Details) SetSize(w, h int) { m.width, m.height = w, h }

// SetFocused gives the pane the keys, or takes them away.
func (m *Details) SetFocused(f bool) { m.focused = f }

// SetTitle sets the title in the pane's top edge.
func (m *Details) SetTitle(t string) { m.title = t }

// SetLayer shows another layer.
func (m *Details) SetLayer(i int) {
	if i != m.layer {
		m.layer, m.scroll.Offset = i, 0
	}
}

// Update scrolls the text by keys (when focused) and the wheel.
func (m Details) Update(msg tea.Msg) (Details, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.focused {
			m.scroll.Update(msg, m.keys, len(m.lines()), m.height-2)
		}
	case tea.MouseWheelMsg:
		m.scroll.Wheel(msg, len(m.lines()), m.height-2)
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
		out = append(out, lab(fmt.Sprintf("%-11s", label))+common.Cut(value, max(w-11, 1)))
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
		cmd = layerCommand(l)
	}
	out = append(out, common.Wrap(termtext.Escape(cmd), max(w, 1))...)
	if st, ok := m.steps[l.Index]; ok {
		out = append(out, lab("Dockerfile"))
		text := "no line of the Dockerfile: " + st.Reason
		if st.Source != nil {
			text = st.Source.String() + "  " + st.Source.Instruction
			if st.Confidence != "exact" {
				text += " (" + st.Confidence + ")"
			}
		}
		out = append(out, common.Wrap(termtext.Escape(text), max(w, 1))...)
	}
	return out
}

// View draws the pane.
func (m Details) View() string {
	return m.styles.Box(m.title, m.scroll.Window(m.lines(), m.height-2), m.width, m.height, m.focused)
}
