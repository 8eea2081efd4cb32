package findings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// The waste rules: bytes stored in a layer that a later layer hides.
var (
	deletedLaterRule = &Rule{ID: "deleted-later", Category: Waste, Severity: Medium,
		Title: "files deleted by a later layer are still stored in the image",
		Hint: "Delete the files in the same RUN that creates them (`… && rm -rf …`), or never create them; " +
			"a separate `rm` only hides data: the bytes stay in the earlier layer.",
		References: refs("slim ID.20021")}
	overwrittenRule = &Rule{ID: "overwritten-later", Category: Waste, Severity: Low,
		Title: "files replaced by a later layer are still stored in the image",
		Hint:  "Write each file once: produce its final version in the step that creates it, or merge the steps into one RUN."}
	metadataRule = &Rule{ID: "metadata-only-readd", Category: Waste, Severity: Medium,
		Title: "files copied again only to change their mode or owner",
		Hint: "Set owner and mode where the files are added: `COPY --chown=app:app --chmod=755 …` (or fix the modes in the " +
			"build context) instead of a later `RUN chmod -R`/`chown -R`, which stores every file a second time."}
)

// wasteRules lists the waste and duplicate rules for the catalog.
var wasteRules = []*Rule{deletedLaterRule, overwrittenRule, metadataRule, duplicateRule}

// rewrittenByDesign are files package managers and system tools rewrite on
// every run; their overwritten copies are not worth a finding.
var rewrittenByDesign = []string{
	"/var/lib/dpkg/", "/var/lib/apt/extended_states", "/var/lib/rpm/", "/var/lib/yum/", "/var/lib/dnf/",
	"/lib/apk/db/", "/var/lib/pacman/", "/etc/ld.so.cache", "/var/cache/ldconfig/", "/var/cache/debconf/",
	"/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/usr/lib/sysimage/rpm/", "/var/lib/systemd/",
	"/etc/alternatives/", "/var/lib/ucf/",
}

// wasteKey groups waste by the layer holding the bytes and the layer that
// hides them.
type wasteKey struct{ layer, by int }

// checkWaste reports the shadowed bytes no path rule explains: deleted,
// replaced or re-added with new metadata only.
func checkWaste(r *run) {
	if r.t == nil {
		return
	}
	t := r.t
	deleted := map[wasteKey][]int32{}
	replaced := map[wasteKey][]int32{}
	readded := map[int][]int32{}
	for i := int32(0); i < int32(t.EntryCount()); i++ {
		e := t.Entry(i)
		if !e.Wasted() || e.Kind != walk.File || e.Size == 0 || r.claimed[i] {
			continue
		}
		by := int(e.HiddenBy)
		after := t.State(e.Node, by)
		switch {
		case after < 0:
			k := wasteKey{int(e.Layer), by}
			deleted[k] = append(deleted[k], i)
		case sameContent(t.Entry(after), e):
			readded[by] = append(readded[by], i)
		default:
			p := t.Path(e.Node)
			if slices.ContainsFunc(rewrittenByDesign, func(d string) bool { return strings.HasPrefix(p, d) }) {
				continue
			}
			k := wasteKey{int(e.Layer), by}
			replaced[k] = append(replaced[k], i)
		}
	}
	for _, k := range sortedKeys(deleted) {
		r.add(deletedLaterRule, k.layer, deleted[k], fmt.Sprintf("deleted by %s", r.layerLabel(k.by)))
	}
	for _, k := range sortedKeys(replaced) {
		r.add(overwrittenRule, k.layer, replaced[k], fmt.Sprintf("replaced by %s", r.layerLabel(k.by)))
	}
	layers := make([]int, 0, len(readded))
	for l := range readded {
		layers = append(layers, l)
	}
	slices.Sort(layers)
	for _, l := range layers {
		from := map[int]bool{}
		for _, i := range readded[l] {
			from[int(t.Entry(i).Layer)] = true
		}
		var src []string
		for _, s := range sortedInts(from) {
			src = append(src, r.layerLabel(s))
		}
		r.add(metadataRule, l, readded[l], "same content as in "+strings.Join(src, ", ")+"; only the mode, owner or nothing changed")
	}
}

// sameContent reports whether two entries hold the same regular-file content.
func sameContent(a, b *tree.Entry) bool {
	return a.Kind == walk.File && b.Kind == walk.File && a.Size == b.Size && a.Hash == b.Hash
}

func sortedKeys(m map[wasteKey][]int32) []wasteKey {
	out := make([]wasteKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b wasteKey) int {
		if a.layer != b.layer {
			return a.layer - b.layer
		}
		return a.by - b.by
	})
	return out
}

func sortedInts(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
