package tree_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

func file(p string, size int64, hash uint64) walk.Entry {
	return walk.Entry{Path: p, Kind: walk.File, Size: size, Hash: hash, Mode: 0o644}
}
func dir(p string) walk.Entry      { return walk.Entry{Path: p, Kind: walk.Dir, Mode: 0o755} }
func whiteout(p string) walk.Entry { return walk.Entry{Path: p, Kind: walk.Whiteout} }
func opaque(p string) walk.Entry   { return walk.Entry{Path: p, Kind: walk.Opaque} }
func link(p, to string) walk.Entry { return walk.Entry{Path: p, Kind: walk.Symlink, Link: to} }
func chmod(e walk.Entry, m uint32) walk.Entry {
	e.Mode = m
	return e
}

// build makes a tree of five layers exercising every kind of change. The
// layers are added out of order, as concurrent walks complete.
func build() *tree.Tree {
	layers := [][]walk.Entry{
		{dir("/a"), file("/a/x", 10, 1), file("/a/y", 20, 2), dir("/d"), file("/d/z", 5, 3), link("/l", "/a/x")},
		{dir("/a"), file("/a/x", 11, 4), whiteout("/a/y"), link("/l", "/a/y")},
		{opaque("/d"), file("/d/n", 7, 5), dir("/a"), chmod(file("/a/x", 11, 4), 0o600)},
		{whiteout("/a")},
		{dir("/a"), file("/a/x", 11, 4)},
	}
	b := tree.NewBuilder()
	for _, l := range []int{3, 0, 4, 2, 1} {
		b.Add(l, layers[l])
	}
	return b.Build()
}

// visible lists the paths present in the filesystem as of a layer.
func visible(t *tree.Tree, layer int) map[string]int64 {
	out := map[string]int64{}
	for i := 1; i < t.Len(); i++ {
		if e := t.State(tree.NodeID(i), layer); e >= 0 {
			out[t.Path(tree.NodeID(i))] = t.Entry(e).Size
		}
	}
	return out
}

func TestState(t *testing.T) {
	tr := build()
	want := []map[string]int64{
		{"/a": 0, "/a/x": 10, "/a/y": 20, "/d": 0, "/d/z": 5, "/l": 0},
		{"/a": 0, "/a/x": 11, "/d": 0, "/d/z": 5, "/l": 0},
		{"/a": 0, "/a/x": 11, "/d": 0, "/d/n": 7, "/l": 0},
		{"/d": 0, "/d/n": 7, "/l": 0},
		{"/a": 0, "/a/x": 11, "/d": 0, "/d/n": 7, "/l": 0},
	}
	for l, w := range want {
		if diff := cmp.Diff(w, visible(tr, l)); diff != "" {
			t.Errorf("filesystem as of layer %d (-want +got):\n%s", l, diff)
		}
	}
	if got := visible(tr, -1); len(got) != 0 {
		t.Errorf("filesystem before layer 0 = %v, want empty", got)
	}
}

type change struct {
	Path string
	Type string
	Size int64
}

func changes(t *tree.Tree, cs []tree.Change) []change {
	var out []change
	for _, c := range cs {
		out = append(out, change{t.Path(c.Node), c.Type.String(), t.Bytes(c)})
	}
	return out
}

func TestChanges(t *testing.T) {
	tr := build()
	tests := []struct {
		a, b int
		want []change
	}{
		{1, 1, []change{{"/a", "unchanged", 0}, {"/a/x", "modified", 11}, {"/a/y", "removed", 20}, {"/l", "modified", 0}}},
		{2, 2, []change{{"/a", "unchanged", 0}, {"/a/x", "modified", 11}, {"/d/n", "added", 7}, {"/d/z", "removed", 5}}},
		{3, 3, []change{{"/a", "removed", 0}, {"/a/x", "removed", 11}}},
		{4, 4, []change{{"/a", "added", 0}, {"/a/x", "added", 11}}},
		// Over a range only the end states count: /a/x went 10 → 11 bytes.
		// Changes come in path order.
		{1, 4, []change{{"/a", "unchanged", 0}, {"/a/x", "modified", 11}, {"/a/y", "removed", 20}, {"/d/n", "added", 7}, {"/d/z", "removed", 5}, {"/l", "modified", 0}}},
		{0, 4, []change{{"/a", "added", 0}, {"/a/x", "added", 11}, {"/d", "added", 0}, {"/d/n", "added", 7}, {"/l", "added", 0}}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, changes(tr, tr.Changes(tc.a, tc.b))); diff != "" {
			t.Errorf("changes %d..%d (-want +got):\n%s", tc.a, tc.b, diff)
		}
	}
}

