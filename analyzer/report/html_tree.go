package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// MapBudget is how many rectangles (files and directories) the treemap of
// an HTML report holds at most. Past it, the smallest paths of each
// directory are grouped into one "N other files" rectangle, which keeps the
// page small and fast on images of a million files.
const MapBudget = 30000

// mapNode is one rectangle of a treemap, as the page's script reads it.
type mapNode struct {
	// Name is the last element of the path ("" for the root).
	Name string `json:"n"`
	// Kept is the size of the visible regular files at and below the path;
	// Wasted that of the shadowed copies (hidden or deleted) there.
	Kept   int64 `json:"k,omitempty"`
	Wasted int64 `json:"w,omitempty"`
	// Layer is the layer that added the visible file, or for a directory
	// or a group the layer that added most of its bytes (-1: none).
	Layer int `json:"l"`
	// Dir marks a directory.
	Dir bool `json:"d,omitempty"`
	// Other is set on a group: the number of files it stands for.
	Other int `json:"o,omitempty"`
	// WastedIn lists the layers that hold hidden copies of a file, and
	// HiddenBy the layer that hid the last of them.
	WastedIn []int `json:"wl,omitempty"`
	HiddenBy *int  `json:"hb,omitempty"`
	// Delta, in a diff's treemap, is the size change (NEW − OLD) and
	// Change how the path changed ("added", "removed", ...).
	Delta  int64  `json:"dt,omitempty"`
	Change string `json:"ch,omitempty"`
	// Abs, in a diff's treemap, is the sum of the size changes at and
	// below the path, without sign: growth and shrinkage both take room.
	Abs  int64      `json:"a,omitempty"`
	Kids []*mapNode `json:"c,omitempty"`

	files int // visible regular files at and below the path
}

func (n *mapNode) total() int64 { return n.Kept + n.Wasted }

// area is what the rectangle's area stands for.
func (n *mapNode) area() int64 {
	if n.Abs > 0 {
		return n.Abs
	}
	return n.total()
}

// fsMap is the treemap of an image's final filesystem.
type fsMap struct {
	Root *mapNode
	// Threshold is the size below which paths are grouped (0: none are).
	Threshold int64
	// Grouped counts the files in groups.
	Grouped int
}

// buildFSMap computes the treemap of a tree: every path's kept and wasted
// bytes, then the rectangles, grouping paths smaller than the threshold
// that keeps at most budget of them.
func buildFSMap(t *tree.Tree, budget int) fsMap {
	if t == nil || t.Len() == 0 {
		return fsMap{Root: &mapNode{Dir: true, Layer: -1}}
	}
	kept, wasted, files, layer := pathSizes(t)
	threshold := mapThreshold(kept, wasted, budget)
	b := &fsMapBuilder{t: t, kept: kept, wasted: wasted, files: files, layer: layer, threshold: threshold}
	root := b.node(tree.Root)
	return fsMap{Root: root, Threshold: threshold, Grouped: b.grouped}
}

// pathSizes sums, for every path of a tree, the bytes of the visible
// regular files at and below it (kept), those of the shadowed entries
// there (wasted) and the number of visible regular files; layer is the
// layer of a path's own visible file, or -1.
func pathSizes(t *tree.Tree) (kept, wasted []int64, files []int32, layer []int32) {
	n := t.Len()
	kept = make([]int64, n)
	wasted = make([]int64, n)
	files = make([]int32, n)
	layer = make([]int32, n)
	// Node IDs follow path order: a child's ID is larger than its
	// parent's, so one backwards pass sums every subtree.
	for i := n - 1; i >= 0; i-- {
		id := tree.NodeID(i)
		layer[i] = -1
		for _, e := range t.History(id) {
			switch {
			case e.Wasted():
				wasted[i] += e.Size
			case e.Shadowed(): // kept by a hard link: counted at the link
			case e.Kind == walk.File:
				kept[i] += e.Size
				files[i]++
				layer[i] = e.Layer
			}
		}
		if h := t.Held(id); h != nil {
			kept[i] += h.Size
			files[i]++
			layer[i] = h.Layer
		}
		if p := t.Parent(id); p != tree.None {
			kept[p] += kept[i]
			wasted[p] += wasted[i]
			files[p] += files[i]
		}
	}
	return kept, wasted, files, layer
}

// Directory is a top-level directory of the final filesystem and what it
// holds.
type Directory struct {
	Path string `json:"path"`
	// Bytes is the size of the visible regular files below it.
	Bytes int64 `json:"bytes"`
	// WastedBytes is the size of the shadowed entries below it (hidden or
	// deleted copies).
	WastedBytes int64 `json:"wastedBytes"`
	// Files counts the visible regular files below it.
	Files int `json:"files"`
}

