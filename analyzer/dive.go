package analyzer

import (
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// DiveInefficiency is one path dive lists as inefficient: touched by two or
// more layers, with the sum of all the sizes seen (the live copy included).
type DiveInefficiency struct {
	Path  string `json:"path"`
	Count int    `json:"count"`
	Bytes int64  `json:"bytes"`
}

// diveState replays dive's efficiency algorithm on the merged tree, without
// its quadratic restacking: the lower stacked tree is kept incrementally.
type diveState struct {
	t *tree.Tree
	// the stacked tree of the layers below the current one
	present []bool
	size    []int64
	isDir   []bool
	// per path: layers that touched it, cumulative and smallest size
	count []int32
	cum   []int64
	min   []int64
	// per-layer scratch, stamped with layer+1 to avoid clearing
	inLayer  []int32
	hasChild []int32
	payload  []int32 // entry index of the last non-whiteout entry in the layer
}

// diveMetrics computes dive's efficiency, wasted bytes and user wasted
// percent. headerSizes holds each layer's Σ tar header sizes (dive's layer size).
func diveMetrics(t *tree.Tree, headerSizes []int64) (DiveMetrics, []DiveInefficiency) {
	n := t.Len()
	d := &diveState{
		t: t, present: make([]bool, n), size: make([]int64, n), isDir: make([]bool, n),
		count: make([]int32, n), cum: make([]int64, n), min: make([]int64, n),
		inLayer: make([]int32, n), hasChild: make([]int32, n), payload: make([]int32, n),
	}
	d.present[tree.Root] = true
	for l := 0; l < t.Layers(); l++ {
		d.layer(l)
	}

	var m DiveMetrics
	var sumMin, sumCum int64
	var ineff []DiveInefficiency
	for i := 0; i < n; i++ {
		if d.count[i] == 0 {
			continue
		}
		sumMin += d.min[i]
		sumCum += d.cum[i]
		if d.count[i] >= 2 {
			m.WastedBytes += d.cum[i]
			ineff = append(ineff, DiveInefficiency{Path: t.Path(tree.NodeID(i)), Count: int(d.count[i]), Bytes: d.cum[i]})
		}
	}
	for l, s := range headerSizes {
		m.SizeBytes += s
		if l > 0 {
			m.UserSizeBytes += s
		}
	}
	m.Efficiency = 1
	if sumCum > 0 {
		m.Efficiency = float64(sumMin) / float64(sumCum)
	}
	if m.UserSizeBytes > 0 {
		m.UserWastedPercent = float64(m.WastedBytes) / float64(m.UserSizeBytes)
	}
	slices.SortStableFunc(ineff, func(a, b DiveInefficiency) int {
		if a.Bytes != b.Bytes {
			if a.Bytes > b.Bytes {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return m, ineff
}

// diveLeaf is one leaf of dive's tree of a layer.
type diveLeaf struct {
	node     tree.NodeID
	whiteout bool
	key      string // the path as dive sorts it
}

// layer runs dive's walk of one layer's leaves, then stacks the layer.
func (d *diveState) layer(l int) {
	t, stamp := d.t, int32(l+1)
	var whiteouts []tree.NodeID
	var nodes []tree.NodeID // nodes with a non-whiteout entry in the layer
	for _, idx := range t.LayerEntries(l) {
		e := t.Entry(idx)
		switch e.Kind {
		case walk.Opaque:
			continue // dive drops opaque markers
		case walk.Whiteout:
			whiteouts = append(whiteouts, e.Node)
			d.markAncestors(t.Parent(e.Node), stamp, true)
		default:
			if d.inLayer[e.Node] != stamp {
				nodes = append(nodes, e.Node)
			}
			d.payload[e.Node] = idx
			d.markAncestors(e.Node, stamp, false)
		}
	}

	leaves := make([]diveLeaf, 0, len(nodes)+len(whiteouts))
	for _, n := range nodes {
		if d.hasChild[n] != stamp {
			leaves = append(leaves, diveLeaf{node: n})
		}
	}
	for _, n := range whiteouts {
		leaves = append(leaves, diveLeaf{node: n, whiteout: true})
	}
	// A whiteout whose target is missing aborts the rest of dive's walk, so
	// then the order of the walk matters: depth first, names sorted.
	if slices.ContainsFunc(whiteouts, func(n tree.NodeID) bool { return !d.present[n] }) {
		d.sortLeaves(leaves)
	}
	for _, lf := range leaves {
		var size int64
		if lf.whiteout {
			if !d.present[lf.node] {
				break
			}
			if d.isDir[lf.node] {
				size = d.subtreeSize(lf.node)
			}
		} else {
			size = t.Entry(d.payload[lf.node]).Size
		}
		if d.count[lf.node] == 0 || size < d.min[lf.node] {
			d.min[lf.node] = size
		}
		d.count[lf.node]++
		d.cum[lf.node] += size
	}
	d.stack(l, stamp, whiteouts)
}

// markAncestors records that n (and, unless skipSelf, n itself) belongs to
// the layer's tree and that its ancestors have children in it.
func (d *diveState) markAncestors(n tree.NodeID, stamp int32, parentOnly bool) {
	if !parentOnly {
		d.inLayer[n] = stamp
		n = d.t.Parent(n)
	} else if n != tree.None {
		// n is the parent of a whiteout: it has a child in this layer.
		d.hasChild[n] = stamp
		if d.inLayer[n] == stamp {
			return
		}
		d.inLayer[n] = stamp
		d.payload[n] = -1
		n = d.t.Parent(n)
	}
	for ; n != tree.None && n != tree.Root; n = d.t.Parent(n) {
		d.hasChild[n] = stamp
		if d.inLayer[n] == stamp {
			return
		}
		d.inLayer[n] = stamp
		d.payload[n] = -1
	}
}

// sortLeaves orders leaves as dive's depth-first walk visits them.
func (d *diveState) sortLeaves(leaves []diveLeaf) {
	for i := range leaves {
		leaves[i].key = d.diveKey(leaves[i].node, leaves[i].whiteout)
	}
	slices.SortFunc(leaves, func(a, b diveLeaf) int { return strings.Compare(a.key, b.key) })
}

// diveKey is the node's path with NUL separators, so that byte order equals
// component order; whiteouts sort under their ".wh." name.
func (d *diveState) diveKey(n tree.NodeID, whiteout bool) string {
	var parts []string
	name := d.t.Name(n)
	if whiteout {
		name = ".wh." + name
	}
	parts = append(parts, name)
	for m := d.t.Parent(n); m != tree.Root && m != tree.None; m = d.t.Parent(m) {
		parts = append(parts, d.t.Name(m))
	}
	slices.Reverse(parts)
	return strings.Join(parts, "\x00")
}

// subtreeSize sums the stacked sizes of a present node and its descendants.
func (d *diveState) subtreeSize(n tree.NodeID) int64 {
	s := d.size[n]
	for _, c := range d.t.Children(n) {
		if d.present[c] {
			s += d.subtreeSize(c)
		}
	}
	return s
}

// stack applies the layer to the stacked tree as dive's Stack does: every
// node of the layer's tree (intermediate ones with an empty payload) is added,
// every whiteout removes its target's subtree.
func (d *diveState) stack(l int, stamp int32, whiteouts []tree.NodeID) {
	t := d.t
	var members []tree.NodeID
	for _, idx := range t.LayerEntries(l) {
		e := t.Entry(idx)
		if e.Kind == walk.Opaque {
			continue
		}
		start := e.Node
		if e.Kind == walk.Whiteout {
			start = t.Parent(e.Node)
		}
		for n := start; n != tree.Root && n != tree.None; n = t.Parent(n) {
			if d.inLayer[n] != stamp || d.hasChild[n] == -stamp {
				break
			}
			d.hasChild[n] = -stamp // visited marker for this pass
			members = append(members, n)
		}
	}
	// Removals and additions only interact when a whiteout's target is in
	// the layer's own tree (it or a descendant is added by the layer too);
	// otherwise they can be applied in any order.
	if !slices.ContainsFunc(whiteouts, func(n tree.NodeID) bool { return d.inLayer[n] == stamp }) {
		for _, n := range whiteouts {
			if d.present[n] {
				d.remove(n)
			}
		}
		for _, n := range members {
			d.add(n)
		}
		return
	}
	// Visit in dive's order: children before parents, names sorted.
	items := make([]diveLeaf, 0, len(members)+len(whiteouts))
	for _, n := range members {
		items = append(items, diveLeaf{node: n, key: d.diveKey(n, false) + "\x00\xff"})
	}
	for _, n := range whiteouts {
		items = append(items, diveLeaf{node: n, whiteout: true, key: d.diveKey(n, true) + "\x00\xff"})
	}
	slices.SortFunc(items, func(a, b diveLeaf) int { return strings.Compare(a.key, b.key) })
	for _, it := range items {
		if it.whiteout {
			if d.present[it.node] {
				d.remove(it.node)
			}
			continue
		}
		d.add(it.node)
	}
}

// add sets a layer node's payload in the stacked tree, creating missing
// parents with an empty payload.
func (d *diveState) add(n tree.NodeID) {
	for m := d.t.Parent(n); m != tree.Root && m != tree.None && !d.present[m]; m = d.t.Parent(m) {
		d.present[m], d.size[m], d.isDir[m] = true, 0, false
	}
	d.present[n] = true
	if idx := d.payload[n]; idx >= 0 {
		e := d.t.Entry(idx)
		d.size[n], d.isDir[n] = e.Size, e.Kind == walk.Dir
	} else {
		d.size[n], d.isDir[n] = 0, false
	}
}

// remove drops a node and its subtree from the stacked tree.
func (d *diveState) remove(n tree.NodeID) {
	d.present[n] = false
	for _, c := range d.t.Children(n) {
		if d.present[c] {
			d.remove(c)
		}
	}
}
