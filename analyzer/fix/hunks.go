package fix

import (
	"cmp"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/findings"
)

// cluster is a byte range of the original [a, b) (whole lines, or an empty
// range at a line start for a pure insertion) and its edits.
type cluster struct {
	a, b  int
	edits []edit
}

// plan turns the edits into hunks.
func (fx *fixer) plan() (*Plan, error) {
	p := &Plan{Path: fx.in.File.Path, Original: fx.src, Patched: apply(fx.src, fx.edits), Advice: fx.advice, Hunks: []Hunk{}}
	if p.Advice == nil {
		p.Advice = []Advice{}
	}
	var cs []cluster
	for _, e := range fx.edits {
		a, b := e.start, e.end
		// Widen to whole lines, unless the edit is an insertion at a line
		// start.
		if !(a == b && (a == 0 || fx.src[a-1] == '\n')) {
			a = lineStart(fx.src, lineOf(fx.src, e.start))
			b = lineEnd(fx.src, lineOf(fx.src, max(e.start, e.end-1)))
		}
		cs = append(cs, cluster{a: a, b: b, edits: []edit{e}})
	}
	slices.SortFunc(cs, func(x, y cluster) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	var merged []cluster
	for _, c := range cs {
		if n := len(merged); n > 0 && c.a <= merged[n-1].b {
			m := &merged[n-1]
			m.b = max(m.b, c.b)
			m.edits = append(m.edits, c.edits...)
			continue
		}
		merged = append(merged, c)
	}
	// Which cluster each fix belongs to: the one holding its primary edit.
	owner := make([]int, len(fx.fixes))
	for i, f := range fx.fixes {
		owner[i] = -1
		for k, c := range merged {
			if f.at >= c.a && (f.at < c.b || f.at == c.b && (c.a == c.b || owner[i] < 0)) {
				owner[i] = k
				break
			}
		}
	}
	counted := map[Ref]bool{}
	delta := 0 // lines added so far
	for k, c := range merged {
		old := splitLines(string(fx.src[c.a:c.b]))
		local := make([]edit, len(c.edits))
		for i, e := range c.edits {
			local[i] = edit{start: e.start - c.a, end: e.end - c.a, text: e.text, seq: e.seq}
		}
		nw := splitLines(string(apply(fx.src[c.a:c.b], local)))
		line := lineOf(fx.src, c.a)
		h := Hunk{Line: line, EndLine: line + len(old) - 1, NewLine: line + delta, Old: old, New: nw, Findings: []Ref{}, Description: []string{}}
		h.NewEndLine = h.NewLine + len(nw) - 1
		delta += len(nw) - len(old)
		for i, f := range fx.fixes {
			if owner[i] != k {
				continue
			}
			h.Description = append(h.Description, f.what)
			for _, fd := range f.findings {
				r := ref(fd)
				h.Findings = append(h.Findings, r)
				if !counted[r] && f.layer < 0 {
					h.PredictedSavingsBytes += saving(fd)
				}
				counted[r] = true
			}
			if f.layer >= 0 && f.layer < len(fx.in.LayerBytes) {
				h.PredictedSavingsBytes += fx.in.LayerBytes[f.layer]
			}
		}
		p.PredictedSavingsBytes += h.PredictedSavingsBytes
		p.Hunks = append(p.Hunks, h)
	}
	return p, nil
}

// saving is what fixing a finding removes: the bytes of the byte rules.
func saving(f findings.Finding) int64 {
	switch f.Category {
	case findings.Waste, findings.Cache, findings.Leftover, findings.Duplicate:
		return f.Bytes
	}
	return 0
}

// splitLines splits text into lines without their newlines.
func splitLines(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
