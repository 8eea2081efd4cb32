package tree

import (
	"slices"

	"github.com/stratascan/strata/analyzer/walk"
)

// LinkData returns, for a hard link entry, the index of the regular file
// entry whose content it shares, or -1 when the entry is no hard link or
// names nothing that holds content. A hard link names a path as the
// filesystem stands when it is extracted: an earlier entry of its own layer,
// else what the layers below left there; a link to a link shares that
// link's content.
func (t *Tree) LinkData(i int32) int32 {
	if d, ok := t.linkData[i]; ok {
		return d
	}
	return -1
}

// computeLinks resolves every hard link to the file entry it shares content
// with, and marks as Kept the shadowed file entries a visible link still
// reaches. Layers are walked in order and each layer in tar order, so a
// link to a link finds the first one already resolved.
func (t *Tree) computeLinks() {
	var seen map[NodeID]int32 // entries of the current layer so far, by node
	for l, idxs := range t.byLayer {
		// Only the entries up to the layer's last hard link matter: most
		// layers have none.
		last := -1
		for k, i := range idxs {
			if t.entries[i].Kind == walk.HardLink {
				last = k
			}
		}
		if last < 0 {
			continue
		}
		if seen != nil {
			clear(seen)
		}
		for _, i := range idxs[:last+1] {
			e := &t.entries[i]
			if e.Kind == walk.HardLink {
				if d := t.resolveLink(e, l, seen); d >= 0 {
					if t.linkData == nil {
						t.linkData = map[int32]int32{}
					}
					t.linkData[i] = d
				}
			}
			if seen == nil {
				seen = map[NodeID]int32{}
			}
			seen[e.Node] = i
		}
	}
	for link, d := range t.linkData {
		if t.entries[link].Shadowed() {
			continue
		}
		if t.linksTo == nil {
			t.linksTo = map[int32][]int32{}
		}
		t.linksTo[d] = append(t.linksTo[d], link)
		if !t.entries[d].Shadowed() {
			continue
		}
		t.entries[d].Kept = true
		if t.holders == nil {
			t.holders = map[int32]int32{}
		}
		if h, ok := t.holders[d]; !ok || link < h {
			t.holders[d] = link
		}
	}
	t.held = make(map[int32]int32, len(t.holders))
	for d, link := range t.holders {
		t.held[link] = d
	}
}

// VisibleLinks returns the hard link entries of the final filesystem that
// share the content of file entry i, in no particular order. Do not modify.
func (t *Tree) VisibleLinks(i int32) []int32 { return t.linksTo[i] }

// Content returns the bytes an entry holds in the final filesystem: a
// visible regular file's size; for the visible hard link that stands for a
// kept entry (the first by entry index when several do), that entry's size;
// otherwise 0. Summed over all entries it is the visible bytes, each stored
// byte counted once.
func (t *Tree) Content(i int32) int64 {
	e := &t.entries[i]
	switch {
	case e.Kind == walk.File && !e.Shadowed():
		return e.Size
	case e.Kind == walk.HardLink && !e.Shadowed():
		if d, ok := t.held[i]; ok {
			return t.entries[d].Size
		}
	}
	return 0
}

// resolveLink finds the file entry a hard link of layer l names.
func (t *Tree) resolveLink(e *Entry, l int, seen map[NodeID]int32) int32 {
	n, ok := t.Lookup(e.Link)
	if !ok {
		return -1
	}
	at, ok := seen[n]
	if ok {
		if k := t.entries[at].Kind; k == walk.Whiteout || k == walk.Opaque {
			return -1
		}
	} else {
		if above := t.inherited(n); slices.Contains(above, int32(l)) {
			return -1 // the layer removed what was below (opaque directory, whiteout)
		}
		at = t.State(n, l-1)
	}
	if at < 0 {
		return -1
	}
	switch t.entries[at].Kind {
	case walk.File:
		return at
	case walk.HardLink:
		return t.LinkData(at)
	}
	return -1
}

// Held returns the kept entry whose content the node's visible hard link
// stands for once its own path is gone (from the layer that hid it, its
// HiddenBy), or nil. Browsers add its size at the link, so that the bytes
// stay where they can still be read, counted once.
func (t *Tree) Held(n NodeID) *Entry {
	if len(t.held) == 0 {
		return nil
	}
	i := t.State(n, t.layers-1)
	if i < 0 {
		return nil
	}
	if d, ok := t.held[i]; ok {
		return &t.entries[d]
	}
	return nil
}
