package tree

import (
	"cmp"
	"math/bits"
	"slices"

	"github.com/stratascan/strata/analyzer/walk"
)

// DuplicateGroups groups the visible regular files with content (size > 0)
// that keep accepts (nil accepts all) by identical content: same hash and
// size. Only groups of two or more are returned, each ordered by layer then
// entry index, the groups by their first entry. Two passes over a bitset of
// hash buckets, sixteen per entry, find the few entries that can have a
// twin, so only those are sorted.
func (t *Tree) DuplicateGroups(keep func(entry int32) bool) [][]int32 {
	candidate := func(i int32) bool {
		e := &t.entries[i]
		return e.Kind == walk.File && e.Size > 0 && e.HiddenBy < 0 && (keep == nil || keep(i))
	}
	// A power of two of at least 16 buckets per entry: about one entry in
	// sixteen shares its bucket with another by chance.
	nbits := uint64(1) << max(bits.Len(uint(len(t.entries))*16), 12)
	mask := nbits - 1
	seen := make([]uint64, nbits/64)
	twice := make([]uint64, nbits/64)
	for i := range t.entries {
		if !candidate(int32(i)) {
			continue
		}
		b := t.entries[i].Hash & mask
		if seen[b>>6]&(1<<(b&63)) != 0 {
			twice[b>>6] |= 1 << (b & 63)
		} else {
			seen[b>>6] |= 1 << (b & 63)
		}
	}
	type item struct {
		hash  uint64
		size  int64
		layer int32
		index int32
	}
	var items []item
	for i := range t.entries {
		e := &t.entries[i]
		b := e.Hash & mask
		if twice[b>>6]&(1<<(b&63)) != 0 && candidate(int32(i)) {
			items = append(items, item{e.Hash, e.Size, e.Layer, int32(i)})
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		if c := cmp.Compare(a.size, b.size); c != 0 {
			return c
		}
		if c := cmp.Compare(a.layer, b.layer); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	})
	var groups [][]int32
	members := make([]int32, 0, len(items))
	for lo := 0; lo < len(items); {
		hi := lo + 1
		for hi < len(items) && items[hi].hash == items[lo].hash && items[hi].size == items[lo].size {
			hi++
		}
		if hi-lo > 1 {
			at := len(members)
			for _, it := range items[lo:hi] {
				members = append(members, it.index)
			}
			groups = append(groups, members[at:len(members):len(members)])
		}
		lo = hi
	}
	slices.SortFunc(groups, func(a, b []int32) int { return cmp.Compare(a[0], b[0]) })
	return groups
}
