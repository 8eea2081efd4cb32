package fix

import (
	"slices"
	"strings"
)

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
	seq        int
}

// add records edits unless one overlaps an edit already made; it reports
// whether they were recorded.
func (fx *fixer) add(es ...edit) bool {
	// The same insertion twice (two fixes adding one flag) is made once.
	es = slices.DeleteFunc(slices.Clone(es), func(e edit) bool {
		return slices.ContainsFunc(fx.edits, func(o edit) bool { return o.start == e.start && o.end == e.end && o.text == e.text })
	})
	for _, e := range es {
		for _, o := range fx.edits {
			if e.start < o.end && o.start < e.end || e.start == e.end && o.start < e.start && e.start < o.end ||
				o.start == o.end && e.start < o.start && o.start < e.end {
				return false
			}
		}
	}
	for _, e := range es {
		e.seq = len(fx.edits)
		fx.edits = append(fx.edits, e)
	}
	return true
}

// apply returns the source with the edits made.
func apply(src []byte, edits []edit) []byte {
	es := slices.Clone(edits)
	slices.SortStableFunc(es, func(a, b edit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.seq - b.seq
	})
	var b strings.Builder
	pos := 0
	for _, e := range es {
		if e.start < pos {
			continue
		}
		b.Write(src[pos:e.start])
		b.WriteString(e.text)
		pos = e.end
	}
	b.Write(src[pos:])
	return []byte(b.String())
}

// lineStart returns the byte offset of a line (1-based) of src.
func lineStart(src []byte, line int) int {
	off := 0
	for l := 1; l < line && off < len(src); l++ {
		i := strings.IndexByte(string(src[off:]), '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	return off
}

// lineEnd returns the offset just past a line's newline (or the end).
func lineEnd(src []byte, line int) int {
	off := lineStart(src, line)
	if i := strings.IndexByte(string(src[off:]), '\n'); i >= 0 {
		return off + i + 1
	}
	return len(src)
}

// lineOf returns the line (1-based) of a byte offset.
func lineOf(src []byte, off int) int {
	return strings.Count(string(src[:min(off, len(src))]), "\n") + 1
}
