package tree_test

import (
	"fmt"
	"testing"

	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// BenchmarkBuild merges 20 layers of 50,000 files each (the browse
// benchmark image's shape), whole and in two halves side by side:
//
//	go test -run '^$' -bench Build ./analyzer/tree/
func BenchmarkBuild(b *testing.B) {
	layers := make([][]walk.Entry, 20)
	for l := range layers {
		es := []walk.Entry{dir("/app"), dir(fmt.Sprintf("/app/l%02d", l))}
		for d := range 50 {
			dp := fmt.Sprintf("/app/l%02d/d%04d", l, d)
			es = append(es, dir(dp))
			for f := range 1000 {
				es = append(es, file(fmt.Sprintf("%s/f%06d.dat", dp, f), int64(f), uint64(l<<32|d<<16|f)))
			}
		}
		layers[l] = es
	}
	for _, split := range []struct {
		name string
		min  int
	}{{"whole", 1 << 30}, {"halves", 1}} {
		b.Run(split.name, func(b *testing.B) {
			defer tree.SetSplitMin(split.min)()
			for range b.N {
				bl := tree.NewBuilder()
				for l, es := range layers {
					bl.Add(l, es)
				}
				if tr := bl.Build(); tr.EntryCount() != 20*(2+50*1001) {
					b.Fatalf("%d entries", tr.EntryCount())
				}
			}
		})
	}
}
