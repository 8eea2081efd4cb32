package browse

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/ui/internal/uitest"
)

var sizes = uitest.Sizes

// scenarios are key sequences from the first screen, each giving a golden
// of the whole screen at every size.
var scenarios = []struct {
	name string
	keys []string
}{
	{"start", nil},
	{"layer_mode_tree", []string{"j", "j", "j", "j", "tab", "tab"}},
	{"aggregated_mode", []string{"j", "j", "j", "j", "j", "j", "j", "a", "tab", "tab", "U"}},
	{"range_mode", []string{"j", "j", "v", "j", "j", "j", "tab", "tab", "U"}},
	{"help_open", []string{"?"}},
	{"filter_editing", []string{"j", "j", "j", "j", "/", "p", "y"}},
	{"filter_applied", []string{"j", "j", "j", "j", "j", "ctrl+f", "p", "i", "p", "enter"}},
	{"only_wasted", []string{"j", "j", "j", "j", "tab", "tab", "w"}},
	{"hidden_unchanged_by_size", []string{"j", "j", "j", "j", "tab", "tab", "U", "s"}},
	{"no_attributes_collapsed", []string{"tab", "tab", "ctrl+b", "ctrl+space"}},
	{"removed_files", []string{"j", "j", "j", "j", "j", "j", "tab", "tab", "U"}},
	{"image_tab", []string{"l", "l"}},
	{"findings_tab", []string{"f", "j"}},
	{"finding_opened", []string{"f", "enter"}},
	{"history_focused", []string{"j", "j", "j", "j", "j", "j", "j", "tab", "tab", "U", "j", "j", "tab"}},
	{"preview", []string{"j", "j", "j", "j", "tab", "tab", "U", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "p"}},
}

func TestView(t *testing.T) {
	for _, sc := range scenarios {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz.W, sz.H), func(t *testing.T) {
				m := newTestModel(t, sz.W, sz.H)
				m = send(m, keys(sc.keys...)...)
				view := m.render()
				uitest.CheckSize(t, view, sz.W, sz.H)
				golden.RequireEqual(t, []byte(ansi.Strip(view)))
			})
		}
	}
}

// TestPaneViews goldens every pane's own View at every size.
func TestPaneViews(t *testing.T) {
	for _, sz := range sizes {
		m := newTestModel(t, sz.W, sz.H)
		m = send(m, keys("j", "j", "j", "j", "tab", "tab", "U", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j")...)
		panes := map[string]string{
			"layers":   m.layers.View(),
			"details":  m.details.View(),
			"image":    m.summary.View(),
			"findings": m.findings.View(),
			"tree":     m.tree.View(),
			"history":  m.history.View(),
		}
		for name, view := range panes {
			t.Run(fmt.Sprintf("%s_%dx%d", name, sz.W, sz.H), func(t *testing.T) {
				golden.RequireEqual(t, []byte(ansi.Strip(view)))
			})
		}
	}
}

// TestLoadingView goldens the loading screen halfway through.
func TestLoadingView(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := start
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.W, sz.H), func(t *testing.T) {
			m := New("docker-archive:demo.tar", withClock(func() time.Time { return clock }))
			m = send(m, tea.WindowSizeMsg{Width: sz.W, Height: sz.H})
			var read int64
			done := 0
			for i := 0; i < 8; i++ {
				p := analyzer.Progress{Phase: analyzer.PhaseRead, Layer: i, Layers: 8, Size: 400_000, TotalBytes: 3_200_000}
				switch {
				case i < 3:
					p.Read, p.Done = 400_000, true
					done++
				case i < 5:
					p.Read = 100_000 * int64(i-2)
				}
				read += p.Read
				p.ReadBytes, p.LayersDone = read, done
				m = send(m, ProgressMsg(p))
			}
			clock = start.Add(4 * time.Second)
			tm, _ := m.Update(tickMsg(clock)) // not send: the next tick would wait
			m = tm.(Model)
			view := m.render()
			uitest.CheckSize(t, view, sz.W, 0)
			golden.RequireEqual(t, []byte(ansi.Strip(view)))
		})
	}
}

// TestSmallTerminal keeps the browser usable at 60×20 and on resizes.
func TestSmallTerminal(t *testing.T) {
	m := newTestModel(t, 80, 24)
	for _, sz := range []uitest.Size{{W: 60, H: 20}, {W: 100, H: 30}, {W: 60, H: 20}, {W: 40, H: 12}} {
		m = send(m, tea.WindowSizeMsg{Width: sz.W, Height: sz.H})
		m = send(m, keys("j", "tab", "tab", "j", "j")...)
		uitest.CheckSize(t, m.render(), sz.W, sz.H)
	}
	m = send(m, tea.WindowSizeMsg{Width: 60, Height: 20})
	golden.RequireEqual(t, []byte(ansi.Strip(m.render())))
}
