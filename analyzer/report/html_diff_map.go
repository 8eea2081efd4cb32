package report

import (
	"strings"

	"github.com/stratascan/strata/analyzer/compare"
)

// buildDiffMap computes the treemap of a comparison: every path whose
// size changed (a file, or a file that became a directory or the reverse),
// under its directories, the area being the size of
// the change (growth and shrinkage alike). Paths whose change is smaller
// than the threshold that keeps at most budget rectangles are grouped per
// directory.
func buildDiffMap(changes []compare.FileChange, budget int) fsMap {
	root := &mapNode{Dir: true, Layer: -1}
	dirs := map[string]*mapNode{"/": root}
	var dirOf func(p string) *mapNode
	dirOf = func(p string) *mapNode {
		if d, ok := dirs[p]; ok {
			return d
		}
		cut := strings.LastIndexByte(p, '/')
		parent := "/"
		if cut > 0 {
			parent = p[:cut]
		}
		d := &mapNode{Name: p[cut+1:], Dir: true, Layer: -1}
		pd := dirOf(parent)
		pd.Kids = append(pd.Kids, d)
		dirs[p] = d
		return d
	}
	for _, c := range changes {
		if c.SizeDelta == 0 || c.Path == "" || c.Path == "/" {
			continue
		}
		cut := strings.LastIndexByte(c.Path, '/')
		parent := "/"
		if cut > 0 {
			parent = c.Path[:cut]
		}
		d := dirOf(parent)
		d.Kids = append(d.Kids, &mapNode{Name: c.Path[cut+1:], Delta: c.SizeDelta, Abs: abs64(c.SizeDelta), Change: string(c.Change), Layer: -1, files: 1})
	}
	var sizes []int64
	var sum func(n *mapNode)
	sum = func(n *mapNode) {
		if !n.Dir {
			sizes = append(sizes, n.Abs)
			return
		}
		n.Delta, n.Abs, n.files = 0, 0, 0
		for _, k := range n.Kids {
			sum(k)
			n.Delta += k.Delta
			n.Abs += k.Abs
			n.files += k.files
		}
		if n != root {
			sizes = append(sizes, n.Abs)
		}
	}
	sum(root)
	threshold := budgetThreshold(sizes, budget)
	grouped := 0
	var prune func(n *mapNode)
	prune = func(n *mapNode) {
		var keep []*mapNode
		var other *mapNode
		for _, k := range n.Kids {
			if k.Abs == 0 {
				continue
			}
			if k.Abs >= threshold {
				if k.Dir {
					prune(k)
				}
				keep = append(keep, k)
				continue
			}
			if other == nil {
				other = &mapNode{Layer: -1}
			}
			other.Delta += k.Delta
			other.Abs += k.Abs
			other.Other += k.files
		}
		if other != nil {
			grouped += other.Other
			keep = append(keep, other)
		}
		sortMapNodes(keep)
		n.Kids = keep
	}
	prune(root)
	return fsMap{Root: root, Threshold: threshold, Grouped: grouped}
}
