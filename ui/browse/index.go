package browse

import (
	"slices"

	"github.com/stratascan/strata/analyzer/tree"
)

// aggPoint is one step of a directory's subtree totals: from Layer on (until
// the next point), the strict subtree holds Count visible entries of Bytes.
type aggPoint struct {
	Bytes int64
	Layer int32
	Count int32
}

// treeIndex is what the browser precomputes once per tree, in time and
// memory linear in the number of entries: each directory's subtree totals as
// of every layer (sparse, only where they change) and which paths hold
// wasted bytes. It never copies the tree.
type treeIndex struct {
	t *tree.Tree
	// dir[n] is the index in agg of the points of node n's subtree totals,
	// or -1 for a leaf (most nodes: no slice header is kept for them).
	dir []int32
	agg [][]aggPoint
	// wasted holds wastedSelf and wastedBelow bits per node.
	wasted []uint8
}

const (
	wastedSelf  uint8 = 1
	wastedBelow uint8 = 2
)

// newTreeIndex computes the index in one reverse pass over the nodes
// (children have larger IDs than their parents).
func newTreeIndex(t *tree.Tree) *treeIndex {
	n := t.Len()
	ix := &treeIndex{t: t, dir: make([]int32, n), wasted: make([]uint8, n)}
	dirs := int32(0)
	for id := range ix.dir {
		ix.dir[id] = -1
		if len(t.Children(tree.NodeID(id))) > 0 {
			ix.dir[id] = dirs
			dirs++
		}
	}
	ix.agg = make([][]aggPoint, dirs)
	var own []aggPoint
	for id := n - 1; id >= 0; id-- {
		node := tree.NodeID(id)
		own = own[:0]
		for _, e := range t.History(node) {
			if e.Wasted() && e.Size > 0 {
				ix.wasted[id] |= wastedSelf
			}
			if e.Kind.IsMarker() || e.HiddenBy == e.Layer {
				continue
			}
			own = addPoint(own, int32(e.Layer), e.Size, 1)
			if e.HiddenBy >= 0 {
				own = addPoint(own, int32(e.HiddenBy), -e.Size, -1)
			}
		}
		if h := t.Held(node); h != nil { // a hard link now holds bytes hidden at their path
			own = addPoint(own, h.HiddenBy, h.Size, 0)
		}
		if id == 0 {
			break
		}
		parent := t.Parent(node)
		if ix.wasted[id] != 0 {
			ix.wasted[parent] |= wastedBelow
		}
		acc := ix.agg[ix.dir[parent]]
		for _, p := range own {
			acc = addPoint(acc, p.Layer, p.Bytes, p.Count)
		}
		for _, p := range ix.points(node) { // deltas still: children are done before this node is cumulated
			acc = addPoint(acc, p.Layer, p.Bytes, p.Count)
		}
		ix.agg[ix.dir[parent]] = acc
		ix.cumulate(node)
	}
	ix.cumulate(tree.Root)
	return ix
}

// addPoint adds a delta at a layer to a sorted list of deltas.
func addPoint(ps []aggPoint, layer int32, bytes int64, count int32) []aggPoint {
	i, found := slices.BinarySearchFunc(ps, layer, func(p aggPoint, l int32) int { return int(p.Layer - l) })
	if found {
		ps[i].Bytes += bytes
		ps[i].Count += count
		return ps
	}
	return slices.Insert(ps, i, aggPoint{Layer: layer, Bytes: bytes, Count: count})
}

// cumulate turns a node's deltas into running totals and trims spare
// capacity. A node's deltas are complete once all its children were added.
func (ix *treeIndex) cumulate(n tree.NodeID) {
	d := ix.dir[n]
	if d < 0 {
		return
	}
	ps := ix.agg[d]
	if len(ps) == 0 {
		ix.agg[d] = nil
		return
	}
	var b int64
	var c int32
	for i := range ps {
		b += ps[i].Bytes
		c += ps[i].Count
		ps[i].Bytes, ps[i].Count = b, c
	}
	ix.agg[d] = slices.Clip(ps)
}

// points returns the points of node n's subtree totals (nil for a leaf).
func (ix *treeIndex) points(n tree.NodeID) []aggPoint {
	if d := ix.dir[n]; d >= 0 {
		return ix.agg[d]
	}
	return nil
}

// subtree returns the bytes and the number of visible entries below node n
// in the filesystem as of a layer.
func (ix *treeIndex) subtree(n tree.NodeID, layer int) (int64, int) {
	ps := ix.points(n)
	i, found := slices.BinarySearchFunc(ps, int32(layer), func(p aggPoint, l int32) int { return int(p.Layer - l) })
	if !found {
		i--
	}
	if i < 0 {
		return 0, 0
	}
	return ps[i].Bytes, int(ps[i].Count)
}

// isDir reports whether a node has children.
func (ix *treeIndex) isDir(n tree.NodeID) bool { return len(ix.t.Children(n)) > 0 }
