// Package uitest drives the browsers in tests: key presses by name, and a
// program run in a test terminal whose frames can be waited for.
package uitest

import (
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// Keys returns the key presses of key names.
func Keys(names ...string) []tea.Msg {
	out := make([]tea.Msg, 0, len(names))
	for _, k := range names {
		out = append(out, Key(k))
	}
	return out
}

// Key returns the key press a key name stands for: a named key, ctrl+
// a key, or the characters typed.
func Key(k string) tea.KeyPressMsg {
	named := map[string]rune{"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"tab": tea.KeyTab, "enter": tea.KeyEnter, "esc": tea.KeyEscape, "space": tea.KeySpace,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "home": tea.KeyHome, "end": tea.KeyEnd}
	if c, ok := named[k]; ok {
		msg := tea.KeyPressMsg{Code: c}
		if c == tea.KeySpace {
			msg.Text = " "
		}
		return msg
	}
	switch {
	case k == "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case strings.HasPrefix(k, "ctrl+"):
		name := strings.TrimPrefix(k, "ctrl+")
		if c, ok := named[name]; ok {
			return tea.KeyPressMsg{Code: c, Mod: tea.ModCtrl}
		}
		return tea.KeyPressMsg{Code: []rune(name)[0], Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// screen holds the last frame a program drew, without its escape sequences:
// the terminal's renderer sends only the cells that change, so a frame is
// read from the model's view rather than from the output stream.
type screen struct {
	mu   sync.Mutex
	last string
}

func (s *screen) set(v string) { s.mu.Lock(); s.last = v; s.mu.Unlock() }

func (s *screen) get() string { s.mu.Lock(); defer s.mu.Unlock(); return s.last }

// probed is a model that records every frame it draws on a screen.
type probed struct {
	tea.Model
	s *screen
}

func (p probed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := p.Model.Update(msg)
	return probed{m, p.s}, cmd
}

func (p probed) View() tea.View {
	v := p.Model.View()
	p.s.set(ansi.Strip(v.Content))
	return v
}

// Start runs a model in a w×h test terminal; waitFor waits until one
// frame shows every string.
func Start(t *testing.T, m tea.Model, w, h int) (*teatest.TestModel, func(what ...string)) {
	t.Helper()
	s := &screen{}
	tm := teatest.NewTestModel(t, probed{m, s}, teatest.WithInitialTermSize(w, h))
	go io.Copy(io.Discard, tm.Output())
	waitFor := func(what ...string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			frame := s.get()
			missing := ""
			for _, w := range what {
				if !strings.Contains(frame, w) {
					missing = w
					break
				}
			}
			if missing == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no frame shows %q after 10s; the last one:\n%s", missing, frame)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return tm, waitFor
}

// Final returns the model a program ended with.
func Final(t *testing.T, tm *teatest.TestModel) tea.Model {
	t.Helper()
	return tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(probed).Model
}

// Size is a terminal size.
type Size struct{ W, H int }

// Sizes are the terminal sizes every golden view is drawn at.
var Sizes = []Size{{80, 24}, {120, 40}, {200, 60}}

// CheckSize fails when a line is wider than the terminal, or when the view
// has more lines than it (h 0: not checked).
func CheckSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if h > 0 && len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("line %d is %d cells wide, want at most %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}
