package browse

import (
	"cmp"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
)

// navigator answers, for the current view and options, which nodes are shown
// and in what order, without ever flattening the whole tree: moving, paging
// and drawing walk only the rows they touch. Sorted child lists and sizes are
// cached per view state and dropped when it changes.
type navigator struct {
	ix    *treeIndex
	t     *tree.Tree
	vf    *viewFlags
	opts  treeOptions
	match []uint8 // path filter bits per node (matchSelf, matchBelow), nil when off

	sorted map[tree.NodeID][]tree.NodeID // size-ordered children
	pos    map[tree.NodeID]int32         // a node's index among its size-ordered siblings
	sizes  map[tree.NodeID]int64
}

const (
	matchSelf  uint8 = 1
	matchBelow uint8 = 2
)

// treeOptions are the user's choices that decide what the tree shows.
type treeOptions struct {
	show       typeMask // change types shown
	onlyWasted bool
	bySize     bool
	expandAll  bool
	toggled    map[tree.NodeID]bool // nodes whose expansion differs from expandAll
}

// reset drops the caches; call it whenever the view or an option changes.
func (nv *navigator) reset() {
	nv.sorted, nv.pos, nv.sizes = nil, nil, nil
}

// present reports whether a node exists in the filesystem as of the view's
// last layer.
func (nv *navigator) present(n tree.NodeID) bool {
	if nv.t.State(n, nv.vf.span.To) >= 0 {
		return true
	}
	_, c := nv.ix.subtree(n, nv.vf.span.To)
	return c > 0
}

// kind returns how a node appears in the view: its change type, and false
// when it is not part of the view at all.
func (nv *navigator) kind(n tree.NodeID) (tree.ChangeType, bool) {
	if typ, ok := nv.vf.changed(n); ok {
		return typ, true
	}
	if nv.present(n) {
		return tree.Unchanged, true
	}
	return 0, false
}

// shown reports whether a node is a row of the tree.
func (nv *navigator) shown(n tree.NodeID) bool {
	typ, ok := nv.kind(n)
	if !ok {
		return false
	}
	if nv.opts.onlyWasted && nv.ix.wasted[n] == 0 {
		return false
	}
	if nv.match != nil && nv.match[n] == 0 {
		return false
	}
	if nv.opts.show.has(typ) {
		return true
	}
	return nv.ix.isDir(n) && nv.vf.below(n)&nv.opts.show != 0
}

// expanded reports whether a directory shows its children.
func (nv *navigator) expanded(n tree.NodeID) bool {
	return nv.ix.isDir(n) && nv.opts.expandAll != nv.opts.toggled[n]
}

// size returns what a node weighs in the view: a file's size, a directory's
// visible subtree; removed nodes weigh what they weighed before.
func (nv *navigator) size(n tree.NodeID) int64 {
	if s, ok := nv.sizes[n]; ok {
		return s
	}
	layer := nv.vf.span.To
	if typ, ok := nv.vf.changed(n); ok && typ == tree.Removed {
		layer = nv.vf.span.From - 1
	}
	var s int64
	if e := nv.t.State(n, layer); e >= 0 {
		s = nv.t.Entry(e).Size
	}
	if nv.ix.isDir(n) {
		b, _ := nv.ix.subtree(n, layer)
		s += b
	}
	if nv.sizes == nil {
		nv.sizes = make(map[tree.NodeID]int64)
	}
	nv.sizes[n] = s
	return s
}

// entry returns the entry a row shows: the one visible as of the view, or
// for a removed node the one that was removed; nil for implicit directories.
func (nv *navigator) entry(n tree.NodeID) *tree.Entry {
	if e := nv.t.State(n, nv.vf.span.To); e >= 0 {
		return nv.t.Entry(e)
	}
	if e := nv.t.State(n, nv.vf.span.From-1); e >= 0 {
		return nv.t.Entry(e)
	}
	return nil
}

