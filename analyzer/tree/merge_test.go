package tree_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// dump is everything a tree exposes, node by node and layer by layer.
type dump struct {
	Nodes   []dumpNode
	Layers  [][]int32
	Changes [][]tree.Change
}

type dumpNode struct {
	Path     string
	Parent   tree.NodeID
	Children []tree.NodeID
	History  []tree.Entry
}

func dumpTree(tr *tree.Tree) dump {
	var d dump
	for i := 0; i < tr.Len(); i++ {
		n := tree.NodeID(i)
		d.Nodes = append(d.Nodes, dumpNode{tr.Path(n), tr.Parent(n), tr.Children(n), tr.History(n)})
	}
	for l := 0; l < tr.Layers(); l++ {
		d.Layers = append(d.Layers, tr.LayerEntries(l))
		d.Changes = append(d.Changes, tr.LayerChanges(l))
	}
	return d
}

// TestMergeHalves builds random trees whole and in two halves merged side
// by side, and finds them identical: the same node IDs, entries and
// changes. Paths share prefixes with names sorting around '/' ("a-b",
// "a.b", "a/b", "ab"), parents are often left implicit, layers come out of
// path order and repeat paths, and the root has entries.
func TestMergeHalves(t *testing.T) {
	names := []string{"a", "a-b", "a.b", "ab", "b", "z"}
	rng := rand.New(rand.NewPCG(3, 4))
	randomPath := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString("/" + names[rng.IntN(len(names))])
		}
		return b.String()
	}
	for round := range 300 {
		layers := make([][]walk.Entry, 1+rng.IntN(6))
		for l := range layers {
			for range rng.IntN(40) {
				p := randomPath()
				if rng.IntN(30) == 0 {
					p = "/"
				}
				var e walk.Entry
				switch rng.IntN(6) {
				case 0:
					e = dir(p)
				case 1:
					e = whiteout(p)
				case 2:
					e = opaque(p)
				case 3:
					e = walk.Entry{Path: p, Kind: walk.HardLink, Link: randomPath()}
				default:
					e = file(p, int64(rng.IntN(5)), uint64(rng.IntN(3)))
				}
				layers[l] = append(layers[l], e)
			}
		}
		build := func() *tree.Tree {
			b := tree.NewBuilder()
			for l, es := range layers {
				b.Add(l, es)
			}
			return b.Build()
		}
		whole := dumpTree(build())
		restore := tree.SetSplitMin(1)
		halves := dumpTree(build())
		restore()
		if diff := cmp.Diff(whole, halves); diff != "" {
			t.Fatalf("round %d: merged in halves (-whole +halves):\n%s", round, diff)
		}
	}
}
