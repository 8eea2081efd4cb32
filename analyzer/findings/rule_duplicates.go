package findings

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/stratascan/strata/analyzer/walk"
)

// duplicateRule reports identical files at several paths.
var duplicateRule = &Rule{ID: "duplicate-files", Category: Duplicate, Severity: Low,
	Title: "identical files stored at several paths",
	Hint: "Keep one copy: copy the file once and link to it (`ln -s` or `ln`), or COPY only what each path needs " +
		"(`COPY --from=build /out/app /usr/local/bin/app` rather than copying a whole directory twice)."}

// checkDuplicates groups visible regular files by content; every copy after
// the first (by layer, then path order) is a duplicate, reported at the
// layer that added it.
func checkDuplicates(r *run) {
	if r.t == nil {
		return
	}
	t := r.t
	// Sort the candidates by content so that copies sit side by side: no
	// map of 200,000 small slices.
	type item struct {
		hash  uint64
		size  int64
		layer int16
		idx   int32
	}
	var items []item
	for i := int32(0); i < int32(t.EntryCount()); i++ {
		e := t.Entry(i)
		if e.Kind != walk.File || e.Size == 0 || e.Shadowed() || r.claimed[i] {
			continue
		}
		items = append(items, item{e.Hash, e.Size, e.Layer, i})
	}
	slices.SortFunc(items, func(a, b item) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		if c := cmp.Compare(a.size, b.size); c != 0 {
			return c
		}
		if c := cmp.Compare(a.layer, b.layer); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	byLayer := map[int][]int32{}
	originals := map[int32]int32{} // copy → original
	for lo := 0; lo < len(items); {
		hi := lo + 1
		for hi < len(items) && items[hi].hash == items[lo].hash && items[hi].size == items[lo].size {
			hi++
		}
		for _, c := range items[lo+1 : hi] {
			byLayer[int(c.layer)] = append(byLayer[int(c.layer)], c.idx)
			originals[c.idx] = items[lo].idx
		}
		lo = hi
	}
	layers := make([]int, 0, len(byLayer))
	for l := range byLayer {
		layers = append(layers, l)
	}
	slices.Sort(layers)
	for _, l := range layers {
		copies := byLayer[l]
		slices.SortFunc(copies, func(a, b int32) int {
			if c := cmp.Compare(t.Entry(b).Size, t.Entry(a).Size); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		big := copies[0]
		ev := fmt.Sprintf("%s copies %s", t.Path(t.Entry(big).Node), t.Path(t.Entry(originals[big]).Node))
		if len(copies) > 1 {
			ev += fmt.Sprintf(" (and %d more)", len(copies)-1)
		}
		r.add(duplicateRule, l, copies, ev)
	}
}
