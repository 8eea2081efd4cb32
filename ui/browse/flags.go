package browse

import (
	"math"

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
	flagMark  uint8 = 128 // scratch: directory queued for rollUp
)

// viewFlags holds, for one span, the change of every changed node and
// which change types exist below each directory.
type viewFlags struct {
	span  span
	flags []uint8
	// changes counts the changed nodes by type.
	changes [4]int
}

// flagCache keeps the flags of the span shown last and moves them to the
// next one, one layer at a time, so that a layer switch costs the changes
// of the layers the span's ends cross, not those of the whole span.
//
// A span's flags classify each node's state as of layer From-1 ("before")
// against its state as of layer To ("after"). A node's state as of layer l
// differs from its state as of l-1 exactly when LayerChanges(l) lists it,
// and that change records both states. So when an end crosses layer l,
// only the nodes of LayerChanges(l) can change class; the record gives the
// end's new state, and the other end's state is known without a lookup in
// most cases: a node not classified changed has the same state at both
// ends, an added node had nothing before, a removed node has nothing after,
// an end sitting at l or l-1 is the record's After or Before, and when the
// moving end's new state is nothing, only whether the other end has an
// entry matters, which the class tells. Only the rest ask the tree (a
// State lookup, a few cache misses each). Directories whose descendants
// changed class then re-derive their "changed below" bits.
//
// The result is the same as classifying every node from scratch, which
// TestFlagCacheMatchesChanges checks against tree.Changes.
type flagCache struct {
	t       *tree.Tree
	flags   []uint8
	span    span
	changes [4]int
	valid   bool

	fresh    bool            // the flags were reset: no "changed below" bit is set
	touched  []tree.NodeID   // scratch: nodes whose class changed
	levels   [][]tree.NodeID // scratch: their ancestors, by depth
	limit    int             // the most nodes touched holds (maxTouched but in tests)
	overflow bool            // more nodes changed class than touched holds
}

func newFlagCache(t *tree.Tree) *flagCache { return &flagCache{t: t, limit: maxTouched} }

// view returns the flags of a span (From <= To), moving the current ones
// there or, when that crosses more changes, starting over from the empty
// span just before it.
func (c *flagCache) view(s span) *viewFlags {
	if !c.valid || s != c.span {
		if !c.valid || c.freshCost(s) <= c.moveCost(s) {
			c.reset(s.From)
		}
		c.walk(s)
	}
	return &viewFlags{span: c.span, flags: c.flags, changes: c.changes}
}

// changeCount returns how many changes the layers lo..hi list.
func (c *flagCache) changeCount(lo, hi int) int {
	n := 0
	for l := lo; l <= hi; l++ {
		n += len(c.t.LayerChanges(l))
	}
	return n
}

// freshCost is the number of changes crossed starting over: those of the
// span's layers.
func (c *flagCache) freshCost(s span) int { return c.changeCount(s.From, s.To) }

// moveCost is the number of changes crossed moving the current span's ends
// to s's.
func (c *flagCache) moveCost(s span) int {
	return c.changeCount(min(c.span.From, s.From), max(c.span.From, s.From)-1) +
		c.changeCount(min(c.span.To, s.To)+1, max(c.span.To, s.To))
}

// reset empties the flags: the span from..from-1 compares a filesystem with
// itself.
func (c *flagCache) reset(from int) {
	if n := c.t.Len(); len(c.flags) != n {
		c.flags = make([]uint8, n)
	} else {
		clear(c.flags)
	}
	c.span, c.changes, c.valid = span{From: from, To: from - 1}, [4]int{}, true
	c.fresh = true
}

// walk moves the span's ends to s's one layer at a time, keeping From <=
// To+1 on the way: shrinking moves first, so that fewer nodes are
// classified changed when the span grows again.
func (c *flagCache) walk(s span) {
	c.touched = c.touched[:0]
	if c.fresh && c.span.From == s.From && s.From == s.To {
		// One layer from scratch: its changes are the classes.
		c.fresh, c.span = false, s
		for _, ch := range c.t.LayerChanges(s.To) {
			c.flags[ch.Node] |= flagChanged | uint8(ch.Type)
			c.changes[ch.Type]++
			setBelow(c.t, c.flags, ch.Node, flagBelow<<ch.Type)
		}
		return
	}
	for c.span != s {
		if s.From > c.span.From {
			c.moveFrom(min(s.From, c.span.To+1))
		}
		if s.To < c.span.To {
			c.moveTo(max(s.To, c.span.From-1))
		}
		if s.To > c.span.To {
			c.moveTo(s.To)
		}
		if s.From < c.span.From {
			c.moveFrom(s.From)
		}
	}
	c.rollUp()
}

// maxTouched bounds the touched list: past it, rollUp goes over the whole
// tree, which then costs less than following that many nodes' ancestors.
const maxTouched = 1 << 16

// moveFrom moves the span's first layer; the "before" end (From-1) crosses
// layer From going up, layer From-1 going down.
func (c *flagCache) moveFrom(from int) {
	for c.span.From < from {
		c.cross(c.span.From, true, false)
		c.span.From++
	}
	for c.span.From > from {
		c.cross(c.span.From-1, false, false)
		c.span.From--
	}
}

