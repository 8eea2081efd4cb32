package browse

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// bigTree builds a tree of about `entries` entries over `layers` layers
// straight through the tree builder: a base layer with half of the entries
// in a deep-ish directory hierarchy, then layers that add files, modify
// existing ones and delete some with whiteouts.
func bigTree(entries, layers int) *tree.Tree {
	b := tree.NewBuilder()
	base := entries / 2
	perLayer := (entries - base) / (layers - 1)
	var es []walk.Entry
	dirs := map[string]bool{}
	addDirs := func(p string) {
		for i := len(p) - 1; i > 0; i-- {
			if p[i] == '/' {
				d := p[:i]
				if dirs[d] {
					break
				}
				dirs[d] = true
				es = append(es, walk.Entry{Path: d, Kind: walk.Dir, Mode: 0o755})
			}
		}
	}
	file := func(layer, i int) string {
		return fmt.Sprintf("/usr/lib/pkg%03d/sub%02d/l%02d-file%07d.so", i%500, (i/500)%40, layer, i)
	}
	for i := 0; i < base; i++ {
		p := file(0, i)
		addDirs(p)
		es = append(es, walk.Entry{Path: p, Kind: walk.File, Size: int64(1000 + i%5000), Hash: uint64(i), Mode: 0o644})
	}
	b.Add(0, es)
	for l := 1; l < layers; l++ {
		es = es[:0]
		clear(dirs)
		for i := 0; i < perLayer; i++ {
			var p string
			switch i % 10 {
			case 0: // modify a base file
				p = file(0, (i*7919+l*104729)%base)
				es = append(es, walk.Entry{Path: p, Kind: walk.File, Size: 2048, Hash: uint64(l*1e9 + i), Mode: 0o644})
				continue
			case 1: // delete a base file
				p = file(0, (i*15485863+l*7)%base)
				es = append(es, walk.Entry{Path: p, Kind: walk.Whiteout})
				continue
			default:
				p = fmt.Sprintf("/app/layer%02d/mod%03d/f%07d.py", l, i%300, i)
			}
			addDirs(p)
			es = append(es, walk.Entry{Path: p, Kind: walk.File, Size: int64(500 + i%3000), Hash: uint64(l*1e9 + i), Mode: 0o644})
		}
		b.Add(l, es)
	}
	return b.Build()
}

func bigAnalysis(t *tree.Tree) *analyzer.Analysis {
	ls := make([]analyzer.Layer, t.Layers())
	for i := range ls {
		ls[i] = analyzer.Layer{Index: i, Command: fmt.Sprintf("RUN step %d", i), Entries: len(t.LayerEntries(i))}
	}
	return &analyzer.Analysis{Layers: ls, Tree: t, Summary: analyzer.Summary{LayerCount: len(ls), BaseLayers: 1}}
}

var benchTree *tree.Tree

func getBenchTree(b *testing.B) *tree.Tree {
	if benchTree == nil {
		benchTree = bigTree(1_000_000, 20)
		b.Logf("tree: %d nodes, %d entries, %d layers", benchTree.Len(), benchTree.EntryCount(), benchTree.Layers())
	}
	return benchTree
}

// keyBench measures Update+View per key press and reports the median and
// the worst time as metrics.
func keyBench(b *testing.B, setup func(Model) Model, press func(i int) []tea.Msg) {
	a := bigAnalysis(getBenchTree(b))
	m := NewBrowser(a, WithFindings(nil))
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = setup(m)
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for _, msg := range press(i) {
			m = send(m, msg)
		}
		_ = m.render()
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "ms-worst")
}

func focusTree(m Model) Model { return send(m, keys("tab", "tab")...) }

// BenchmarkTreeMove moves down the tree, a page every 50 presses.
func BenchmarkTreeMove(b *testing.B) {
	keyBench(b, focusTree, func(i int) []tea.Msg {
		if i%50 == 49 {
			return keys("pgdown")
		}
		return keys("j")
	})
}

// BenchmarkLayerSwitch moves through the layers, back and forth.
func BenchmarkLayerSwitch(b *testing.B) {
	keyBench(b, func(m Model) Model { return m }, func(i int) []tea.Msg {
		if (i/19)%2 == 0 {
			return keys("j")
		}
		return keys("k")
	})
}

// BenchmarkLayerSwitchAggregated moves through the layers in aggregated mode.
func BenchmarkLayerSwitchAggregated(b *testing.B) {
	keyBench(b, func(m Model) Model { return send(m, keys("a")...) }, func(i int) []tea.Msg {
		if (i/19)%2 == 0 {
			return keys("j")
		}
		return keys("k")
	})
}

// BenchmarkLayerSwitchRange marks layer 10 as a range end and moves the
// other end through every layer, back and forth: the range's start moves
// while the cursor is below the mark, its end while it is above.
func BenchmarkLayerSwitchRange(b *testing.B) {
	keyBench(b, func(m Model) Model {
		for i := 0; i < 10; i++ {
			m = send(m, keys("j")...)
		}
		m = send(m, keys("v")...)
		for i := 0; i < 10; i++ {
			m = send(m, keys("k")...)
		}
		return m
	}, func(i int) []tea.Msg {
		if (i/19)%2 == 0 {
			return keys("j")
		}
		return keys("k")
	})
}

// BenchmarkToggleFilter toggles the unchanged files on and off on layer 10.
func BenchmarkToggleFilter(b *testing.B) {
	keyBench(b, func(m Model) Model {
		m = send(m, keys("j", "j", "j", "j", "j", "j", "j", "j", "j", "j")...)
		return focusTree(m)
	}, func(i int) []tea.Msg { return keys("U") })
}

// BenchmarkToggleWasted toggles "only wasted files".
func BenchmarkToggleWasted(b *testing.B) {
	keyBench(b, focusTree, func(i int) []tea.Msg { return keys("w") })
}

// BenchmarkExpandAll collapses and expands every directory.
func BenchmarkExpandAll(b *testing.B) {
	keyBench(b, focusTree, func(i int) []tea.Msg { return keys("ctrl+space") })
}

// BenchmarkSortBySize toggles the sort order at the top of the tree.
func BenchmarkSortBySize(b *testing.B) {
	keyBench(b, focusTree, func(i int) []tea.Msg { return keys("s") })
}

// BenchmarkFirstScreen measures building the browser over a finished
// analysis and drawing its first screen, and reports the heap the browser
// adds relative to the heap the analysis holds.
func BenchmarkFirstScreen(b *testing.B) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	t := bigTree(1_000_000, 20)
	a := bigAnalysis(t)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	analysisHeap := ms.HeapAlloc - before
	var keep []Model
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := NewBrowser(a, WithFindings(nil))
		m = send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
		_ = m.render()
		if i == 0 {
			keep = append(keep, m)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	browserHeap := int64(ms.HeapAlloc) - int64(before) - int64(analysisHeap)
	b.ReportMetric(float64(analysisHeap)/(1<<20), "MiB-analysis")
	b.ReportMetric(float64(browserHeap)/(1<<20), "MiB-browser")
	b.ReportMetric(100*float64(browserHeap)/float64(analysisHeap), "%-added")
	runtime.KeepAlive(keep)
	runtime.KeepAlive(t)
}
