package tree

import (
	"cmp"
	"slices"

	"github.com/stratascan/strata/analyzer/bug"
	"github.com/stratascan/strata/analyzer/walk"
)

// ChangeType says how a path differs between two filesystems.
type ChangeType uint8

// The change types. Unchanged marks a path a layer re-added identically.
const (
	Unchanged ChangeType = iota
	Added
	Modified
	Removed
)

var changeNames = [...]string{"unchanged", "added", "modified", "removed"}

// String returns the change type's lower-case name.
func (c ChangeType) String() string { return changeNames[c] }

// Change is one path that differs between two filesystems.
type Change struct {
	// Node is the path.
	Node NodeID
	// Type is how it changed.
	Type ChangeType
	// Before is the entry visible before (-1 for Added).
	Before int32
	// After is the entry visible after (-1 for Removed).
	After int32
}

// Bytes returns the size the change is accounted with: the new entry's size,
// or for a removal the size of what was removed.
func (t *Tree) Bytes(c Change) int64 {
	if c.After >= 0 {
		return t.entries[c.After].Size
	}
	if c.Before >= 0 {
		return t.entries[c.Before].Size
	}
	return 0
}

// State returns the index of the entry visible at node n in the filesystem
// as of layer i (after applying layers 0..i), or -1 when nothing is there.
// Layer -1 is the empty filesystem.
func (t *Tree) State(n NodeID, i int) int32 {
	nd := &t.nodes[n]
	hist := t.entries[nd.first : nd.first+nd.count]
	// Entries are in layer order: find the last one of a layer <= i, then
	// step back over opaque markers.
	k, _ := slices.BinarySearchFunc(hist, int32(i)+1, func(e Entry, l int32) int { return cmp.Compare(e.Layer, l) })
	k--
	for k >= 0 && hist[k].Kind == walk.Opaque {
		k--
	}
	if k < 0 {
		return -1
	}
	found := nd.first + int32(k)
	e := &t.entries[found]
	if e.Kind == walk.Whiteout {
		return -1
	}
	above := t.inherited(n)
	if len(above) > 0 {
		j, _ := slices.BinarySearch(above, e.Layer+1)
		if j < len(above) && int(above[j]) <= i {
			return -1
		}
	}
	return found
}

// classify compares a node's states before and after and reports the change.
// fromLayer is the first layer of the range whose entries count as touching.
func (t *Tree) classify(n NodeID, before, after int32, fromLayer int) (Change, bool) {
	c := Change{Node: n, Before: before, After: after}
	switch {
	case before < 0 && after < 0:
		return c, false
	case before < 0:
		c.Type = Added
	case after < 0:
		c.Type = Removed
	case before == after || int(t.entries[after].Layer) < fromLayer:
		return c, false
	case t.entries[after].Same(&t.entries[before]):
		c.Type = Unchanged
	default:
		c.Type = Modified
	}
	return c, true
}

// computeChanges records, for every layer, the paths it changes. A node can
// only change in a layer that has an entry at it or removes something above
// it. The nodes are split in two ranges worked on side by side; their lists
// are joined in node order.
func (t *Tree) computeChanges() {
	mid := len(t.nodes) / 2
	var upper [][]Change
	var failed error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer bug.Catch(&failed)
		upper = t.changesOf(NodeID(mid), NodeID(len(t.nodes)))
	}()
	t.changes = t.changesOf(0, NodeID(mid))
	<-done
	if failed != nil {
		panic(failed) // in the caller's goroutine, where it can be recovered
	}
	for l := range t.changes {
		t.changes[l] = append(t.changes[l], upper[l]...)
	}
}

// changesOf computes the per-layer changes of the nodes in [from, to).
func (t *Tree) changesOf(from, to NodeID) [][]Change {
	changes := make([][]Change, t.layers)
	var cand []int32
	for n := from; n < to; n++ {
		cand = cand[:0]
		above := t.inherited(n)
		for _, e := range t.History(n) {
			if e.Kind == walk.Opaque {
				continue
			}
			cand = append(cand, e.Layer)
			// Of the layers removing the node from above, only the first
			// after each of its entries can change it: later ones find it
			// already gone. Taking only those keeps the work linear in the
			// entries, however many layers remove something above.
			if j, _ := slices.BinarySearch(above, e.Layer+1); j < len(above) {
				cand = append(cand, above[j])
			}
		}
		if len(cand) == 0 {
			continue // an implicit directory: never present on its own
		}
		slices.Sort(cand)
		cand = slices.Compact(cand)
		for _, l := range cand {
			before, after := t.State(n, int(l)-1), t.State(n, int(l))
			if c, ok := t.classify(n, before, after, int(l)); ok {
				changes[l] = append(changes[l], c)
			}
		}
	}
	return changes
}

// LayerChanges returns the changes of one layer against the layers below it,
// in node order. Do not modify.
func (t *Tree) LayerChanges(layer int) []Change { return t.changes[layer] }

// Changes returns the aggregated changes of layers a..b (inclusive): the
// filesystem as of layer b compared with the one as of layer a-1.
func (t *Tree) Changes(a, b int) []Change {
	if a == b {
		return t.changes[a]
	}
	seen := make(map[NodeID]struct{})
	var nodes []NodeID
	for l := a; l <= b; l++ {
		for _, c := range t.changes[l] {
			if _, ok := seen[c.Node]; !ok {
				seen[c.Node] = struct{}{}
				nodes = append(nodes, c.Node)
			}
		}
	}
	slices.Sort(nodes)
	out := make([]Change, 0, len(nodes))
	for _, n := range nodes {
		if c, ok := t.classify(n, t.State(n, a-1), t.State(n, b), a); ok {
			out = append(out, c)
		}
	}
	return out
}
