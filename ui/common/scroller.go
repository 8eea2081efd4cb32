package common

import tea "charm.land/bubbletea/v2"

// Scroller is a scroll offset over a block of lines, shared by the text
// panes and the overlays.
type Scroller struct {
	Offset int
}

// Update applies a movement key to the offset over lines shown height at a
// time; ok is false for any other key.
func (s *Scroller) Update(msg tea.KeyPressMsg, k KeyMap, lines, height int) (ok bool) {
	s.Offset, ok = k.ListMove(msg, s.Offset, height, lines)
	s.Clamp(lines, height)
	return ok
}

// Wheel scrolls by a mouse wheel message: three lines a notch.
func (s *Scroller) Wheel(msg tea.MouseWheelMsg, lines, height int) {
	switch msg.Button {
	case tea.MouseWheelUp:
		s.Offset -= 3
	case tea.MouseWheelDown:
		s.Offset += 3
	}
	s.Clamp(lines, height)
}

// Clamp keeps the offset inside the lines.
func (s *Scroller) Clamp(lines, height int) {
	s.Offset = max(min(s.Offset, lines-height), 0)
}

// Window returns the lines shown.
func (s Scroller) Window(lines []string, height int) []string {
	s.Clamp(len(lines), height)
	return lines[s.Offset:min(s.Offset+height, len(lines))]
}
