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
// when it is not part of the view at all. A node that appeared and
// disappeared inside a span of several layers is removed, as in dive: its
// bytes are still stored.
func (nv *navigator) kind(n tree.NodeID) (tree.ChangeType, bool) {
	if typ, ok := nv.vf.changed(n); ok {
		return typ, true
	}
	if nv.present(n) {
		return tree.Unchanged, true
	}
	if nv.lastSeen(n) >= 0 {
		return tree.Removed, true
	}
	return 0, false
}

// lastSeen returns, for a node neither before nor after a span of several
// layers, the last layer of the span that showed it (as an entry, or with
// entries below it), or -1.
func (nv *navigator) lastSeen(n tree.NodeID) int {
	s := nv.vf.span
	if s.From >= s.To {
		return -1
	}
	hist, ps := nv.t.History(n), nv.ix.points(n)
	if (len(hist) == 0 || int(hist[0].Layer) > s.To) && (len(ps) == 0 || int(ps[0].Layer) > s.To) {
		return -1 // first seen after the span
	}
	last := -1
	for _, e := range hist {
		l := int(e.Layer)
		if e.Kind.IsMarker() || l < s.From || l > s.To {
			continue
		}
		end := s.To
		if e.HiddenBy >= 0 {
			end = min(int(e.HiddenBy)-1, s.To)
		}
		if end >= l {
			last = max(last, end)
		}
	}
	for i, p := range ps {
		from, to := int(p.Layer), s.To
		if i+1 < len(ps) {
			to = min(int(ps[i+1].Layer)-1, s.To)
		}
		if p.Count > 0 && max(from, s.From) <= to {
			last = max(last, to)
		}
	}
	return last
}

// stateLayer returns the layer whose filesystem a row describes: the one
// before the span for a removed node, the last that showed a node that
// came and went inside the span, else the span's last.
func (nv *navigator) stateLayer(n tree.NodeID) int {
	layer := nv.vf.span.To
	if typ, ok := nv.vf.changed(n); ok && typ == tree.Removed {
		layer = nv.vf.span.From - 1
	} else if !ok && !nv.present(n) {
		if l := nv.lastSeen(n); l >= 0 {
			layer = l
		}
	}
	return layer
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
// Under a path filter, directories holding matches open (as if expandAll
// were on) so that the matches show.
func (nv *navigator) expanded(n tree.NodeID) bool {
	if !nv.ix.isDir(n) {
		return false
	}
	all := nv.opts.expandAll || nv.match != nil && nv.match[n]&matchBelow != 0
	return all != nv.opts.toggled[n]
}

// size returns what a node weighs in the view: a file's size, a directory's
// visible subtree (under a path filter, what matches in it); removed nodes
// weigh what they weighed before.
func (nv *navigator) size(n tree.NodeID) int64 {
	if s, ok := nv.sizes[n]; ok {
		return s
	}
	layer := nv.stateLayer(n)
	var s int64
	if e := nv.t.State(n, layer); e >= 0 {
		s = nv.t.Entry(e).Size
	}
	if h := nv.t.Held(n); h != nil && layer >= int(h.HiddenBy) {
		s += h.Size // a hard link holding bytes deleted at their own path
	}
	switch {
	case !nv.ix.isDir(n):
	case nv.match != nil && nv.match[n]&matchSelf == 0:
		// Under a path filter, a directory weighs what matches in it.
		for _, c := range nv.t.Children(n) {
			if nv.match[c] != 0 {
				if _, ok := nv.kind(c); ok {
					s += nv.size(c)
				}
			}
		}
	default:
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
	if e := nv.t.State(n, nv.stateLayer(n)); e >= 0 {
		return nv.t.Entry(e)
	}
	return nil
}

// changeTypes are the types a row is marked changed with.
const changeTypes = typeMask(1<<tree.Added | 1<<tree.Modified | 1<<tree.Removed)

// hasChange reports whether a node or something below it changed in the
// view (a re-add of the same content is no change).
func (nv *navigator) hasChange(n tree.NodeID) bool {
	if typ, ok := nv.vf.changed(n); ok && typ != tree.Unchanged {
		return true
	}
	return nv.vf.below(n)&changeTypes != 0
}

// firstChanged returns the first row, in display order, that the view
// changed and the options show (None when there is none). It descends only
// into directories with changes below: a path from the root, not a walk of
// the rows.
func (nv *navigator) firstChanged() tree.NodeID {
	n := tree.Root
	for {
		next := tree.None
		for _, c := range nv.children(n) {
			if !nv.shown(c) {
				continue
			}
			if typ, ok := nv.vf.changed(c); ok && typ != tree.Unchanged && nv.opts.show.has(typ) {
				return c
			}
			if nv.vf.below(c)&changeTypes&nv.opts.show != 0 {
				next = c
				break
			}
		}
		if next == tree.None {
			return tree.None
		}
		n = next
	}
}

// mark returns the change a row is drawn with: its own, or for a collapsed
// directory that did not change itself, what changed inside it (one type,
// or modified for a mix).
func (nv *navigator) mark(n tree.NodeID, typ tree.ChangeType) tree.ChangeType {
	if typ != tree.Unchanged || !nv.ix.isDir(n) || nv.expanded(n) {
		return typ
	}
	switch nv.vf.below(n) & changeTypes {
	case 0:
		return tree.Unchanged
	case 1 << tree.Added:
		return tree.Added
	case 1 << tree.Removed:
		return tree.Removed
	}
	return tree.Modified
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
