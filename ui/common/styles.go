package common

import (
	"image/color"

	"charm.land/lipgloss/v2"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/tree"
)

// Styles are every style the browser draws with, in one place. Colours are
// chosen for the terminal's background: one value for light terminals, one
// for dark ones. Under NO_COLOR (an Ascii colour profile) only bold, reverse
// and the text markers remain.
type Styles struct {
	Border        lipgloss.Style
	BorderFocused lipgloss.Style
	Title         lipgloss.Style
	TitleFocused  lipgloss.Style
	// Selected is the cursor row of the focused pane; SelectedBlur of the others.
	Selected     lipgloss.Style
	SelectedBlur lipgloss.Style
	Header       lipgloss.Style
	Label        lipgloss.Style
	Value        lipgloss.Style
	Dim          lipgloss.Style
	Error        lipgloss.Style
	// Change colours the file tree: added, modified, removed, unchanged
	// (indexed by tree.ChangeType).
	Change [4]lipgloss.Style
	// Bar and BarEmpty draw size and progress bars.
	Bar      lipgloss.Style
	BarEmpty lipgloss.Style
	// RangeMark marks the layers of the compared range.
	RangeMark lipgloss.Style
	Badge     lipgloss.Style
	// Severity colours findings, indexed by findings.Severity.
	Severity [5]lipgloss.Style
	Hint     lipgloss.Style
	// HelpKey and HelpDesc draw the footer and the help overlay.
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style

	// plain marks styles without colour, which a background report leaves
	// alone.
	plain bool
}

// DefaultStyles returns the browser's styles for a dark terminal, which the
// browser switches to LightStyles when the terminal reports a light
// background.
func DefaultStyles() *Styles { return NewStyles(true) }

// NewStyles returns the browser's styles for a dark or a light background.
func NewStyles(dark bool) *Styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	var (
		colAccent   = c("#5A3FC0", "#B4A0FF")
		colBorder   = c("#A0A0A0", "#5C5C5C")
		colDim      = c("#767676", "#8A8A8A")
		colAdded    = c("#1A7F37", "#5FD75F")
		colModified = c("#9A6700", "#E5C07B")
		colRemoved  = c("#CF222E", "#FF6B6B")
		colRange    = c("#8250DF", "#D787FF")
		colInfo     = c("#0969DA", "#79B8FF")
		colCritical = c("#A40E26", "#FF4D6D")
	)
	s := &Styles{
		Border:        lipgloss.NewStyle().Foreground(colBorder),
		BorderFocused: lipgloss.NewStyle().Foreground(colAccent),
		Title:         lipgloss.NewStyle().Bold(true),
		TitleFocused:  lipgloss.NewStyle().Bold(true).Foreground(colAccent),
		Selected:      lipgloss.NewStyle().Reverse(true).Bold(true),
		SelectedBlur:  lipgloss.NewStyle().Underline(true),
		Header:        lipgloss.NewStyle().Bold(true),
		Label:         lipgloss.NewStyle().Foreground(colDim),
		Value:         lipgloss.NewStyle(),
		Dim:           lipgloss.NewStyle().Foreground(colDim),
		Error:         lipgloss.NewStyle().Foreground(colRemoved).Bold(true),
		Bar:           lipgloss.NewStyle().Foreground(colAccent),
		BarEmpty:      lipgloss.NewStyle().Foreground(colBorder),
		RangeMark:     lipgloss.NewStyle().Foreground(colRange).Bold(true),
		Badge:         lipgloss.NewStyle().Foreground(colModified).Bold(true),
		Hint:          lipgloss.NewStyle().Foreground(colInfo),
		HelpKey:       lipgloss.NewStyle().Bold(true),
		HelpDesc:      lipgloss.NewStyle().Foreground(colDim),
		HelpSep:       lipgloss.NewStyle().Foreground(colBorder),
	}
	s.Change[tree.Unchanged] = lipgloss.NewStyle()
	s.Change[tree.Added] = lipgloss.NewStyle().Foreground(colAdded)
	s.Change[tree.Modified] = lipgloss.NewStyle().Foreground(colModified)
	s.Change[tree.Removed] = lipgloss.NewStyle().Foreground(colRemoved)
	s.Severity[findings.Info] = lipgloss.NewStyle().Foreground(colDim)
	s.Severity[findings.Low] = lipgloss.NewStyle().Foreground(colInfo)
	s.Severity[findings.Medium] = lipgloss.NewStyle().Foreground(colModified)
	s.Severity[findings.High] = lipgloss.NewStyle().Foreground(colRemoved).Bold(true)
	s.Severity[findings.Critical] = lipgloss.NewStyle().Foreground(colCritical).Bold(true).Reverse(true)
	return s
}

// SeverityOf returns the style of a severity, tolerating unknown values.
func (s *Styles) SeverityOf(v findings.Severity) lipgloss.Style {
	if v < findings.Info || v > findings.Critical {
		return s.Dim
	}
	return s.Severity[v]
}

// Plain reports whether the styles draw without colour.
func (s *Styles) Plain() bool { return s.plain }

// PlainStyles returns the styles without any colour, for NO_COLOR and
// --no-color: bold, reverse and underline remain, so the selection and the
// focus still show, and changes read from their +, ~ and - markers.
func PlainStyles() *Styles {
	s := DefaultStyles()
	s.plain = true
	plain := func(st *lipgloss.Style) { *st = st.UnsetForeground().UnsetBackground() }
	for _, st := range []*lipgloss.Style{&s.Border, &s.BorderFocused, &s.Title, &s.TitleFocused, &s.Selected,
		&s.SelectedBlur, &s.Header, &s.Label, &s.Value, &s.Dim, &s.Error, &s.Bar, &s.BarEmpty, &s.RangeMark,
		&s.Badge, &s.Hint, &s.HelpKey, &s.HelpDesc, &s.HelpSep} {
		plain(st)
	}
	for i := range s.Change {
		plain(&s.Change[i])
	}
	for i := range s.Severity {
		plain(&s.Severity[i])
	}
	return s
}