// children returns a directory's children in display order.
func (nv *navigator) children(n tree.NodeID) []tree.NodeID {
	kids := nv.t.Children(n)
	if !nv.opts.bySize || len(kids) < 2 {
		return kids
	}
	if s, ok := nv.sorted[n]; ok {
		return s
	}
	s := slices.Clone(kids)
	sizes := make(map[tree.NodeID]int64, len(s))
	for _, c := range s {
		sizes[c] = nv.size(c)
	}
	slices.SortStableFunc(s, func(a, b tree.NodeID) int { return cmp.Compare(sizes[b], sizes[a]) })
	if nv.sorted == nil {
		nv.sorted, nv.pos = make(map[tree.NodeID][]tree.NodeID), make(map[tree.NodeID]int32)
	}
	nv.sorted[n] = s
	for i, c := range s {
		nv.pos[c] = int32(i)
	}
	return s
}

// index returns a node's position among its parent's children.
func (nv *navigator) index(n tree.NodeID) int {
	parent := nv.t.Parent(n)
	kids := nv.children(parent)
	if nv.opts.bySize && len(kids) > 1 {
		return int(nv.pos[n])
	}
	name := nv.t.Name(n)
	i, _ := slices.BinarySearchFunc(kids, name, func(c tree.NodeID, name string) int {
		return strings.Compare(nv.t.Name(c), name)
	})
	return i
}

// firstChild returns a node's first shown child, or None.
func (nv *navigator) firstChild(n tree.NodeID) tree.NodeID {
	for _, c := range nv.children(n) {
		if nv.shown(c) {
			return c
		}
	}
	return tree.None
}

// lastChild returns a node's last shown child, or None.
func (nv *navigator) lastChild(n tree.NodeID) tree.NodeID {
	kids := nv.children(n)
	for i := len(kids) - 1; i >= 0; i-- {
		if nv.shown(kids[i]) {
			return kids[i]
		}
	}
	return tree.None
}

// nextSibling returns the next shown sibling, or None.
func (nv *navigator) nextSibling(n tree.NodeID) tree.NodeID {
	kids := nv.children(nv.t.Parent(n))
	for i := nv.index(n) + 1; i < len(kids); i++ {
		if nv.shown(kids[i]) {
			return kids[i]
		}
	}
	return tree.None
}

// prevSibling returns the previous shown sibling, or None.
func (nv *navigator) prevSibling(n tree.NodeID) tree.NodeID {
	kids := nv.children(nv.t.Parent(n))
	for i := nv.index(n) - 1; i >= 0; i-- {
		if nv.shown(kids[i]) {
			return kids[i]
		}
	}
	return tree.None
}

// next returns the row after n in pre-order, or None.
func (nv *navigator) next(n tree.NodeID) tree.NodeID {
	if n == tree.Root || nv.expanded(n) {
		if c := nv.firstChild(n); c != tree.None {
			return c
		}
	}
	for m := n; m != tree.Root && m != tree.None; m = nv.t.Parent(m) {
		if s := nv.nextSibling(m); s != tree.None {
			return s
		}
	}
	return tree.None
}

// prev returns the row before n, or None.
func (nv *navigator) prev(n tree.NodeID) tree.NodeID {
	if n == tree.Root {
		return tree.None
	}
	if s := nv.prevSibling(n); s != tree.None {
		return nv.last(s)
	}
	if p := nv.t.Parent(n); p != tree.Root {
		return p
	}
	return tree.None
}

// last returns the last row of n's shown subtree.
func (nv *navigator) last(n tree.NodeID) tree.NodeID {
	for nv.expanded(n) || n == tree.Root {
		c := nv.lastChild(n)
		if c == tree.None {
			break
		}
		n = c
	}
	return n
}

// visibleRow returns n if it is a row, else its nearest ancestor that is,
// else the first row (None for an empty tree).
func (nv *navigator) visibleRow(n tree.NodeID) tree.NodeID {
	for m := n; m != tree.None && m != tree.Root; m = nv.t.Parent(m) {
		if nv.shown(m) && nv.reachable(m) {
			return m
		}
	}
	return nv.next(tree.Root)
}

// reachable reports whether every ancestor of n is expanded and shown.
func (nv *navigator) reachable(n tree.NodeID) bool {
	for p := nv.t.Parent(n); p != tree.Root && p != tree.None; p = nv.t.Parent(p) {
		if !nv.expanded(p) || !nv.shown(p) {
			return false
		}
	}
	return true
}
