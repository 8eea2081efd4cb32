package ui

import (
	"github.com/stratascan/strata/analyzer/tree"
)

// Mode says which changes the file tree colours.
type Mode int

// The modes of the file tree.
const (
	// ModeLayer shows the changes of the selected layer (dive's ctrl+l).
	ModeLayer Mode = iota
	// ModeAggregated shows every change since the base layers (dive's ctrl+a).
	ModeAggregated
	// ModeRange shows the changes of a layer range [a..b] the user marked.
	ModeRange
)

var modeNames = [...]string{"layer", "aggregated", "range"}

// String returns the mode's name.
func (m Mode) String() string { return modeNames[m] }

// span is a view of the tree: the filesystem as of layer To, coloured with
// the aggregated changes of layers From..To.
type span struct{ From, To int }

// Per-node flag bits of a view.
const (
	flagType    uint8 = 3 // mask: the tree.ChangeType of a changed node
	flagChanged uint8 = 4
	// flagBelow<<type marks a descendant changed with that type.
	flagBelow uint8 = 8
	flagMark  uint8 = 128 // scratch: node collected for aggregation
)

// viewFlags computes, for one span, the change of every changed node and
// which change types exist below each directory. The work is linear in the
// number of changes, not in the size of the tree.
type viewFlags struct {
	span  span
	flags []uint8
	// changes counts the changed nodes by type.
	changes [4]int
}

// computeFlags fills (or reuses) buf with the flags of a span.
func computeFlags(t *tree.Tree, s span, buf []uint8, scratch *[]tree.NodeID) *viewFlags {
	if cap(buf) >= t.Len() {
		buf = buf[:t.Len()]
		clear(buf)
	} else {
		buf = make([]uint8, t.Len())
	}
	v := &viewFlags{span: s, flags: buf}
	set := func(n tree.NodeID, typ tree.ChangeType) {
		v.changes[typ]++
		buf[n] = buf[n]&^(flagType|flagMark) | flagChanged | uint8(typ)
		bit := flagBelow << typ
		for p := t.Parent(n); p != tree.None; p = t.Parent(p) {
			if buf[p]&bit != 0 {
				break
			}
			buf[p] |= bit
		}
	}
	if s.From == s.To {
		for _, c := range t.LayerChanges(s.To) {
			set(c.Node, c.Type)
		}
		return v
	}
	nodes := (*scratch)[:0]
	defer func() { *scratch = nodes[:0] }()
	for l := s.From; l <= s.To; l++ {
		for _, c := range t.LayerChanges(l) {
			if buf[c.Node]&flagMark == 0 {
				buf[c.Node] |= flagMark
				nodes = append(nodes, c.Node)
			}
		}
	}
	for _, n := range nodes {
		buf[n] &^= flagMark
		if typ, ok := classify(t, n, s); ok {
			set(n, typ)
		}
	}
	return v
}

// classify compares a node as of the layer below the span with the node as
// of the span's last layer.
func classify(t *tree.Tree, n tree.NodeID, s span) (tree.ChangeType, bool) {
	before, after := t.State(n, s.From-1), t.State(n, s.To)
	switch {
	case before < 0 && after < 0:
		return 0, false
	case before < 0:
		return tree.Added, true
	case after < 0:
		return tree.Removed, true
	case before == after || int(t.Entry(after).Layer) < s.From:
		return 0, false
	case t.Entry(after).Same(t.Entry(before)):
		return tree.Unchanged, true
	}
	return tree.Modified, true
}

// changed returns a node's change type, if the span changed it.
func (v *viewFlags) changed(n tree.NodeID) (tree.ChangeType, bool) {
	f := v.flags[n]
	return tree.ChangeType(f & flagType), f&flagChanged != 0
}

// below returns the change types present below a node, as a typeMask.
func (v *viewFlags) below(n tree.NodeID) typeMask { return typeMask(v.flags[n] >> 3 & 15) }

// typeMask is a set of change types (bit 1<<ChangeType).
type typeMask uint8

const allTypes typeMask = 15

func (m typeMask) has(t tree.ChangeType) bool { return m&(1<<t) != 0 }
