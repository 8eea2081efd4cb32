package browse

import (
	"fmt"
	"math/rand/v2"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// randomTree builds a tree over a small namespace, so that layers keep
// touching the same paths: files added, modified, re-added unchanged and
// removed by whiteouts, directories made opaque, removed or replaced by
// files (which removes what was below them), symlinks retargeted.
func randomTree(rng *rand.Rand, layers int) *tree.Tree {
	names := []string{"a", "b", "c", "d"}
	randomPath := func() string {
		p := ""
		for d := 1 + rng.IntN(4); d > 0; d-- {
			p += "/" + names[rng.IntN(len(names))]
		}
		return p
	}
	b := tree.NewBuilder()
	for l := 0; l < layers; l++ {
		seen := map[string]bool{}
		var es []walk.Entry
		for i := 10 + rng.IntN(50); i > 0; i-- {
			p := randomPath()
			if seen[p] {
				continue
			}
			seen[p] = true
			switch r := rng.IntN(20); {
			case r < 9: // a small set of contents, so some re-adds are identical
				es = append(es, walk.Entry{Path: p, Kind: walk.File, Size: int64(1 + rng.IntN(3)), Hash: uint64(rng.IntN(3)), Mode: 0o644})
			case r < 13:
				es = append(es, walk.Entry{Path: p, Kind: walk.Dir, Mode: uint32(0o755 - rng.IntN(2)*0o50)})
				if rng.IntN(3) == 0 {
					es = append(es, walk.Entry{Path: p, Kind: walk.Opaque})
				}
			case r < 17:
				es = append(es, walk.Entry{Path: p, Kind: walk.Whiteout})
			case r < 19:
				es = append(es, walk.Entry{Path: p, Kind: walk.Symlink, Link: randomPath()})
			default:
				es = append(es, walk.Entry{Path: p, Kind: walk.Opaque})
			}
		}
		b.Add(l, es)
	}
	return b.Build()
}

// referenceFlags derives the flags of a span from tree.Changes alone: the
// type of every changed node, the types changed below each directory and
// the counts by type.
func referenceFlags(t *tree.Tree, s span) ([]uint8, [4]int) {
	flags := make([]uint8, t.Len())
	var counts [4]int
	for _, c := range t.Changes(s.From, s.To) {
		counts[c.Type]++
		flags[c.Node] |= flagChanged | uint8(c.Type)
		for p := t.Parent(c.Node); p != tree.None; p = t.Parent(p) {
			flags[p] |= flagBelow << c.Type
		}
	}
	return flags, counts
}

// bruteFlags classifies every node of the tree by its states as of the
// span's ends, without using the layers' change lists.
func bruteFlags(t *tree.Tree, s span) []uint8 {
	flags := make([]uint8, t.Len())
	for i := range flags {
		n := tree.NodeID(i)
		before, after := t.State(n, s.From-1), t.State(n, s.To)
		var typ tree.ChangeType
		switch {
		case before == after:
			continue
		case before < 0:
			typ = tree.Added
		case after < 0:
			typ = tree.Removed
		case int(t.Entry(after).Layer) < s.From:
			continue
		case t.Entry(after).Same(t.Entry(before)):
			typ = tree.Unchanged
		default:
			typ = tree.Modified
		}
		flags[n] |= flagChanged | uint8(typ)
		for p := t.Parent(n); p != tree.None; p = t.Parent(p) {
			flags[p] |= flagBelow << typ
		}
	}
	return flags
}

// checkFlags compares a view with the flags derived from tree.Changes and,
// on small trees, with a classification of every node.
func checkFlags(t *testing.T, tr *tree.Tree, vf *viewFlags, s span, step string) {
	t.Helper()
	if vf.span != s {
		t.Fatalf("%s: span %v, want %v", step, vf.span, s)
	}
	want, counts := referenceFlags(tr, s)
	var brute []uint8
	if tr.Len() < 5000 {
		brute = bruteFlags(tr, s)
	}
	for i := range want {
		if vf.flags[i] != want[i] {
			t.Fatalf("%s: span %v: node %d (%s) flags %08b, want %08b",
				step, s, i, tr.Path(tree.NodeID(i)), vf.flags[i], want[i])
		}
		if brute != nil && brute[i] != want[i] {
			t.Fatalf("%s: span %v: node %d (%s): tree.Changes gives %08b, its states %08b",
				step, s, i, tr.Path(tree.NodeID(i)), want[i], brute[i])
		}
	}
	if vf.changes != counts {
		t.Fatalf("%s: span %v: counts %v, want %v", step, s, vf.changes, counts)
	}
}

// randomSpans walks through spans as the layers pane produces them:
// mostly one-layer moves in aggregated and range mode, with page jumps,
// mode switches and range marks in between.
func randomSpans(rng *rand.Rand, layers, steps int) []span {
	var out []span
	cursor, mark, mode := 0, -1, ModeLayer
	base := rng.IntN(min(3, layers))
	for i := 0; i < steps; i++ {
		switch r := rng.IntN(100); {
		case r < 35:
			cursor++
		case r < 70:
			cursor--
		case r < 78:
			cursor += 5
		case r < 86:
			cursor -= 5
		case r < 89:
			cursor = rng.IntN(layers)
		case r < 92:
			mode, mark = ModeAggregated, -1
		case r < 95:
			mode, mark = ModeRange, cursor
		default:
			mode, mark = ModeLayer, -1
		}
		cursor = min(max(cursor, 0), layers-1)
		switch mode {
		case ModeAggregated:
			out = append(out, span{From: min(base, cursor), To: cursor})
		case ModeRange:
			out = append(out, span{From: min(mark, cursor), To: max(mark, cursor)})
		default:
			out = append(out, span{From: cursor, To: cursor})
		}
	}
	return out
}

// touchedLimits are the sizes of the touched list tests run with: the
// browser's, and small ones that send rollUp over the whole tree.
var touchedLimits = []int{maxTouched, 40, 0}

// TestFlagCacheMatchesChanges moves a flag cache through random span
// sequences and checks every view against a from-scratch tree.Changes.
func TestFlagCacheMatchesChanges(t *testing.T) {
	trees := map[string]*tree.Tree{"generated": bigTree(20_000, 12)}
	for seed := uint64(1); seed <= 6; seed++ {
		trees[fmt.Sprintf("random%d", seed)] = randomTree(rand.New(rand.NewPCG(seed, 7)), 4+int(seed)*2)
	}
	for name, tr := range trees {
		for _, limit := range touchedLimits {
			t.Run(fmt.Sprintf("%s/touched%d", name, limit), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(tr.Len()), 11))
				c := newFlagCache(tr)
				c.limit = limit
				moved := 0
				for i, s := range randomSpans(rng, tr.Layers(), 400) {
					if c.valid && s != c.span && c.moveCost(s) < c.freshCost(s) {
						moved++
					}
					checkFlags(t, tr, c.view(s), s, fmt.Sprint("step ", i))
				}
				if moved == 0 {
					t.Fatal("no step was computed incrementally")
				}
			})
		}
	}
}

