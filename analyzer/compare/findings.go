package compare

import (
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/findings"
)

// FindingChanges are the findings new in NEW and those fixed since OLD.
// Findings are matched by rule and what they are about (their paths and
// instruction), never by layer index, which shifts between versions.
type FindingChanges struct {
	// New are NEW's findings that match none of OLD's, highest severity first.
	New []findings.Finding `json:"new"`
	// Fixed are OLD's findings that match none of NEW's.
	Fixed []findings.Finding `json:"fixed"`
	// Unchanged counts the findings both images have.
	Unchanged int `json:"unchanged"`
}

// findingKeys are the keys two findings are matched by, strictest first:
// the same rule and paths and instruction; the same rule and paths; the
// same rule and instruction; the same rule and a path in common.
type findingKeys struct {
	rule        string
	paths       string
	instruction string
	pathSet     []string
}

func keysOf(f *findings.Finding) findingKeys {
	k := findingKeys{rule: f.Rule, instruction: normalizeInstruction(f.Instruction)}
	for _, p := range f.Paths {
		k.pathSet = append(k.pathSet, normalizeFindingPath(p))
	}
	slices.Sort(k.pathSet)
	k.paths = strings.Join(k.pathSet, "\x00")
	return k
}

// normalizeFindingPath collapses the runs of digits of a path, so that a
// finding about /usr/lib/python3.11/... still matches after an upgrade to
// python3.12.
func normalizeFindingPath(p string) string {
	var b strings.Builder
	digits := false
	for i := 0; i < len(p); i++ {
		if isDigit(p[i]) {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteByte(p[i])
	}
	return b.String()
}

// normalizeInstruction is the instruction's words with digests and digit
// runs collapsed, sorted: a version bump or a reordering keeps it.
func normalizeInstruction(s string) string {
	if s == "" {
		return ""
	}
	c := normalizeCommand(s)
	words := make([]string, 0, len(c.words)+1)
	for w := range c.words {
		words = append(words, normalizeFindingPath(w))
	}
	slices.Sort(words)
	return c.instruction + " " + strings.Join(words, " ")
}

// compareFindings matches the findings of the two images.
func compareFindings(old, new []findings.Finding) FindingChanges {
	ko := make([]findingKeys, len(old))
	for i := range old {
		ko[i] = keysOf(&old[i])
	}
	kn := make([]findingKeys, len(new))
	for i := range new {
		kn[i] = keysOf(&new[i])
	}
	usedO, usedN := make([]bool, len(old)), make([]bool, len(new))
	same := []func(a, b *findingKeys) bool{
		func(a, b *findingKeys) bool { return a.paths == b.paths && a.instruction == b.instruction },
		func(a, b *findingKeys) bool { return a.paths == b.paths },
		func(a, b *findingKeys) bool { return a.instruction != "" && a.instruction == b.instruction },
		func(a, b *findingKeys) bool { return overlap(a.pathSet, b.pathSet) },
	}
	r := FindingChanges{New: []findings.Finding{}, Fixed: []findings.Finding{}}
	for _, eq := range same {
		for j := range new {
			if usedN[j] {
				continue
			}
			for i := range old {
				if !usedO[i] && ko[i].rule == kn[j].rule && eq(&ko[i], &kn[j]) {
					usedO[i], usedN[j] = true, true
					r.Unchanged++
					break
				}
			}
		}
	}
	for j := range new {
		if !usedN[j] {
			r.New = append(r.New, new[j])
		}
	}
	for i := range old {
		if !usedO[i] {
			r.Fixed = append(r.Fixed, old[i])
		}
	}
	bySeverity := func(a, b findings.Finding) int { return int(b.Severity) - int(a.Severity) }
	slices.SortStableFunc(r.New, bySeverity)
	slices.SortStableFunc(r.Fixed, bySeverity)
	return r
}

// overlap reports whether two sorted lists share an element.
func overlap(a, b []string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i], b[j]); {
		case c == 0:
			return true
		case c < 0:
			i++
		default:
			j++
		}
	}
	return false
}

// CountAtLeast counts the findings of a severity or above.
func CountAtLeast(fs []findings.Finding, s findings.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= s {
			n++
		}
	}
	return n
}