// TopDirectories returns the top-level directories of a tree with their
// sizes, largest (Bytes + WastedBytes) first, then by path.
func TopDirectories(t *tree.Tree) []Directory {
	out := []Directory{}
	if t == nil || t.Len() == 0 {
		return out
	}
	kept, wasted, files, _ := pathSizes(t)
	for _, k := range t.Children(tree.Root) {
		if len(t.Children(k)) == 0 && !isDirNode(t, k) {
			continue
		}
		out = append(out, Directory{Path: t.Path(k), Bytes: kept[k], WastedBytes: wasted[k], Files: int(files[k])})
	}
	slices.SortStableFunc(out, func(a, b Directory) int {
		if c := cmp.Compare(b.Bytes+b.WastedBytes, a.Bytes+a.WastedBytes); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

// isDirNode reports whether the last entry at a path is a directory.
func isDirNode(t *tree.Tree, n tree.NodeID) bool {
	h := t.History(n)
	return len(h) > 0 && h[len(h)-1].Kind == walk.Dir
}

// mapThreshold returns the smallest size a path must have for at most
// budget paths to be drawn: 0 when every path fits.
func mapThreshold(kept, wasted []int64, budget int) int64 {
	var sizes []int64
	for i := 1; i < len(kept); i++ {
		if s := kept[i] + wasted[i]; s > 0 {
			sizes = append(sizes, s)
		}
	}
	return budgetThreshold(sizes, budget)
}

// budgetThreshold returns the smallest size that at most budget of sizes
// reach (0 when all fit). It reorders sizes.
func budgetThreshold(sizes []int64, budget int) int64 {
	if len(sizes) <= budget {
		return 0
	}
	slices.SortFunc(sizes, func(a, b int64) int { return cmp.Compare(b, a) })
	// The budget-th largest size is the threshold, unless the next path
	// has the same size: then paths of that size are grouped too, so that
	// the budget holds even when many paths have the same size.
	t := sizes[budget-1]
	if sizes[budget] == t {
		t++
	}
	return t
}

type fsMapBuilder struct {
	t            *tree.Tree
	kept, wasted []int64
	files        []int32
	layer        []int32
	threshold    int64
	grouped      int
}

// node builds the rectangle of a path kept in the map, grouping its small
// children.
func (b *fsMapBuilder) node(id tree.NodeID) *mapNode {
	t := b.t
	m := &mapNode{Name: t.Name(id), Kept: b.kept[id], Wasted: b.wasted[id], Layer: int(b.layer[id]), files: int(b.files[id])}
	kids := t.Children(id)
	if len(kids) == 0 && id != tree.Root {
		b.fileDetails(id, m)
		return m
	}
	m.Dir = true
	var other *mapNode
	otherLayers := map[int]int64{}
	for _, k := range kids {
		s := b.kept[k] + b.wasted[k]
		if s == 0 {
			continue
		}
		if s >= b.threshold {
			m.Kids = append(m.Kids, b.node(k))
			continue
		}
		if other == nil {
			other = &mapNode{Layer: -1}
		}
		other.Kept += b.kept[k]
		other.Wasted += b.wasted[k]
		other.Other += max(int(b.files[k]), 1)
		b.layersBelow(k, otherLayers)
	}
	var kidsKept, kidsWasted int64
	for _, k := range m.Kids {
		kidsKept += k.Kept
		kidsWasted += k.Wasted
	}
	if other != nil {
		kidsKept += other.Kept
		kidsWasted += other.Wasted
	}
	if own := (&mapNode{Name: m.Name, Kept: m.Kept - kidsKept, Wasted: m.Wasted - kidsWasted, Layer: -1}); id != tree.Root && own.total() > 0 {
		// The path was a file before it became a directory: its hidden
		// copies get a rectangle of their own.
		b.fileDetails(id, own)
		m.Kids = append(m.Kids, own)
	}
	if other != nil {
		b.grouped += other.Other
		other.Layer = mainLayer(otherLayers)
		other.files = other.Other
		m.Kids = append(m.Kids, other)
	}
	sortMapNodes(m.Kids)
	m.Layer = dirLayer(m)
	return m
}

// fileDetails records where a file's hidden copies are.
func (b *fsMapBuilder) fileDetails(id tree.NodeID, m *mapNode) {
	for _, e := range b.t.History(id) {
		if e.Wasted() && e.Size > 0 {
			m.WastedIn = append(m.WastedIn, int(e.Layer))
			h := int(e.HiddenBy)
			m.HiddenBy = &h
		}
		if m.Layer < 0 && e.Size > 0 {
			m.Layer = int(e.Layer)
		}
	}
}

// layersBelow adds the kept bytes of every file at and below id to their
// layers.
func (b *fsMapBuilder) layersBelow(id tree.NodeID, acc map[int]int64) {
	for _, e := range b.t.History(id) {
		if !e.Shadowed() && e.Kind == walk.File {
			acc[int(e.Layer)] += e.Size
		}
	}
	for _, k := range b.t.Children(id) {
		b.layersBelow(k, acc)
	}
}

// mainLayer returns the layer with the most bytes (the lowest on a tie), or
// -1, and empties acc for its next use.
func mainLayer(acc map[int]int64) int {
	best, bestBytes := -1, int64(-1)
	for l, n := range acc {
		if n > bestBytes || (n == bestBytes && l < best) {
			best, bestBytes = l, n
		}
	}
	clear(acc)
	return best
}

// dirLayer returns the layer that added most of a directory's kept bytes,
// as far as its rectangles tell.
func dirLayer(m *mapNode) int {
	acc := map[int]int64{}
	var add func(n *mapNode)
	add = func(n *mapNode) {
		if !n.Dir {
			if n.Layer >= 0 {
				acc[n.Layer] += n.Kept
			}
			return
		}
		for _, k := range n.Kids {
			if k.Dir {
				// A kept directory already knows its main layer.
				if k.Layer >= 0 {
					acc[k.Layer] += k.Kept
				}
				continue
			}
			add(k)
		}
	}
	add(m)
	return mainLayer(acc)
}

// sortMapNodes orders rectangles largest first (the order the squarified
// layout needs), then by name.
func sortMapNodes(ns []*mapNode) {
	slices.SortStableFunc(ns, func(a, b *mapNode) int {
		if c := cmp.Compare(b.area(), a.area()); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