// TestFlagCacheEverySpan moves between every pair of spans of random
// trees, in both directions.
func TestFlagCacheEverySpan(t *testing.T) {
	for seed := uint64(40); seed < 44; seed++ {
		tr := randomTree(rand.New(rand.NewPCG(seed, seed)), 5+int(seed%4))
		var spans []span
		for a := 0; a < tr.Layers(); a++ {
			for b := a; b < tr.Layers(); b++ {
				spans = append(spans, span{a, b})
			}
		}
		for _, limit := range touchedLimits {
			for _, from := range spans {
				for _, to := range spans {
					c := newFlagCache(tr)
					c.limit = limit
					c.view(from)
					c.walk(to) // from the current span, whatever the costs say
					checkFlags(t, tr, &viewFlags{span: c.span, flags: c.flags, changes: c.changes}, to,
						fmt.Sprintf("seed %d, touched %d, from %v", seed, limit, from))
				}
			}
		}
	}
}

// TestBrowserLayerSwitchFlags drives the browser through the layers in
// aggregated and range mode and checks the tree's view after every key.
func TestBrowserLayerSwitchFlags(t *testing.T) {
	tr := bigTree(20_000, 12)
	m := NewBrowser(bigAnalysis(tr), WithFindings(nil))
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	rng := rand.New(rand.NewPCG(3, 5))
	presses := []string{"j", "j", "j", "k", "k", "pgdown", "pgup", "a", "v", "ctrl+l", "g", "G"}
	for i := 0; i < 300; i++ {
		k := presses[rng.IntN(len(presses))]
		m = send(m, keys(k)...)
		checkFlags(t, tr, m.tree.nav.vf, m.span(), fmt.Sprintf("key %d (%s), mode %v", i, k, m.layers.mode))
	}
}
