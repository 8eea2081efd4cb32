package browse

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// TestIndexHardLinkKeepsBytes checks the browser's sizes when the path a
// file was written at is deleted while a hard link keeps its content: the
// bytes move to the link's directory, counted once.
func TestIndexHardLinkKeepsBytes(t *testing.T) {
	b := tree.NewBuilder()
	b.Add(0, []walk.Entry{
		{Path: "/d", Kind: walk.Dir}, {Path: "/d/a", Kind: walk.File, Size: 100, Hash: 1},
		{Path: "/e", Kind: walk.Dir}, {Path: "/e/b", Kind: walk.HardLink, Link: "/d/a"},
	})
	b.Add(1, []walk.Entry{{Path: "/d/a", Kind: walk.Whiteout}})
	tr := b.Build()
	ix := newTreeIndex(tr)
	type size struct {
		Bytes int64
		Count int
	}
	got := map[string]size{}
	for _, p := range []string{"/", "/d", "/e"} {
		n, _ := tr.Lookup(p)
		for l := range 2 {
			bytes, count := ix.subtree(n, l)
			got[p+"@"+string(rune('0'+l))] = size{bytes, count}
		}
	}
	want := map[string]size{
		"/@0": {100, 4}, "/@1": {100, 3},
		"/d@0": {100, 1}, "/d@1": {0, 0},
		"/e@0": {0, 1}, "/e@1": {100, 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ix.wasted[tree.Root] != 0 {
		t.Errorf("wasted bits of / = %d, want 0: nothing is wasted", ix.wasted[tree.Root])
	}
}
