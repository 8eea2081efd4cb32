package common

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// HelpGroup is one titled column of the help overlay.
type HelpGroup struct {
	Title    string
	Bindings []key.Binding
}

// Help is the overlay that lists every key, group by group in as many
// columns as fit, with a legend of the marks below them. It scrolls when it
// does not fit.
type Help struct {
	Title  string
	Groups []HelpGroup
	Legend []string
	scroll Scroller
}

// helpColumn is the width of one column of keys.
const helpColumn = 38

// Reset scrolls back to the top.
func (h *Help) Reset() { h.scroll.Offset = 0 }

// Update scrolls the overlay, w×ht cells, by a movement key or the wheel.
func (h *Help) Update(msg tea.Msg, k KeyMap, s *Styles, w, ht int) {
	n := len(h.Lines(s, w, ht))
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		h.scroll.Update(msg, k, n, ht-2)
	case tea.MouseWheelMsg:
		h.scroll.Wheel(msg, n, ht-2)
	}
}

// Lines lays the groups out in columns, then the legend, for w×ht cells.
func (h Help) Lines(s *Styles, w, ht int) []string {
	var blocks [][]string
	for _, g := range h.Groups {
		lines := []string{s.Header.Render(g.Title)}
		for _, b := range g.Bindings {
			hb := b.Help()
			lines = append(lines, fmt.Sprintf("  %s %s", s.HelpKey.Render(fmt.Sprintf("%-14s", hb.Key)), s.HelpDesc.Render(hb.Desc)))
		}
		blocks = append(blocks, append(lines, ""))
	}
	cols := max((w-2)/helpColumn, 1)
	total := 0
	for _, bl := range blocks {
		total += len(bl)
	}
	room := ht - 2 - len(h.Legend)
	perCol := max((total+cols-1)/cols, room)
	var columns [][]string
	cur := []string{}
	for _, bl := range blocks {
		if len(cur)+len(bl) > perCol && len(cur) > 0 && len(columns) < cols-1 {
			columns = append(columns, cur)
			cur = []string{}
		}
		cur = append(cur, bl...)
	}
	columns = append(columns, cur)
	var lines []string
	for i := 0; ; i++ {
		any := false
		var b strings.Builder
		for _, c := range columns {
			cell := ""
			if i < len(c) {
				cell, any = c[i], true
			}
			b.WriteString(Fit(cell, helpColumn))
		}
		if !any {
			break
		}
		lines = append(lines, strings.TrimRight(b.String(), " "))
	}
	for _, l := range h.Legend {
		for _, wl := range Wrap(l, max(w-2, 1)) {
			lines = append(lines, s.Dim.Render(wl))
		}
	}
	return lines
}

// View draws the overlay in w×ht cells.
func (h Help) View(s *Styles, w, ht int) string {
	return s.Box(h.Title, h.scroll.Window(h.Lines(s, w, ht), ht-2), w, ht, true)
}

// Footer draws the line of key help under the panes.
type Footer struct {
	help help.Model
}

// NewFooter returns a footer drawn with the styles.
func NewFooter(s *Styles) Footer {
	f := Footer{help: help.New()}
	f.help.ShortSeparator = "  "
	f.SetStyles(s)
	return f
}

// SetStyles changes the footer's styles.
func (f *Footer) SetStyles(s *Styles) {
	f.help.Styles.ShortKey = s.HelpKey
	f.help.Styles.ShortDesc = s.HelpDesc
	f.help.Styles.ShortSeparator = s.HelpSep
	f.help.Styles.Ellipsis = s.HelpSep
}

// View draws, in w cells, as many of keys as fit, then always: the keys
// that are never cut (help and quit).
func (f Footer) View(keys, always []key.Binding, w int) string {
	f.help.SetWidth(0)
	tail := f.help.ShortHelpView(always)
	tw := lipgloss.Width(tail)
	room := w - tw - lipgloss.Width(f.help.ShortSeparator)
	if len(keys) == 0 || room < 4 {
		return tail
	}
	f.help.SetWidth(room)
	head := f.help.ShortHelpView(keys)
	if head == "" {
		return tail
	}
	if lipgloss.Width(head) > room {
		head = Cut(head, room)
	}
	sep := f.help.Styles.ShortSeparator.Render(f.help.ShortSeparator)
	return head + sep + tail
}
