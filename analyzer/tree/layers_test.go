package tree_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// TestManyLayers builds images with layer counts at and far past the 16-bit
// limits: layer indexes must never wrap. Layer 0 adds /f and /d/g, every
// layer adds /l/N, a middle layer replaces /d/g, and the last layer removes
// /f. The shape also makes every node inherit every layer's opaque marker at
// the root, which must not cost layers × nodes.
func TestManyLayers(t *testing.T) {
	counts := []int{32768, 32770, 65537, 200_000}
	if testing.Short() {
		counts = []int{32770, 65537}
	}
	for _, n := range counts {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			for _, rootOpaque := range []bool{false, true} {
				b := tree.NewBuilder()
				mid := n / 2
				for l := range n {
					var es []walk.Entry
					if rootOpaque && l > 0 {
						es = append(es, opaque("/"))
					}
					es = append(es, dir("/l"), file(fmt.Sprintf("/l/%d", l), 1, uint64(l)))
					switch l {
					case 0:
						es = append(es, file("/f", 100, 1), dir("/d"), file("/d/g", 10, 2))
					case mid:
						es = append(es, dir("/d"), file("/d/g", 20, 3))
					}
					if l == n-1 {
						es = append(es, whiteout("/f"))
					}
					b.Add(l, es)
				}
				tr := b.Build()
				if tr.Layers() != n {
					t.Fatalf("Layers() = %d, want %d", tr.Layers(), n)
				}
				f, _ := tr.Lookup("/f")
				g, _ := tr.Lookup("/d/g")
				fh, gh := tr.History(f), tr.History(g)
				last := []change{{"/l", "unchanged", 0}, {fmt.Sprintf("/l/%d", n-2), "removed", 1}, {fmt.Sprintf("/l/%d", n-1), "added", 1}}
				if rootOpaque {
					// Layer 1's opaque root removes /f and /d/g; every later
					// one removes the /l/N of the layer before.
					if fh[0].HiddenBy != 1 || gh[0].HiddenBy != 1 || gh[1].HiddenBy != int32(mid+1) || gh[1].LastShadow != int32(n-1) {
						t.Errorf("/f %+v, /d/g %+v: wrong shadows", fh, gh)
					}
					if e := tr.State(f, n-2); e >= 0 {
						t.Errorf("/f is still there after layer 1 removed it (entry %d)", e)
					}
				} else {
					// The last layer removes /f; /d/g is replaced in the middle.
					if fh[0].HiddenBy != int32(n-1) || gh[0].HiddenBy != int32(mid) || gh[1].Shadowed() {
						t.Errorf("/f %+v, /d/g %+v: wrong shadows", fh, gh)
					}
					if e := tr.State(f, n-2); e < 0 || tr.Entry(e).Layer != 0 {
						t.Errorf("/f as of layer %d: entry %d", n-2, e)
					}
					last = []change{{"/f", "removed", 100}, {"/l", "unchanged", 0}, {fmt.Sprintf("/l/%d", n-1), "added", 1}}
				}
				if e := tr.State(f, n-1); e >= 0 {
					t.Errorf("/f is still there after the last layer (entry %d)", e)
				}
				if diff := cmp.Diff(last, changes(tr, tr.LayerChanges(n-1))); diff != "" {
					t.Errorf("root opaque %v: changes of the last layer (-want +got):\n%s", rootOpaque, diff)
				}
				if got := len(tr.LayerChanges(mid)); (rootOpaque && got != 5) || (!rootOpaque && got != 4) {
					t.Errorf("root opaque %v: layer %d has %d changes", rootOpaque, mid, got)
				}
			}
		})
	}
}

// TestChangesMatchStates checks the per-layer changes, computed from each
// path's history, against a brute-force comparison of every path's state
// before and after every layer, on random stacks of files, directories,
// whiteouts and opaque markers.
func TestChangesMatchStates(t *testing.T) {
	paths := []string{"/a", "/a/b", "/a/b/c", "/a/d", "/e", "/e/f"}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		layers := 1 + rng.IntN(8)
		b := tree.NewBuilder()
		for l := range layers {
			var es []walk.Entry
			for _, p := range paths {
				switch rng.IntN(7) {
				case 0:
					es = append(es, file(p, int64(rng.IntN(3)), uint64(rng.IntN(3))))
				case 1:
					es = append(es, dir(p))
				case 2:
					es = append(es, whiteout(p))
				case 3:
					es = append(es, opaque(p))
				}
			}
			b.Add(l, es)
		}
		tr := b.Build()
		for l := range layers {
			var want []change
			for n := tree.NodeID(1); int(n) < tr.Len(); n++ {
				before, after := tr.State(n, l-1), tr.State(n, l)
				touched := false
				for _, e := range tr.History(n) {
					touched = touched || (int(e.Layer) == l && e.Kind != walk.Opaque)
				}
				var c change
				switch {
				case before < 0 && after < 0:
					continue
				case before < 0:
					c = change{tr.Path(n), "added", tr.Entry(after).Size}
				case after < 0:
					c = change{tr.Path(n), "removed", tr.Entry(before).Size}
				case before == after || !touched:
					continue
				case tr.Entry(after).Same(tr.Entry(before)):
					c = change{tr.Path(n), "unchanged", tr.Entry(after).Size}
				default:
					c = change{tr.Path(n), "modified", tr.Entry(after).Size}
				}
				want = append(want, c)
			}
			if diff := cmp.Diff(want, changes(tr, tr.LayerChanges(l))); diff != "" {
				t.Fatalf("round %d, layer %d of %d (-brute force +computed):\n%s", round, l, layers, diff)
			}
		}
	}
}
