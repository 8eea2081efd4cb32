package report

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

func analyzeImage(t testing.TB, im fixtures.Image) *analyzer.Analysis {
	t.Helper()
	img, err := fixtures.Build(im, fixtures.Uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analyzer.Analyze(context.Background(), &source.Image{Image: img, Reference: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// mapImage: /big (1000 bytes in layer 0, rewritten with 1500 bytes in layer
// 1), /a/x (300, layer 0), /a/y (200, layer 1), /a/gone (400, layer 0,
// deleted in layer 1), and /many with twenty files of 1 to 20 bytes.
func mapImage() fixtures.Image {
	base := []fixtures.Entry{
		fixtures.RandomFile("big", 1000, 1),
		fixtures.Dir("a"),
		fixtures.RandomFile("a/x", 300, 2),
		fixtures.RandomFile("a/gone", 400, 3),
		fixtures.Dir("many"),
	}
	for i := 1; i <= 20; i++ {
		base = append(base, fixtures.RandomFile(fmt.Sprintf("many/f%02d", i), int64(i), uint64(10+i)))
	}
	return fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "ADD base", Entries: base},
		{CreatedBy: "RUN change", Entries: []fixtures.Entry{
			fixtures.RandomFile("big", 1500, 4),
			fixtures.RandomFile("a/y", 200, 5),
			fixtures.Whiteout("a/gone"),
		}},
	}}
}

// flat lists a treemap as "path kept wasted layer [other]" lines.
func flat(n *mapNode, prefix string, out *[]string) {
	for _, k := range n.Kids {
		p := prefix + "/" + k.Name
		if k.Other > 0 {
			p = prefix + fmt.Sprintf("/(%d other files)", k.Other)
		}
		*out = append(*out, fmt.Sprintf("%s k=%d w=%d l=%d", p, k.Kept, k.Wasted, k.Layer))
		flat(k, p, out)
	}
}

func TestFSMapByConstruction(t *testing.T) {
	a := analyzeImage(t, mapImage())
	m := buildFSMap(a.Tree, MapBudget)
	if m.Threshold != 0 || m.Grouped != 0 {
		t.Errorf("threshold %d, grouped %d; want every path drawn", m.Threshold, m.Grouped)
	}
	if got, want := m.Root.Kept, a.Summary.VisibleBytes; got != want {
		t.Errorf("root kept %d, want the visible bytes %d", got, want)
	}
	if got, want := m.Root.Wasted, a.Summary.WastedBytes; got != want {
		t.Errorf("root wasted %d, want the wasted bytes %d", got, want)
	}
	var got []string
	flat(m.Root, "", &got)
	want := []string{
		"/big k=1500 w=1000 l=1",
		"/a k=500 w=400 l=0",
		"/a/gone k=0 w=400 l=0",
		"/a/x k=300 w=0 l=0",
		"/a/y k=200 w=0 l=1",
		"/many k=210 w=0 l=0",
	}
	for i := 20; i >= 1; i-- {
		want = append(want, fmt.Sprintf("/many/f%02d k=%d w=0 l=0", i, i))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("treemap (-want +got):\n%s", d)
	}
	if big := m.Root.Kids[0]; fmt.Sprint(big.WastedIn, *big.HiddenBy) != "[0] 1" {
		t.Errorf("/big: hidden copies in %v, hidden by %v; want [0] and 1", big.WastedIn, *big.HiddenBy)
	}
}

func TestFSMapGroupsSmallPaths(t *testing.T) {
	a := analyzeImage(t, mapImage())
	// 26 paths have bytes; a budget of 10 keeps the ten largest, of 17
	// bytes and more: /big, /a and its three files, /many and f17 to f20.
	m := buildFSMap(a.Tree, 10)
	if m.Threshold != 17 {
		t.Errorf("threshold %d, want 17", m.Threshold)
	}
	if n := countRects(m.Root) - 1; n != 11 {
		t.Errorf("%d rectangles for a budget of 10 (and one group)", n)
	}
	var got []string
	flat(m.Root, "", &got)
	want := []string{
		"/big k=1500 w=1000 l=1",
		"/a k=500 w=400 l=0",
		"/a/gone k=0 w=400 l=0",
		"/a/x k=300 w=0 l=0",
		"/a/y k=200 w=0 l=1",
		"/many k=210 w=0 l=0",
		"/many/(16 other files) k=136 w=0 l=0",
		"/many/f20 k=20 w=0 l=0",
		"/many/f19 k=19 w=0 l=0",
		"/many/f18 k=18 w=0 l=0",
		"/many/f17 k=17 w=0 l=0",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("treemap (-want +got):\n%s", d)
	}
	if m.Grouped != 16 {
		t.Errorf("grouped %d files, want 16", m.Grouped)
	}
	if m.Root.Kept != a.Summary.VisibleBytes || m.Root.Wasted != a.Summary.WastedBytes {
		t.Errorf("grouping changed the totals: %d/%d", m.Root.Kept, m.Root.Wasted)
	}
}

func TestBudgetThreshold(t *testing.T) {
	for _, c := range []struct {
		sizes  []int64
		budget int
		want   int64
	}{
		{[]int64{5, 4, 3}, 3, 0},
		{[]int64{5, 4, 3, 2}, 3, 3},
		{[]int64{5, 3, 3, 3}, 2, 4},
		{[]int64{3, 3, 3, 3}, 2, 4},
	} {
		if got := budgetThreshold(append([]int64(nil), c.sizes...), c.budget); got != c.want {
			t.Errorf("budgetThreshold(%v, %d) = %d, want %d", c.sizes, c.budget, got, c.want)
		}
	}
}

func TestTopDirectories(t *testing.T) {
	a := analyzeImage(t, mapImage())
	want := []Directory{
		{Path: "/a", Bytes: 500, WastedBytes: 400, Files: 2},
		{Path: "/many", Bytes: 210, Files: 20},
	}
	if d := cmp.Diff(want, TopDirectories(a.Tree)); d != "" {
		t.Errorf("top directories (-want +got):\n%s", d)
	}
}
