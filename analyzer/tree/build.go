package tree

import (
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/walk"
)

// Builder merges layers into a Tree. Layers may be added in any order (as
// their walks complete); the result does not depend on that order.
type Builder struct {
	index  map[string]NodeID
	nodes  []node
	layers [][]Entry // each layer's entries in tar order
	// the directory of the last path created: tars list a directory's
	// entries together, so most new paths share it
	lastDir   string
	lastDirID NodeID
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder { return NewBuilderSize(0) }

// NewBuilderSize returns an empty builder ready for about paths paths, so
// that its index is not grown step by step.
func NewBuilderSize(paths int) *Builder {
	index := make(map[string]NodeID, max(paths, 1))
	index["/"] = Root
	return &Builder{
		index:   index,
		nodes:   []node{{parent: None}},
		lastDir: "/",
	}
}

// Add merges the entries of one layer, given in tar order.
func (b *Builder) Add(layer int, entries []walk.Entry) {
	for len(b.layers) <= layer {
		b.layers = append(b.layers, nil)
	}
	les := make([]Entry, len(entries))
	for i := range entries {
		we := &entries[i]
		les[i] = Entry{
			Link: we.Link, Size: we.Size, Hash: we.Hash, Mode: we.Mode, UID: we.UID, GID: we.GID,
			Node: b.ensure(we.Path), Layer: int32(layer), HiddenBy: -1, LastShadow: -1, Kind: we.Kind,
		}
	}
	b.layers[layer] = les
}

// ensure returns the node of a clean absolute path, creating it and its
// parents as needed.
func (b *Builder) ensure(p string) NodeID {
	if id, ok := b.index[p]; ok {
		return id
	}
	cut := strings.LastIndexByte(p, '/')
	parentPath := p[:cut]
	if cut == 0 {
		parentPath = "/"
	}
	parent := b.lastDirID
	if parentPath != b.lastDir {
		parent = b.ensure(parentPath)
		b.lastDir, b.lastDirID = parentPath, parent
	}
	id := NodeID(len(b.nodes))
	if len(b.nodes) == cap(b.nodes) {
		b.nodes = slices.Grow(b.nodes, len(b.nodes))
	}
	b.nodes = append(b.nodes, node{name: p[cut+1:], parent: parent})
	b.index[p] = id
	return id
}

// Build finishes the tree. The builder must not be used afterwards.
func (b *Builder) Build() *Tree {
	t := &Tree{nodes: b.nodes, layers: len(b.layers)}
	b.index, b.nodes = nil, nil
	t.linkChildren()
	perm := t.renumber()
	for _, les := range b.layers {
		for i := range les {
			les[i].Node = perm[les[i].Node]
		}
	}
	t.groupEntries(b.layers)
	b.layers = nil
	t.computeRemovals()
	t.computeShadows()
	t.computeLinks()
	t.computeChanges()
	return t
}

// renumber gives nodes the IDs of a depth-first walk with names sorted, so
// that IDs follow path order whatever order layers arrived in; it returns
// the old-to-new ID map and rebuilds the child lists.
func (t *Tree) renumber() []NodeID {
	perm := make([]NodeID, len(t.nodes))
	next := NodeID(0)
	stack := []NodeID{Root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		perm[n] = next
		next++
		kids := t.Children(n)
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
	nodes := make([]node, len(t.nodes))
	for old, nd := range t.nodes {
		if nd.parent != None {
			nd.parent = perm[nd.parent]
		}
		nodes[perm[old]] = nd
	}
	t.nodes = nodes
	t.linkChildrenSorted(true)
	return perm
}

// groupEntries places entries grouped by node (a stable counting sort over
// the layers in order) and records each layer's entry indexes.
func (t *Tree) groupEntries(layers [][]Entry) {
	for i := range t.nodes {
		t.nodes[i].count = 0
	}
	total := 0
	for _, les := range layers {
		total += len(les)
		for i := range les {
			t.nodes[les[i].Node].count++
		}
	}
	var at int32
	for i := range t.nodes {
		t.nodes[i].first = at
		at += t.nodes[i].count
	}
	fill := make([]int32, len(t.nodes))
	t.entries = make([]Entry, total)
	t.byLayer = make([][]int32, len(layers))
	for l, les := range layers {
		idx := make([]int32, len(les))
		for j := range les {
			n := les[j].Node
			pos := t.nodes[n].first + fill[n]
			fill[n]++
			t.entries[pos] = les[j]
			idx[j] = pos
		}
		t.byLayer[l] = idx
	}
}

// linkChildren builds the child lists, sorted by name.
func (t *Tree) linkChildren() { t.linkChildrenSorted(false) }

// linkChildrenSorted builds the child lists; sorted says the IDs already
// follow name order (after renumber), so nothing needs sorting.
func (t *Tree) linkChildrenSorted(sorted bool) {
	counts := make([]int32, len(t.nodes))
	for i := 1; i < len(t.nodes); i++ {
		counts[t.nodes[i].parent]++
	}
	var at int32
	for i := range t.nodes {
		t.nodes[i].child = at
		t.nodes[i].nchild = 0
		at += counts[i]
	}
	t.children = make([]NodeID, at)
	for i := 1; i < len(t.nodes); i++ {
		p := &t.nodes[t.nodes[i].parent]
		t.children[p.child+p.nchild] = NodeID(i)
		p.nchild++
	}
	if sorted {
		return
	}
	for i := range t.nodes {
		kids := t.Children(NodeID(i))
		if len(kids) > 1 && !slices.IsSortedFunc(kids, t.byName) {
			slices.SortFunc(kids, t.byName)
		}
	}
}

func (t *Tree) byName(a, b NodeID) int { return strings.Compare(t.nodes[a].name, t.nodes[b].name) }

// removesBelow reports whether an entry of this kind removes whatever lower
// layers put below its path.
func removesBelow(k walk.Kind) bool { return k != walk.Dir }

// computeRemovals interns, for every node, the sorted layers in which its
// descendants from lower layers are removed. Parents come before children,
// so one pass in ID order suffices.
func (t *Tree) computeRemovals() {
	t.kills = [][]int32{nil}
	var own []int32
	for i := range t.nodes {
		n := NodeID(i)
		var inherited int32
		if n != Root {
			inherited = t.nodes[t.nodes[n].parent].kids
		}
		t.nodes[n].kids = inherited
		if t.nodes[n].nchild == 0 {
			continue // nothing below it to remove
		}
		own = own[:0]
		for _, e := range t.History(n) {
			if removesBelow(e.Kind) && (len(own) == 0 || own[len(own)-1] != e.Layer) {
				own = append(own, e.Layer)
			}
		}
		if len(own) == 0 {
			continue
		}
		merged := mergeLayers(t.kills[inherited], own)
		if len(merged) != len(t.kills[inherited]) {
			t.kills = append(t.kills, merged)
			t.nodes[n].kids = int32(len(t.kills) - 1)
		}
	}
}

// mergeLayers merges two sorted layer lists without duplicates.
func mergeLayers(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var v int32
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			v, i = a[i], i+1
		case i == len(a) || b[j] < a[i]:
			v, j = b[j], j+1
		default:
			v, i, j = a[i], i+1, j+1
		}
		out = append(out, v)
	}
	return out
}

// computeShadows sets HiddenBy and LastShadow on every entry.
func (t *Tree) computeShadows() {
	for i := range t.nodes {
		n := NodeID(i)
		above := t.inherited(n)
		hist := t.History(n)
		// Walk backwards keeping the first and last later same-path entry.
		next, last := int32(-1), int32(-1)
		for k := len(hist) - 1; k >= 0; k-- {
			e := &hist[k]
			first, latest := next, last
			if len(above) > 0 && above[len(above)-1] > e.Layer {
				j, _ := slices.BinarySearch(above, e.Layer+1)
				if first < 0 || above[j] < first {
					first = above[j]
				}
				if above[len(above)-1] > latest {
					latest = above[len(above)-1]
				}
			}
			e.HiddenBy, e.LastShadow = first, latest
			if e.Kind != walk.Opaque {
				next = e.Layer
				if last < 0 {
					last = e.Layer
				}
			}
		}
	}
}