func TestShadows(t *testing.T) {
	tr := build()
	type shadow struct {
		Path            string
		Layer, By, Last int
	}
	var got []shadow
	for i := 0; i < tr.EntryCount(); i++ {
		e := tr.Entry(int32(i))
		if e.Shadowed() && e.Kind != walk.Whiteout && e.Kind != walk.Opaque {
			got = append(got, shadow{tr.Path(e.Node), int(e.Layer), int(e.HiddenBy), int(e.LastShadow)})
		}
	}
	want := []shadow{
		{"/a", 0, 1, 4}, {"/a", 1, 2, 4}, {"/a", 2, 3, 4},
		{"/a/x", 0, 1, 4}, {"/a/x", 1, 2, 4}, {"/a/x", 2, 3, 4},
		{"/a/y", 0, 1, 3},
		{"/d/z", 0, 2, 2},
		{"/l", 0, 1, 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shadowed entries (-want +got):\n%s", diff)
	}
}

func TestLookupAndPath(t *testing.T) {
	tr := build()
	for _, p := range []string{"/", "/a", "/a/x", "/d/n", "/l"} {
		n, ok := tr.Lookup(p)
		if !ok {
			t.Fatalf("Lookup(%q) not found", p)
		}
		if got := tr.Path(n); got != p {
			t.Errorf("Path(Lookup(%q)) = %q", p, got)
		}
	}
	if _, ok := tr.Lookup("/nope"); ok {
		t.Error("Lookup(/nope) found a node")
	}
}

func TestDuplicateGroups(t *testing.T) {
	b := tree.NewBuilder()
	b.Add(0, []walk.Entry{file("/a", 10, 7), file("/b", 10, 7), file("/c", 11, 7), file("/d", 10, 8), file("/e", 0, 0)})
	b.Add(1, []walk.Entry{file("/f", 10, 7), whiteout("/b"), file("/g", 11, 7), file("/h", 0, 0)})
	tr := b.Build()
	var got [][]string
	for _, g := range tr.DuplicateGroups(nil) {
		var paths []string
		for _, i := range g {
			paths = append(paths, tr.Path(tr.Entry(i).Node))
		}
		got = append(got, paths)
	}
	// /b is deleted, empty files never count, same hash with another size
	// is another content.
	want := [][]string{{"/a", "/f"}, {"/c", "/g"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("duplicate groups (-want +got):\n%s", diff)
	}
	if g := tr.DuplicateGroups(func(i int32) bool { return tr.Path(tr.Entry(i).Node) != "/f" }); len(g) != 1 {
		t.Errorf("with /f filtered out: %d groups, want 1", len(g))
	}
}

func hardlink(p, to string) walk.Entry { return walk.Entry{Path: p, Kind: walk.HardLink, Link: to} }

// TestHardLinks checks which file entry each hard link shares content with
// and which shadowed entries a visible link keeps.
func TestHardLinks(t *testing.T) {
	layers := [][]walk.Entry{
		{file("/a", 100, 1), hardlink("/b", "/a"), hardlink("/c", "/b"), hardlink("/e", "/a"), hardlink("/early", "/x"), file("/x", 5, 2)},
		{file("/a", 30, 3), hardlink("/d", "/a"), whiteout("/b")},
		{whiteout("/a"), whiteout("/e")},
	}
	b := tree.NewBuilder()
	for l, es := range layers {
		b.Add(l, es)
	}
	tr := b.Build()
	type res struct {
		Data        string // path@layer of the file entry shared, "" for none
		Kept, Waste bool
	}
	got := map[string]res{}
	name := func(i int32) string {
		if i < 0 {
			return ""
		}
		e := tr.Entry(i)
		return tr.Path(e.Node) + "@" + string(rune('0'+e.Layer))
	}
	for i := int32(0); i < int32(tr.EntryCount()); i++ {
		e := tr.Entry(i)
		if e.Kind == walk.Whiteout {
			continue
		}
		got[name(i)] = res{Data: name(tr.LinkData(i)), Kept: e.Kept, Waste: e.Wasted()}
	}
	want := map[string]res{
		"/a@0":     {Kept: true},                // shadowed by L1, reached by /c
		"/b@0":     {Data: "/a@0", Waste: true}, // deleted link: 0 bytes
		"/c@0":     {Data: "/a@0"},              // through /b
		"/e@0":     {Data: "/a@0", Waste: true}, // deleted link
		"/early@0": {},                          // names /x before it exists
		"/x@0":     {},                          // visible
		"/a@1":     {Kept: true},                // deleted by L2, reached by /d
		"/d@1":     {Data: "/a@1"},              // the new content, not the old
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// /c stands for the first /a (100 bytes, from L1), /d for the second
	// (30, from L2); the visible bytes are /x 5 + 100 + 30.
	held := map[string][2]int64{}
	var content int64
	for n := tree.NodeID(1); int(n) < tr.Len(); n++ {
		if h := tr.Held(n); h != nil {
			held[tr.Path(n)] = [2]int64{h.Size, int64(h.HiddenBy)}
		}
	}
	for i := int32(0); i < int32(tr.EntryCount()); i++ {
		content += tr.Content(i)
	}
	if diff := cmp.Diff(map[string][2]int64{"/c": {100, 1}, "/d": {30, 2}}, held); diff != "" {
		t.Errorf("held (-want +got):\n%s", diff)
	}
	if content != 135 {
		t.Errorf("content = %d, want 135", content)
	}
}
