package tree

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/stratascan/strata/analyzer/bug"

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

// cursor walks one layer's entries in path order, up to end.
type cursor struct {
	layer int32
	l     *sortedLayer
	k     int // position in path order
	end   int
}

// at returns the tar index of the entry at a position in path order.
func (l *sortedLayer) at(k int) int {
	if l.order != nil {
		return int(l.order[k])
	}
	return k
}

func (c *cursor) path() string { return c.l.entries[c.l.at(c.k)].path }

// before orders cursors by path, then layer.
func (c *cursor) before(o *cursor) bool {
	if r := comparePaths(c.path(), o.path()); r != 0 {
		return r < 0
	}
	return c.layer < o.layer
}

// splitMin is the entry count from which merge works on two halves.
var splitMin = 1 << 16

// merge creates the nodes and places the entries in a k-way merge of the
// layers in path order: nodes get IDs in path order (parents first, implicit
// parent directories created on the way), and the entries at a node are
// grouped, in layer then tar order. Large trees are merged in two halves
// side by side, split at a path: the upper half numbers its nodes from 0 and
// names the directories the lower half opened above its first path by
// their place in that chain, and both are renumbered once joined.
func (t *Tree) merge(layers []sortedLayer) {
	total := 0
	t.byLayer = make([][]int32, len(layers))
	for i := range layers {
		total += len(layers[i].entries)
		t.byLayer[i] = make([]int32, len(layers[i].entries))
	}
	t.entries = make([]Entry, total)
	lo := &half{t: t, nodes: make([]node, 1, total+1)}
	lo.nodes[0] = node{parent: None}
	lo.stack = []open{{"/", Root}}
	pivot, ok := splitPath(layers, total)
	if !ok {
		lo.run(layers, nil, "")
		t.nodes = lo.nodes
		t.packNames()
		return
	}
	// The lower half ends with the greatest path below the pivot: the
	// directories above the pivot that are it or above it are the ones it
	// opened (a directory's subtree is contiguous in path order).
	splits := make([]int, len(layers))
	var last string
	below := 0
	for i := range layers {
		l := &layers[i]
		splits[i] = sort.Search(len(l.entries), func(k int) bool { return comparePaths(l.entries[l.at(k)].path, pivot) >= 0 })
		below += splits[i]
		if splits[i] > 0 {
			if p := l.entries[l.at(splits[i]-1)].path; last == "" || comparePaths(p, last) > 0 {
				last = p
			}
		}
	}
	hi := &half{t: t, base: below}
	chain := []string{"/"}
	dir := pivot[:strings.LastIndexByte(pivot, '/')]
	for at := 1; at <= len(dir); at++ {
		if at == len(dir) || dir[at] == '/' {
			if a := dir[:at]; within(last, a) {
				chain = append(chain, a)
			}
		}
	}
	for k, a := range chain {
		hi.stack = append(hi.stack, open{a, external(k)})
	}
	var failed error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer bug.Catch(&failed)
		hi.run(layers, splits, "")
	}()
	lo.run(layers, nil, pivot)
	<-done
	if failed != nil {
		panic(failed) // in the caller's goroutine, where it can be recovered
	}
	// The chain's directories are on the lower half's stack, which ends at
	// the last path below the pivot.
	ids := make([]NodeID, len(chain))
	for k, a := range chain {
		for _, o := range lo.stack {
			if o.path == a {
				ids[k] = o.id
			}
		}
	}
	offset := NodeID(len(lo.nodes))
	for i := range hi.nodes {
		if p := hi.nodes[i].parent; p < 0 {
			hi.nodes[i].parent = ids[external(0)-p]
		} else {
			hi.nodes[i].parent = p + offset
		}
	}
	for i := below; i < total; i++ {
		t.entries[i].Node += offset
	}
	t.nodes = append(lo.nodes, hi.nodes...)
	t.packNames()
}

// external is the placeholder ID, in the upper half, of the k-th directory
// of the chain the lower half opened.
func external(k int) NodeID { return NodeID(-2 - k) }

// splitPath picks the path the merge splits at: the middle one of the
// largest layer, when the tree is large enough to gain from two halves and
// the path leaves entries on both sides.
func splitPath(layers []sortedLayer, total int) (string, bool) {
	if total < splitMin {
		return "", false
	}
	big := 0
	for i := range layers {
		if len(layers[i].entries) > len(layers[big].entries) {
			big = i
		}
	}
	l := &layers[big]
	p := l.entries[l.at(len(l.entries)/2)].path
	if p == "/" || comparePaths(p, l.entries[l.at(0)].path) == 0 {
		return "", false
	}
	return p, true
}

// open is a node on a half's stack: the last node created and its
// ancestors, the root at the bottom.
type open struct {
	path string
	id   NodeID
}

// half merges the entries of a range of paths into entries from base on.
type half struct {
	t     *Tree
	base  int
	nodes []node
	stack []open
	at    int // next entry position
}

// add creates the node of p (its name after cut) below parent.
func (h *half) add(p string, cut int, parent NodeID) NodeID {
	id := NodeID(len(h.nodes))
	h.nodes = append(h.nodes, node{name: p[cut+1:], parent: parent, first: int32(h.base + h.at)})
	h.stack = append(h.stack, open{p, id})
	return id
}

// run merges each layer's entries from from[i] (0 when from is nil) up to
// the first at or after stop ("" for the end).
func (h *half) run(layers []sortedLayer, from []int, stop string) {
	t := h.t
	heap := make([]*cursor, 0, len(layers))
	for i := range layers {
		l := &layers[i]
		c := &cursor{layer: int32(i), l: l, end: len(l.entries)}
		if from != nil {
			c.k = from[i]
		}
		if stop != "" {
			c.end = sort.Search(len(l.entries), func(k int) bool { return comparePaths(l.entries[l.at(k)].path, stop) >= 0 })
		}
		if c.k < c.end {
			heap = append(heap, c)
		}
	}
	for i := len(heap)/2 - 1; i >= 0; i-- {
		siftDown(heap, i)
	}
	last, n := "", None
	for len(heap) > 0 {
		c := heap[0]
		j := c.l.at(c.k)
		le := &c.l.entries[j]
		if p := le.path; n == None || p != last {
			last = p
			if p == "/" {
				n = Root
			} else {
				dir := p[:strings.LastIndexByte(p, '/')]
				// Close the nodes that are not ancestors of p.
				for len(h.stack) > 1 && !within(dir, h.stack[len(h.stack)-1].path) {
					h.stack = h.stack[:len(h.stack)-1]
				}
				// Open the parent directories no entry has named yet.
				top := h.stack[len(h.stack)-1]
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
					top.id = h.add(dir[:next], from, top.id)
					top.path = dir[:next]
					from = next
				}
				n = h.add(p, len(dir), top.id)
			}
		}
		pos := int32(h.base + h.at)
		h.at++
		t.entries[pos] = Entry{
			Link: le.link, Size: le.size, Hash: le.hash, Mode: le.mode, UID: le.uid, GID: le.gid,
			Node: n, Layer: c.layer, HiddenBy: -1, LastShadow: -1, Kind: le.kind,
		}
		h.nodes[n].count++ // "/" sorts first: the root's entries start at 0
		t.byLayer[c.layer][j] = pos
		c.k++
		if c.k == c.end {
			heap[0] = heap[len(heap)-1]
			heap = heap[:len(heap)-1]
		}
		siftDown(heap, 0)
	}
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
