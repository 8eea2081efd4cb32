package findings

import (
	"cmp"
	"fmt"
	"slices"
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
	byLayer := map[int][]int32{}
	originals := map[int32]int32{} // copy → original
	for _, g := range t.DuplicateGroups(func(i int32) bool { return !r.claimed[i] }) {
		for _, c := range g[1:] {
			l := int(t.Entry(c).Layer)
			byLayer[l] = append(byLayer[l], c)
			originals[c] = g[0]
		}
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
