package compare

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/glob"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// FileChangeType says how a path differs between the final filesystems.
type FileChangeType string

// The file change types.
const (
	FileAdded       FileChangeType = "added"
	FileRemoved     FileChangeType = "removed"
	FileModified    FileChangeType = "modified"
	FileTypeChanged FileChangeType = "type-changed"
)

// The attributes a modification can change.
const (
	FieldContent = "content"
	FieldMode    = "mode"
	FieldOwner   = "owner"
	FieldLink    = "link"
)

// FileState is a path as one image's final filesystem has it.
type FileState struct {
	// Kind is file, dir, symlink, hardlink, chardev, blockdev, fifo or other.
	Kind      string `json:"kind"`
	SizeBytes int64  `json:"sizeBytes"`
	// Mode holds the permission bits in octal ("0644"); empty for a
	// directory no tar entry declares (implied by its contents).
	Mode string `json:"mode,omitempty"`
	UID  uint32 `json:"uid"`
	GID  uint32 `json:"gid"`
	// Link is a symlink's or hard link's target.
	Link string `json:"link,omitempty"`
	// Layer is the index of the layer the visible entry is in (-1 for an
	// implied directory).
	Layer int `json:"layer"`
}

// FileChange is one path that differs.
type FileChange struct {
	Path   string         `json:"path"`
	Change FileChangeType `json:"change"`
	// Fields lists what a modification changed: content, mode, owner, link.
	Fields []string `json:"fields,omitempty"`
	// Old and New are the path in each image (absent when it is not there).
	Old *FileState `json:"old,omitempty"`
	New *FileState `json:"new,omitempty"`
	// SizeDelta is NEW's size − OLD's size.
	SizeDelta int64 `json:"sizeDelta"`
}

// Kind returns the change's kind of entry: NEW's, or OLD's for a removal.
func (c *FileChange) Kind() string {
	if c.New != nil {
		return c.New.Kind
	}
	if c.Old != nil {
		return c.Old.Kind
	}
	return ""
}

// FileCounts counts the changes of each type and their bytes.
type FileCounts struct {
	Added       int `json:"added"`
	Removed     int `json:"removed"`
	Modified    int `json:"modified"`
	TypeChanged int `json:"typeChanged"`
	// AddedBytes is the size of what was added, RemovedBytes of what was
	// removed; ModifiedBytes is the net size change of the modified and
	// type-changed paths.
	AddedBytes    int64 `json:"addedBytes"`
	RemovedBytes  int64 `json:"removedBytes"`
	ModifiedBytes int64 `json:"modifiedBytes"`
}

// Total is the number of changes.
func (c FileCounts) Total() int { return c.Added + c.Removed + c.Modified + c.TypeChanged }

func (c *FileCounts) add(fc *FileChange) {
	switch fc.Change {
	case FileAdded:
		c.Added++
		c.AddedBytes += fc.New.SizeBytes
	case FileRemoved:
		c.Removed++
		c.RemovedBytes += fc.Old.SizeBytes
	case FileModified:
		c.Modified++
		c.ModifiedBytes += fc.SizeDelta
	case FileTypeChanged:
		c.TypeChanged++
		c.ModifiedBytes += fc.SizeDelta
	}
}

func (c *FileCounts) merge(o FileCounts) {
	c.Added += o.Added
	c.Removed += o.Removed
	c.Modified += o.Modified
	c.TypeChanged += o.TypeChanged
	c.AddedBytes += o.AddedBytes
	c.RemovedBytes += o.RemovedBytes
	c.ModifiedBytes += o.ModifiedBytes
}

// DirDelta rolls up the changes below one directory.
type DirDelta struct {
	Path string `json:"path"`
	// OldBytes and NewBytes are the content bytes of the visible regular
	// files below the directory (changes in ignored paths left out), and
	// SizeDelta their difference. The counts are of the paths below it.
	OldBytes  int64 `json:"oldBytes"`
	NewBytes  int64 `json:"newBytes"`
	SizeDelta int64 `json:"sizeDelta"`
	FileCounts
}

// Ignored counts the changes left out by the ignore globs.
type Ignored struct {
	Count int `json:"count"`
	// SizeDelta is their net size change.
	SizeDelta int64 `json:"sizeDelta"`
	// Globs are the globs in effect.
	Globs []string `json:"globs"`
}

// Files compares the final filesystems.
type Files struct {
	Counts FileCounts `json:"counts"`
	// SizeDelta is the net size change of the compared paths.
	SizeDelta int64 `json:"sizeDelta"`
	// Changes are the paths that differ, in path order (a directory before
	// what it holds).
	Changes []FileChange `json:"changes"`
	// Dirs roll up the changes per directory, largest size change first.
	Dirs []DirDelta `json:"dirs"`
	// Ignored counts the changes in ignored paths.
	Ignored Ignored `json:"ignored"`
}

// side is one image's final filesystem.
type side struct {
	t    *tree.Tree
	last int
}

