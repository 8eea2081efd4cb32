package analyzer

import (
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
)

// WastedPath is a path some of whose bytes are shadowed by later entries.
type WastedPath struct {
	Path string `json:"path"`
	// Bytes is the size of all the shadowed occurrences.
	Bytes int64 `json:"bytes"`
	// Occurrences lists each shadowed entry, in layer order.
	Occurrences []Occurrence `json:"occurrences"`
}

// Occurrence is one shadowed entry of a wasted path.
type Occurrence struct {
	// Layer holds the shadowed bytes.
	Layer int `json:"layer"`
	// SizeBytes is the entry's size.
	SizeBytes int64 `json:"sizeBytes"`
	// ShadowedBy is the first layer that hides the entry.
	ShadowedBy int `json:"shadowedBy"`
}

// measure computes the project's own counts, sizes and waste in one pass
// over the entries, and fills each layer's waste and change counts (their
// sizes are known from the merge). The duplicates and the potential savings
// are left to duplicateBytes.
func measure(t *tree.Tree, layers []Layer, base int) Summary {
	s := Summary{LayerCount: len(layers), BaseLayers: base}
	for i := 0; i < t.EntryCount(); i++ {
		e := t.Entry(int32(i))
		l := &layers[e.Layer]
		if e.Wasted() {
			l.WastedBytes += e.Size
			s.WastedBytes += e.Size
			if int(e.LastShadow) >= base {
				s.UserWastedBytes += e.Size
			}
			continue
		}
		if e.Kind.IsMarker() || e.Shadowed() {
			continue
		}
		s.FileCount++
	}
	for i := range layers {
		l := &layers[i]
		s.TotalBytes += l.SizeBytes
		if i >= base {
			s.UserBytes += l.SizeBytes
		}
		for _, c := range t.LayerChanges(i) {
			b := t.Bytes(c)
			switch c.Type {
			case tree.Added:
				l.Added++
				l.AddedBytes += b
			case tree.Modified:
				l.Modified++
				l.ModifiedBytes += b
			case tree.Removed:
				l.Removed++
				l.RemovedBytes += b
			}
		}
	}
	s.VisibleBytes = s.TotalBytes - s.WastedBytes
	s.Efficiency = 1
	if s.TotalBytes > 0 {
		s.Efficiency = float64(s.VisibleBytes) / float64(s.TotalBytes)
	}
	if s.UserBytes > 0 {
		s.UserWastedPercent = float64(s.UserWastedBytes) / float64(s.UserBytes)
	}
	return s
}

// duplicateBytes is the size of the visible files' identical copies beyond
// the first of each content.
func duplicateBytes(t *tree.Tree) int64 {
	var n int64
	for _, g := range t.DuplicateGroups(nil) {
		n += int64(len(g)-1) * t.Entry(g[0]).Size
	}
	return n
}

// wastedPaths lists the paths with shadowed bytes, largest first.
func wastedPaths(t *tree.Tree) []WastedPath {
	var out []WastedPath
	for i := 0; i < t.Len(); i++ {
		n := tree.NodeID(i)
		var w *WastedPath
		for _, e := range t.History(n) {
			if !e.Wasted() || e.Size == 0 {
				continue
			}
			if w == nil {
				out = append(out, WastedPath{Path: t.Path(n)})
				w = &out[len(out)-1]
			}
			w.Bytes += e.Size
			w.Occurrences = append(w.Occurrences, Occurrence{Layer: int(e.Layer), SizeBytes: e.Size, ShadowedBy: int(e.HiddenBy)})
		}
	}
	slices.SortFunc(out, func(a, b WastedPath) int {
		if a.Bytes != b.Bytes {
			if a.Bytes > b.Bytes {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}
