package tree

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/stratascan/strata/analyzer/walk"
)

// Builder merges layers into a Tree. Layers may be added in any order (as
// their walks complete) and from several goroutines at once; the result does
// not depend on that order.
//
// Each layer's entries are kept, in a list of their exact length holding
// only what the tree needs, with the order that sorts them by path, until
// Build merges all the layers in one pass: nodes are created in path order,
// so they get their final IDs at once and no index of the paths is ever
// built.
type Builder struct {
	mu     sync.Mutex
	layers []sortedLayer
}

// layerEntry is what the builder keeps of a walk.Entry.
type layerEntry struct {
	path, link     string
	size           int64
	hash           uint64
	mode, uid, gid uint32
	kind           walk.Kind
}

// sortedLayer is one layer's entries in tar order and the order that sorts
// them by path (nil when tar order already does).
type sortedLayer struct {
	entries []layerEntry
	order   []int32
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder { return &Builder{} }

// Add records the entries of one layer, given in tar order. The builder
// copies what it needs: the caller may drop or reuse the slice.
func (b *Builder) Add(layer int, entries []walk.Entry) {
	l := sortedLayer{entries: make([]layerEntry, len(entries))}
	sorted := true
	for i := range entries {
		we := &entries[i]
		l.entries[i] = layerEntry{path: we.Path, link: we.Link, size: we.Size, hash: we.Hash, mode: we.Mode, uid: we.UID, gid: we.GID, kind: we.Kind}
		if sorted && i > 0 && comparePaths(entries[i-1].Path, we.Path) > 0 {
			sorted = false
		}
	}
	if !sorted {
		les := l.entries
		l.order = make([]int32, len(les))
		for i := range l.order {
			l.order[i] = int32(i)
		}
		// Stable: the entries at one path keep their tar order.
		slices.SortStableFunc(l.order, func(a, b int32) int { return comparePaths(les[a].path, les[b].path) })
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.layers) <= layer {
		b.layers = append(b.layers, sortedLayer{})
	}
	b.layers[layer] = l
}

// comparePaths orders clean absolute paths as a depth-first walk with names
// sorted does: element by element, so "/a/b" comes before "/a-b" and
// "/a.txt" (a '/' ranks below every other byte).
func comparePaths(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return cmp.Compare(len(a), len(b))
	}
	switch {
	case a[i] == '/':
		return -1
	case b[i] == '/':
		return 1
	}
	return cmp.Compare(a[i], b[i])
}

// Build finishes the tree. The builder must not be used afterwards.
func (b *Builder) Build() *Tree {
	b.mu.Lock()
	layers := b.layers
	b.layers = nil
	b.mu.Unlock()
	t := &Tree{layers: len(layers)}
	t.merge(layers)
	t.linkChildren()
	t.computeRemovals()
	t.computeShadows()
	t.computeLinks()
	t.computeChanges()
	return t
}

// cursor walks one layer's entries in path order.
type cursor struct {
	layer int32
	l     *sortedLayer
	k     int // position in path order
}

// at returns the tar index of the cursor's entry.
func (c *cursor) at() int {
	if c.l.order != nil {
		return int(c.l.order[c.k])
	}
	return c.k
}

func (c *cursor) path() string { return c.l.entries[c.at()].path }

// before orders cursors by path, then layer.
func (c *cursor) before(o *cursor) bool {
	if r := comparePaths(c.path(), o.path()); r != 0 {
		return r < 0
	}
	return c.layer < o.layer
}

// merge creates the nodes and places the entries in one k-way merge of the
// layers in path order: nodes get IDs in path order (parents first, implicit
// parent directories created on the way), and the entries at a node are
// grouped, in layer then tar order.
func (t *Tree) merge(layers []sortedLayer) {
	total := 0
	heap := make([]*cursor, 0, len(layers))
	t.byLayer = make([][]int32, len(layers))
	for i := range layers {
		l := &layers[i]
		total += len(l.entries)
		t.byLayer[i] = make([]int32, len(l.entries))
		if len(l.entries) > 0 {
			heap = append(heap, &cursor{layer: int32(i), l: l})
		}
	}
	for i := len(heap)/2 - 1; i >= 0; i-- {
		siftDown(heap, i)
	}
	t.entries = make([]Entry, 0, total)
	t.nodes = make([]node, 1, total+1)
	t.nodes[0] = node{parent: None}
	// stack holds the path and node of the last node created and of its
	// ancestors, the root at the bottom.
	type open struct {
		path string
		id   NodeID
	}
	stack := []open{{"/", Root}}
	add := func(p string, cut int, parent NodeID) NodeID {
		id := NodeID(len(t.nodes))
		t.nodes = append(t.nodes, node{name: p[cut+1:], parent: parent, first: int32(len(t.entries))})
		stack = append(stack, open{p, id})
		return id
	}
	last, n := "", None
	for len(heap) > 0 {
		c := heap[0]
		j := c.at()
		le := &c.l.entries[j]
		if p := le.path; n == None || p != last {
			last = p
			if p == "/" {
				n = Root
			} else {
				dir := p[:strings.LastIndexByte(p, '/')]
				// Close the nodes that are not ancestors of p.
				for len(stack) > 1 && !within(dir, stack[len(stack)-1].path) {
					stack = stack[:len(stack)-1]
				}
				// Open the parent directories no entry has named yet.
				top := stack[len(stack)-1]
				for from := len(top.path); from < len(dir); {
					if from == 1 {
						from = 0 // below the root, whose path ends with its '/'
					}
					next := strings.IndexByte(dir[from+1:], '/')
					if next < 0 {
						next = len(dir)
					} else {
						next += from + 1
					}
					top.id = add(dir[:next], from, top.id)
					top.path = dir[:next]
					from = next
				}
				n = add(p, len(dir), top.id)
			}
		}
		pos := int32(len(t.entries))
		t.entries = append(t.entries, Entry{
			Link: le.link, Size: le.size, Hash: le.hash, Mode: le.mode, UID: le.uid, GID: le.gid,
			Node: n, Layer: c.layer, HiddenBy: -1, LastShadow: -1, Kind: le.kind,
		})
		t.nodes[n].count++ // "/" sorts first: the root's entries start at 0
		t.byLayer[c.layer][j] = pos
		c.k++
		if c.k == len(c.l.entries) {
			c.l.entries, c.l.order = nil, nil // merged: the collector may take them
			heap[0] = heap[len(heap)-1]
			heap = heap[:len(heap)-1]
		}
		siftDown(heap, 0)
	}
	t.nodes = slices.Clip(t.nodes)
	t.packNames()
}

// packNames copies the nodes' names, cut from the entries' whole paths, into
// one string, so that the paths are not kept for their last element.
func (t *Tree) packNames() {
	size := 0
	for i := range t.nodes {
		size += len(t.nodes[i].name)
	}
	var b strings.Builder
	b.Grow(size)
	for i := range t.nodes {
		b.WriteString(t.nodes[i].name)
	}
	all, at := b.String(), 0
	for i := range t.nodes {
		n := len(t.nodes[i].name)
		t.nodes[i].name = all[at : at+n]
		at += n
	}
}

// within reports whether dir is the directory d or below it.
func within(dir, d string) bool {
	return d == "/" || dir == d || (len(dir) > len(d) && dir[len(d)] == '/' && dir[:len(d)] == d)
}

// siftDown restores the heap order below position i.
func siftDown(h []*cursor, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].before(h[l]) {
			m = r
		}
		if !h[m].before(h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// linkChildren builds the child lists. IDs follow path order, so each list
// is sorted by name as it is filled.
func (t *Tree) linkChildren() {
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
}

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