// entry returns the entry visible at n, or nil.
func (s side) entry(n tree.NodeID) *tree.Entry {
	if n == tree.None || s.t == nil {
		return nil
	}
	i := s.t.State(n, s.last)
	if i < 0 {
		return nil
	}
	return s.t.Entry(i)
}

func (s side) children(n tree.NodeID) []tree.NodeID {
	if n == tree.None || s.t == nil {
		return nil
	}
	return s.t.Children(n)
}

// merger walks the two trees together in path order.
type merger struct {
	old, new side
	m        *glob.Matcher
	files    Files
	dropped  bool
	slab     []FileState // FileStates are carved from here, a chunk at a time
}

// newState returns a FileState to fill, allocated in chunks.
func (w *merger) newState() *FileState {
	if len(w.slab) == cap(w.slab) {
		w.slab = make([]FileState, 0, 1024)
	}
	w.slab = w.slab[:len(w.slab)+1]
	return &w.slab[len(w.slab)-1]
}

// subtotal is what a subtree contributes to its directory.
type subtotal struct {
	oldBytes, newBytes int64
	oldVisible         bool
	newVisible         bool
	counts             FileCounts
}

// compareFiles compares the final filesystems of two analyses.
func compareFiles(old, new *analyzer.Analysis, m *glob.Matcher) Files {
	w := &merger{old: newSide(old.Tree), new: newSide(new.Tree), m: m}
	ro, rn := tree.NodeID(tree.None), tree.NodeID(tree.None)
	if old.Tree != nil {
		ro = tree.Root
	}
	if new.Tree != nil {
		rn = tree.Root
	}
	st := w.walk(ro, rn, "/")
	if w.dropped {
		w.files.Changes = slices.DeleteFunc(w.files.Changes, func(c FileChange) bool { return c.Path == "" })
	}
	f := w.files
	f.Counts = st.counts
	f.SizeDelta = st.newBytes - st.oldBytes
	slices.SortStableFunc(f.Dirs, func(a, b DirDelta) int {
		if c := cmp.Compare(abs(b.SizeDelta), abs(a.SizeDelta)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Total(), a.Total()); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	if f.Changes == nil {
		f.Changes = []FileChange{}
	}
	if f.Dirs == nil {
		f.Dirs = []DirDelta{}
	}
	f.Ignored.Globs = m.Globs()
	if f.Ignored.Globs == nil {
		f.Ignored.Globs = []string{}
	}
	return f
}

func newSide(t *tree.Tree) side {
	if t == nil {
		return side{}
	}
	return side{t: t, last: t.Layers() - 1}
}

// walk compares the node o of OLD with the node n of NEW (either may be
// None), both at path p, and everything below them.
func (w *merger) walk(o, n tree.NodeID, p string) subtotal {
	eo, en := w.old.entry(o), w.new.entry(n)
	ko, kn := w.old.children(o), w.new.children(n)
	// A node without a visible entry but with children may be a directory
	// no tar entry declares: decided once its children are known.
	implicitO := eo == nil && len(ko) > 0
	implicitN := en == nil && len(kn) > 0
	slot := -1
	var own subtotal
	if p != "/" {
		if implicitO || implicitN {
			slot = len(w.files.Changes)
			w.files.Changes = append(w.files.Changes, FileChange{})
		} else {
			own = w.record(p, eo, en, false, false, -1)
		}
	}
	var st subtotal // what the children hold
	prefix := p
	if p != "/" {
		prefix += "/"
	}
	i, j := 0, 0
	for i < len(ko) || j < len(kn) {
		co, cn := tree.NodeID(tree.None), tree.NodeID(tree.None)
		var name string
		switch {
		case j >= len(kn):
			co, name = ko[i], w.old.t.Name(ko[i])
			i++
		case i >= len(ko):
			cn, name = kn[j], w.new.t.Name(kn[j])
			j++
		default:
			a, b := w.old.t.Name(ko[i]), w.new.t.Name(kn[j])
			switch c := strings.Compare(a, b); {
			case c < 0:
				co, name = ko[i], a
				i++
			case c > 0:
				cn, name = kn[j], b
				j++
			default:
				co, cn, name = ko[i], kn[j], a
				i++
				j++
			}
		}
		sub := w.walk(co, cn, prefix+name)
		st.oldBytes += sub.oldBytes
		st.newBytes += sub.newBytes
		st.oldVisible = st.oldVisible || sub.oldVisible
		st.newVisible = st.newVisible || sub.newVisible
		st.counts.merge(sub.counts)
	}
	if slot >= 0 {
		own = w.record(p, eo, en, implicitO && st.oldVisible, implicitN && st.newVisible, slot)
	}
	if p != "/" && st.counts.Total() > 0 && (isDir(eo, implicitO) || isDir(en, implicitN)) {
		w.files.Dirs = append(w.files.Dirs, DirDelta{
			Path: p, OldBytes: st.oldBytes, NewBytes: st.newBytes,
			SizeDelta: st.newBytes - st.oldBytes, FileCounts: st.counts,
		})
	}
	st.oldBytes += own.oldBytes
	st.newBytes += own.newBytes
	st.oldVisible = st.oldVisible || own.oldVisible
	st.newVisible = st.newVisible || own.newVisible
	st.counts.merge(own.counts)
	return st
}

func isDir(e *tree.Entry, implicit bool) bool {
	return implicit || (e != nil && e.Kind == walk.Dir)
}

// record classifies one path and records its change, in the slot reserved
// for it or at the end. It returns what the path itself contributes.
func (w *merger) record(p string, eo, en *tree.Entry, implicitO, implicitN bool, slot int) subtotal {
	var st subtotal
	so, sn := w.state(eo, implicitO), w.state(en, implicitN)
	st.oldVisible, st.newVisible = so != nil, sn != nil
	fc := FileChange{Path: p, Old: so, New: sn}
	switch {
	case so == nil && sn == nil:
	case so == nil:
		fc.Change = FileAdded
	case sn == nil:
		fc.Change = FileRemoved
	case so.Kind != sn.Kind:
		fc.Change = FileTypeChanged
	case eo != nil && en != nil:
		fc.Fields = changedFields(eo, en)
		if len(fc.Fields) > 0 {
			fc.Change = FileModified
		}
	}
	if fc.Change == "" {
		// Unchanged (or absent): its bytes count on both sides.
		if so != nil {
			st.oldBytes, st.newBytes = so.SizeBytes, sn.SizeBytes
		}
		w.drop(slot)
		return st
	}
	if so != nil {
		fc.SizeDelta -= so.SizeBytes
	}
	if sn != nil {
		fc.SizeDelta += sn.SizeBytes
	}
	if w.m.Match(p) {
		w.files.Ignored.Count++
		w.files.Ignored.SizeDelta += fc.SizeDelta
		w.drop(slot)
		return st
	}
	if so != nil {
		st.oldBytes = so.SizeBytes
	}
	if sn != nil {
		st.newBytes = sn.SizeBytes
	}
	st.counts.add(&fc)
	if slot >= 0 {
		w.files.Changes[slot] = fc
	} else {
		w.files.Changes = append(w.files.Changes, fc)
	}
	return st
}

// drop marks a reserved slot as unused.
func (w *merger) drop(slot int) {
	if slot >= 0 {
		w.dropped = true
	}
}

// state describes a visible entry (or an implied directory).
func (w *merger) state(e *tree.Entry, implicit bool) *FileState {
	switch {
	case e != nil:
		s := w.newState()
		*s = FileState{
			Kind: e.Kind.String(), SizeBytes: e.Size, Mode: modeString(e.Mode),
			UID: e.UID, GID: e.GID, Link: e.Link, Layer: int(e.Layer),
		}
		return s
	case implicit:
		s := w.newState()
		*s = FileState{Kind: walk.Dir.String(), Layer: -1}
		return s
	}
	return nil
}

// modeStrings caches the octal text of every permission mode.
var modeStrings = sync.OnceValue(func() []string {
	out := make([]string, 010000)
	for m := range out {
		out[m] = fmt.Sprintf("%04o", m)
	}
	return out
})

// modeString writes permission bits in octal ("0644").
func modeString(m uint32) string {
	if m < 010000 {
		return modeStrings()[m]
	}
	return fmt.Sprintf("%04o", m)
}

// fieldLists holds the 16 lists of changed fields, indexed by a bit per
// field, so that modifications share them instead of allocating. They are
// read-only.
var fieldLists = func() [16][]string {
	var out [16][]string
	names := []string{FieldContent, FieldMode, FieldOwner, FieldLink}
	for bits := 1; bits < 16; bits++ {
		for i, n := range names {
			if bits&(1<<i) != 0 {
				out[bits] = append(out[bits], n)
			}
		}
		out[bits] = slices.Clip(out[bits])
	}
	return out
}()

// changedFields lists what differs between two entries of the same kind.
// The list is shared: do not modify it.
func changedFields(a, b *tree.Entry) []string {
	bits := 0
	if a.Kind == walk.File && (a.Size != b.Size || a.Hash != b.Hash) {
		bits |= 1
	}
	if a.Mode != b.Mode {
		bits |= 2
	}
	if a.UID != b.UID || a.GID != b.GID {
		bits |= 4
	}
	if a.Link != b.Link {
		bits |= 8
	}
	return fieldLists[bits]
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// LargestChanges returns up to n changes of paths that are not
// directories, largest size change first (n ≤ 0: all of them).
func (f *Files) LargestChanges(n int) []FileChange {
	var out []FileChange
	for _, c := range f.Changes {
		if c.Kind() != "dir" {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b FileChange) int {
		if c := cmp.Compare(abs(b.SizeDelta), abs(a.SizeDelta)); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
