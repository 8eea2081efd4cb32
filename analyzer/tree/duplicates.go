package tree

import (
	"cmp"
	"slices"

	"github.com/stratascan/strata/analyzer/walk"
)

// dupBits is the size of the hash-bucket bitsets of DuplicateGroups.
const dupBits = 1 << 20

// DuplicateGroups groups the visible regular files with content (size > 0)
// that keep accepts (nil accepts all) by identical content: same hash and
// size. Only groups of two or more are returned, each ordered by layer then
// entry index, the groups by their first entry. Two passes over a bitset of
// hash buckets find the few entries that can have a twin, so only those are
// sorted.
func (t *Tree) DuplicateGroups(keep func(entry int32) bool) [][]int32 {
	candidate := func(i int32) bool {
		e := &t.entries[i]
		return e.Kind == walk.File && e.Size > 0 && e.HiddenBy < 0 && (keep == nil || keep(i))
	}
	seen := make([]uint64, dupBits/64)
	twice := make([]uint64, dupBits/64)
	for i := range t.entries {
		if !candidate(int32(i)) {
			continue
		}
		b := t.entries[i].Hash & (dupBits - 1)
		if seen[b>>6]&(1<<(b&63)) != 0 {
			twice[b>>6] |= 1 << (b & 63)
		} else {
			seen[b>>6] |= 1 << (b & 63)
		}
	}
	var items []int32
	for i := range t.entries {
		b := t.entries[i].Hash & (dupBits - 1)
		if twice[b>>6]&(1<<(b&63)) != 0 && candidate(int32(i)) {
			items = append(items, int32(i))
		}
	}
	slices.SortFunc(items, func(a, b int32) int {
		ea, eb := &t.entries[a], &t.entries[b]
		if c := cmp.Compare(ea.Hash, eb.Hash); c != 0 {
			return c
		}
		if c := cmp.Compare(ea.Size, eb.Size); c != 0 {
			return c
		}
		if c := cmp.Compare(ea.Layer, eb.Layer); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var groups [][]int32
	for lo := 0; lo < len(items); {
		hi := lo + 1
		for hi < len(items) && t.entries[items[hi]].Hash == t.entries[items[lo]].Hash &&
			t.entries[items[hi]].Size == t.entries[items[lo]].Size {
			hi++
		}
		if hi-lo > 1 {
			groups = append(groups, items[lo:hi:hi])
		}
		lo = hi
	}
	slices.SortFunc(groups, func(a, b []int32) int { return cmp.Compare(a[0], b[0]) })
	return groups
}
