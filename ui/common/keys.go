package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap holds every key binding of the browser. Defaults follow dive where
// its bindings do not clash (ctrl+m is Enter in a terminal, so modified files
// also toggle with M).
type KeyMap struct {
	// Global.
	Quit      key.Binding
	Help      key.Binding
	NextPane  key.Binding
	PrevPane  key.Binding
	Filter    key.Binding
	Close     key.Binding
	Findings  key.Binding
	LeftPane  key.Binding
	RightPane key.Binding

	// Movement, shared by every list.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding

	// Layers pane.
	LayerMode      key.Binding
	AggregatedMode key.Binding
	MarkRange      key.Binding

	// File tree.
	Collapse       key.Binding
	Expand         key.Binding
	Toggle         key.Binding
	ToggleAll      key.Binding
	ShowAdded      key.Binding
	ShowRemoved    key.Binding
	ShowModified   key.Binding
	ShowUnchanged  key.Binding
	OnlyWasted     key.Binding
	Attributes     key.Binding
	Sort           key.Binding
	Preview        key.Binding
	Extract        key.Binding
	TreeAggregated key.Binding

	// Findings and history.
	Open       key.Binding
	DetailUp   key.Binding
	DetailDown key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Quit:      b("q", "quit", "q", "ctrl+c"),
		Help:      b("?", "help", "?"),
		NextPane:  b("tab", "next pane", "tab"),
		PrevPane:  b("shift+tab", "previous pane", "shift+tab"),
		Filter:    b("/", "filter paths", "/", "ctrl+f", "ctrl+_"),
		Close:     b("esc", "close", "esc"),
		Findings:  b("f", "findings", "f"),
		LeftPane:  b("←/h", "previous tab", "left", "h"),
		RightPane: b("→/l", "next tab", "right", "l"),

		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup/u", "page up", "pgup", "u"),
		PageDown: b("pgdn/d", "page down", "pgdown", "d"),
		Top:      b("home/g", "first", "home", "g"),
		Bottom:   b("end/G", "last", "end", "G"),

		LayerMode:      b("ctrl+l/c", "layer changes", "ctrl+l", "c"),
		AggregatedMode: b("ctrl+a/a", "aggregated changes", "ctrl+a", "a"),
		MarkRange:      b("v", "range from here", "v"),

		Collapse:       b("←/h", "parent", "left", "h"),
		Expand:         b("→/l", "expand", "right", "l"),
		Toggle:         b("space", "collapse/expand", "space", "enter"),
		ToggleAll:      b("ctrl+space/*", "collapse/expand all", "ctrl+space", "ctrl+@", "*"),
		ShowAdded:      b("ctrl+a/A", "added", "ctrl+a", "A"),
		ShowRemoved:    b("ctrl+r/R", "removed", "ctrl+r", "R"),
		ShowModified:   b("M", "modified", "M"),
		ShowUnchanged:  b("ctrl+u/U", "unchanged", "ctrl+u", "U"),
		OnlyWasted:     b("w", "only wasted", "w"),
		Attributes:     b("ctrl+b/b", "attributes", "ctrl+b", "b"),
		Sort:           b("ctrl+o/s", "sort by name/size", "ctrl+o", "s"),
		Preview:        b("p", "preview", "p"),
		Extract:        b("ctrl+e/x", "extract to .", "ctrl+e", "x"),
		TreeAggregated: b("ctrl+l", "layer/aggregated", "ctrl+l"),

		Open:       b("enter", "go to", "enter"),
		DetailUp:   b("shift+↑/K", "scroll detail up", "shift+up", "K"),
		DetailDown: b("shift+↓/J", "scroll detail down", "shift+down", "J"),
	}
}

// ListMove applies a movement key (up, down, page up and down, top, bottom)
// to a cursor over n items shown page at a time, and clamps the result to
// the list. ok is false, and the cursor unchanged, for any other key.
func (k KeyMap) ListMove(msg tea.KeyPressMsg, cursor, page, n int) (_ int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		cursor--
	case key.Matches(msg, k.Down):
		cursor++
	case key.Matches(msg, k.PageUp):
		cursor -= page
	case key.Matches(msg, k.PageDown):
		cursor += page
	case key.Matches(msg, k.Top):
		cursor = 0
	case key.Matches(msg, k.Bottom):
		cursor = n - 1
	default:
		return cursor, false
	}
	return min(max(cursor, 0), n-1), true
}
