package browse

import (
	"charm.land/bubbles/v2/key"
	"github.com/stratascan/strata/ui/common"
)

// layersShort are the footer keys of the layers pane.
func layersShort(k common.KeyMap) []key.Binding {
	return []key.Binding{k.Up, k.Down, k.LayerMode, k.AggregatedMode, k.MarkRange}
}

// treeShort are the footer keys of the file tree.
func treeShort(k common.KeyMap) []key.Binding {
	return []key.Binding{k.Toggle, k.ToggleAll, k.ShowAdded, k.ShowRemoved, k.ShowModified,
		k.ShowUnchanged, k.OnlyWasted, k.Attributes, k.Sort, k.Preview, k.Extract}
}

// helpGroups lists every binding of the browser for the help overlay.
func helpGroups(k common.KeyMap) []common.HelpGroup {
	return []common.HelpGroup{
		{Title: "Global", Bindings: []key.Binding{k.NextPane, k.PrevPane, k.Filter, k.Close, k.Findings, k.Help, k.Quit}},
		{Title: "Lists", Bindings: []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}},
		{Title: "Layers", Bindings: []key.Binding{k.LayerMode, k.AggregatedMode, k.MarkRange, k.RightPane}},
		{Title: "Details, Image, Findings", Bindings: []key.Binding{k.LeftPane, k.RightPane, k.Open, k.DetailUp, k.DetailDown}},
		{Title: "File tree", Bindings: []key.Binding{k.Collapse, k.Expand, k.Toggle, k.ToggleAll, k.ShowAdded, k.ShowRemoved,
			k.ShowModified, k.ShowUnchanged, k.OnlyWasted, k.Attributes, k.Sort, k.Preview, k.Extract}},
		{Title: "File history", Bindings: []key.Binding{k.Open}},
	}
}

// helpLegend explains the marks the panes draw.
var helpLegend = []string{
	"Layers: ! has findings  w holds wasted bytes  ▐ in the compared range (aggregated or range mode)",
	"Tree: + added  ~ modified  - removed  ⊕ collapsed directory (its mark and colour: what changed inside)",
}
