// Package tree merges the entries of every layer into one immutable structure
// in which each path keeps its short history: which layers touched it and how.
// The filesystem as of any layer, the changes of a layer and the changes over
// any layer range are all read from that history; no stacked copies of the
// tree are ever built.
package tree

import (
	"github.com/stratascan/strata/analyzer/walk"
)

// NodeID identifies a path in the tree. IDs follow path order (a depth-first
// walk with names sorted), so parents always have smaller IDs than their
// children.
type NodeID int32

// Root is the ID of "/".
const Root NodeID = 0

// None is a NodeID that names no node.
const None NodeID = -1

// Entry is one layer entry placed in the tree.
type Entry struct {
	// Link is the symlink or hard link target.
	Link string
	// Size is the content size (regular files only).
	Size int64
	// Hash is the content hash (regular files only).
	Hash uint64
	// Mode holds permission and special bits (07777).
	Mode uint32
	UID  uint32
	GID  uint32
	// Node is the path the entry is at.
	Node NodeID
	// Layer is the index of the layer the entry is in.
	Layer int32
	// HiddenBy is the first layer whose entries shadow this one, or -1 when
	// the entry is visible in the final filesystem.
	HiddenBy int32
	// LastShadow is the last layer among those shadowing the entry, or -1.
	LastShadow int32
	// Kind is the entry's type.
	Kind walk.Kind
	// Kept says that the entry is shadowed at its path but its content is
	// still reachable in the final filesystem through a hard link: its
	// bytes are not wasted.
	Kept bool
}

// Shadowed reports whether a later entry hides this one at its path.
func (e *Entry) Shadowed() bool { return e.HiddenBy >= 0 }

// Wasted reports whether the entry's bytes are stored but unreachable in the
// final filesystem: shadowed at its path and kept by no visible hard link.
func (e *Entry) Wasted() bool { return e.HiddenBy >= 0 && !e.Kept }

// Same reports whether two entries describe the same file: type, content,
// mode, owner and link target.
func (e *Entry) Same(o *Entry) bool {
	return e.Kind == o.Kind && e.Size == o.Size && e.Hash == o.Hash && e.Mode == o.Mode &&
		e.UID == o.UID && e.GID == o.GID && e.Link == o.Link
}

type node struct {
	name   string
	parent NodeID
	first  int32 // index of the node's first entry in Tree.entries
	count  int32 // number of entries at the node
	child  int32 // index of the node's first child in Tree.children
	nchild int32
	kids   int32 // index in Tree.kills of the removal layers that apply below this node
}

// Tree is the merged, immutable view of all layers.
type Tree struct {
	nodes    []node
	entries  []Entry // grouped by node, in (layer, tar order) within a node
	children []NodeID
	kills    [][]int32 // interned sorted lists of layers that remove descendants
	byLayer  [][]int32 // entry indexes of each layer, in tar order
	changes  [][]Change
	linkData map[int32]int32   // hard link entry -> the file entry it names
	holders  map[int32]int32   // kept entry -> the visible link standing for it
	held     map[int32]int32   // the inverse of holders
	linksTo  map[int32][]int32 // file entry -> the visible links sharing it
	layers   int
}

// Layers returns the number of layers.
func (t *Tree) Layers() int { return t.layers }

// Len returns the number of nodes, the root included.
func (t *Tree) Len() int { return len(t.nodes) }

// Name returns the last element of the node's path ("" for the root).
func (t *Tree) Name(n NodeID) string { return t.nodes[n].name }

// Parent returns the parent of a node (None for the root).
func (t *Tree) Parent(n NodeID) NodeID { return t.nodes[n].parent }

// Children returns the node's children sorted by name. Do not modify.
func (t *Tree) Children(n NodeID) []NodeID {
	nd := &t.nodes[n]
	return t.children[nd.child : nd.child+nd.nchild]
}

// History returns every entry at the node, in layer order. Do not modify.
func (t *Tree) History(n NodeID) []Entry {
	nd := &t.nodes[n]
	return t.entries[nd.first : nd.first+nd.count]
}

// Path returns the absolute path of a node.
func (t *Tree) Path(n NodeID) string {
	if n == Root {
		return "/"
	}
	size := 0
	for m := n; m != Root; m = t.nodes[m].parent {
		size += len(t.nodes[m].name) + 1
	}
	buf := make([]byte, size)
	at := size
	for m := n; m != Root; m = t.nodes[m].parent {
		name := t.nodes[m].name
		at -= len(name)
		copy(buf[at:], name)
		at--
		buf[at] = '/'
	}
	return string(buf)
}

// Depth returns how many elements the node's path has (0 for the root).
func (t *Tree) Depth(n NodeID) int {
	d := 0
	for m := n; m != Root; m = t.nodes[m].parent {
		d++
	}
	return d
}

// Lookup finds the node of an absolute path.
func (t *Tree) Lookup(p string) (NodeID, bool) {
	n := Root
	for len(p) > 0 {
		for len(p) > 0 && p[0] == '/' {
			p = p[1:]
		}
		if p == "" {
			break
		}
		end := 0
		for end < len(p) && p[end] != '/' {
			end++
		}
		c, ok := t.child(n, p[:end])
		if !ok {
			return None, false
		}
		n, p = c, p[end:]
	}
	return n, true
}

func (t *Tree) child(n NodeID, name string) (NodeID, bool) {
	kids := t.Children(n)
	lo, hi := 0, len(kids)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if t.nodes[kids[mid]].name < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(kids) && t.nodes[kids[lo]].name == name {
		return kids[lo], true
	}
	return None, false
}

// Entry returns the entry with a given index.
func (t *Tree) Entry(i int32) *Entry { return &t.entries[i] }

// EntryCount returns the number of entries over all layers.
func (t *Tree) EntryCount() int { return len(t.entries) }

// LayerEntries returns the indexes of a layer's entries in tar order.
// Do not modify.
func (t *Tree) LayerEntries(layer int) []int32 { return t.byLayer[layer] }

// removals returns the layers that remove the node's descendants (whiteouts,
// opaque markers and non-directories at the node or above it).
func (t *Tree) removals(n NodeID) []int32 { return t.kills[t.nodes[n].kids] }

// inherited returns the layers in which something above the node removes it.
func (t *Tree) inherited(n NodeID) []int32 {
	if n == Root {
		return nil
	}
	return t.removals(t.nodes[n].parent)
}