// moveTo moves the span's last layer; the "after" end crosses layer To+1
// going up, layer To going down.
func (c *flagCache) moveTo(to int) {
	for c.span.To < to {
		c.cross(c.span.To+1, true, true)
		c.span.To++
	}
	for c.span.To > to {
		c.cross(c.span.To, false, true)
		c.span.To--
	}
}

// cross reclassifies the nodes layer l changes when one end of the span
// crosses it: up (from the state as of l-1 to the state as of l) or down,
// the "after" end or the "before" one.
func (c *flagCache) cross(l int, up, after bool) {
	t, flags := c.t, c.flags
	other := c.span.To // the end that stays, as a layer
	if after {
		other = c.span.From - 1
	}
	for _, ch := range t.LayerChanges(l) {
		n := ch.Node
		f := flags[n]
		was, now := ch.Before, ch.After
		if !up {
			was, now = now, was
		}
		var o int32 // the other end's state
		typ := tree.ChangeType(f & flagType)
		switch {
		case f&flagChanged == 0:
			o = was // not changed: both ends were equal
		case other == l:
			o = ch.After
		case other == l-1:
			o = ch.Before
		case after && typ == tree.Added, !after && typ == tree.Removed:
			o = -1
		case now < 0:
			o = someEntry // there is one; which does not matter against nothing
		default:
			o = t.State(n, other)
		}
		before, aft := now, o
		if after {
			before, aft = o, now
		}
		var own uint8
		switch {
		case before == ch.Before && aft == ch.After: // the layer's own change
			own = flagChanged | uint8(ch.Type)
		case before == ch.After && aft == ch.Before: // the layer's change undone
			own = flagChanged | uint8(reversed[ch.Type])
		default:
			own = classState(t, before, aft)
		}
		if prev := f & (flagChanged | flagType); prev != own {
			if prev != 0 {
				c.changes[prev&flagType]--
			}
			if own != 0 {
				c.changes[own&flagType]++
			}
			flags[n] = f&^(flagChanged|flagType) | own
			if len(c.touched) < c.limit {
				c.touched = append(c.touched, n)
			} else {
				c.overflow = true
			}
		}
	}
}

// someEntry stands for an entry known to exist but not looked up; it is only
// ever classified against no entry.
const someEntry int32 = math.MaxInt32

// reversed is the change type seen from the other side.
var reversed = [...]tree.ChangeType{tree.Unchanged: tree.Unchanged, tree.Added: tree.Removed,
	tree.Modified: tree.Modified, tree.Removed: tree.Added}

// classState returns the class bits of a node whose state goes from entry
// before to entry after (-1: nothing there): 0 when it did not change, else
// flagChanged and the change type.
func classState(t *tree.Tree, before, after int32) uint8 {
	switch {
	case before == after:
		return 0
	case before < 0:
		return flagChanged | uint8(tree.Added)
	case after < 0:
		return flagChanged | uint8(tree.Removed)
	case t.Entry(after).Same(t.Entry(before)):
		return flagChanged | uint8(tree.Unchanged)
	}
	return flagChanged | uint8(tree.Modified)
}

// rollUp re-derives the "changed below" bits after a walk. After a reset,
// when no bit is to be cleared, it sets the bits of the changed nodes on
// their ancestors; after a move, it re-derives the bits of the touched
// nodes' ancestors, deepest first, from their children's; when too many
// nodes were touched to list, it re-derives every directory's in one pass.
func (c *flagCache) rollUp() {
	defer func() { c.fresh, c.overflow, c.touched = false, false, c.touched[:0] }()
	t, flags := c.t, c.flags
	const belowBits = 15 * flagBelow
	switch {
	case c.overflow:
		// In ID order a node comes after its ancestors: clearing its bits
		// when reaching it leaves only those its descendants set later.
		for i, f := range flags {
			f &^= belowBits
			flags[i] = f
			if f&flagChanged != 0 {
				setBelow(t, flags, tree.NodeID(i), flagBelow<<(f&flagType))
			}
		}
		return
	case c.fresh:
		for _, n := range c.touched {
			if f := flags[n]; f&flagChanged != 0 {
				setBelow(t, flags, n, flagBelow<<(f&flagType))
			}
		}
		return
	}
	for i := range c.levels {
		c.levels[i] = c.levels[i][:0]
	}
	for _, n := range c.touched {
		p := t.Parent(n)
		if p == tree.None || flags[p]&flagMark != 0 {
			continue
		}
		d := t.Depth(p)
		for ; p != tree.None && flags[p]&flagMark == 0; p, d = t.Parent(p), d-1 {
			flags[p] |= flagMark
			for len(c.levels) <= d {
				c.levels = append(c.levels, nil)
			}
			c.levels[d] = append(c.levels[d], p)
		}
	}
	for d := len(c.levels) - 1; d >= 0; d-- {
		for _, p := range c.levels[d] {
			var below uint8
			for _, k := range t.Children(p) {
				f := flags[k]
				below |= f & belowBits
				if f&flagChanged != 0 {
					below |= flagBelow << (f & flagType)
				}
			}
			flags[p] = flags[p]&^(belowBits|flagMark) | below
		}
	}
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

// setBelow sets a "changed below" bit on a node's ancestors, up to the
// first that has it.
func setBelow(t *tree.Tree, flags []uint8, n tree.NodeID, bit uint8) {
	for p := t.Parent(n); p != tree.None && flags[p]&bit == 0; p = t.Parent(p) {
		flags[p] |= bit
	}
}
