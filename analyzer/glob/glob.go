// Package glob matches image paths against the globs users give to ignore
// paths (the CI gate's ignore-paths, the comparison's ignore globs). Globs
// are compiled once; the common component shapes are matched without
// path.Match.
package glob

import (
	"fmt"
	"path"
	"strings"
)

// Matcher matches paths against a set of globs compiled once. It keeps a
// scratch buffer: use one Matcher per goroutine.
type Matcher struct {
	globs [][]part
	given []string
	buf   []string // the components of the path being matched
	// the sets of glob positions reached, before and after a component
	cur, next []bool
}

// part is one compiled component of a glob. The common shapes are matched
// without path.Match: a literal name, "*", "*.ext" and "prefix*".
type part struct {
	kind partKind
	s    string
}

type partKind uint8

const (
	partGlob    partKind = iota // anything else: path.Match
	partLiteral                 // name
	partAny                     // **
	partStar                    // *
	partSuffix                  // *SUFFIX
	partPrefix                  // PREFIX*
)

// compilePart classifies one glob component.
func compilePart(g string) part {
	const meta = `*?[\`
	switch {
	case g == "**":
		return part{kind: partAny}
	case g == "*":
		return part{kind: partStar}
	case !strings.ContainsAny(g, meta):
		return part{kind: partLiteral, s: g}
	case g[0] == '*' && !strings.ContainsAny(g[1:], meta):
		return part{kind: partSuffix, s: g[1:]}
	case g[len(g)-1] == '*' && !strings.ContainsAny(g[:len(g)-1], meta):
		return part{kind: partPrefix, s: g[:len(g)-1]}
	}
	return part{kind: partGlob, s: g}
}

// matches reports whether one path component matches the part.
func (pt part) matches(name string) bool {
	switch pt.kind {
	case partLiteral:
		return name == pt.s
	case partStar:
		return true
	case partSuffix:
		return strings.HasSuffix(name, pt.s)
	case partPrefix:
		return strings.HasPrefix(name, pt.s)
	}
	ok, _ := path.Match(pt.s, name)
	return ok
}

// New compiles globs, reporting the first malformed one. Empty globs are
// skipped.
func New(globs ...string) (*Matcher, error) {
	m := &Matcher{}
	for _, g := range globs {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		full := g
		if !strings.Contains(full, "/") {
			full = "**/" + full
		}
		var parts []part
		for _, p := range splitPath(full) {
			if p != "**" {
				if _, err := path.Match(p, ""); err != nil {
					return nil, fmt.Errorf("bad glob %q: %w", g, err)
				}
			}
			parts = append(parts, compilePart(p))
		}
		m.globs = append(m.globs, parts)
		m.given = append(m.given, g)
	}
	return m, nil
}

// Globs returns the globs compiled, as given.
func (m *Matcher) Globs() []string {
	if m == nil {
		return nil
	}
	return m.given
}

// Valid reports a malformed glob (an unclosed class, a bad escape).
func Valid(glob string) error {
	_, err := New(glob)
	return err
}

// MatchPath reports whether an image path matches one glob (a malformed
// glob matches nothing). The syntax, shared by the CI gate's ignore-paths
// and the comparison's ignore globs:
//
//   - Components match as in path.Match: * and ? never cross a "/", [a-z]
//     is a class.
//   - ** matches any number of components, none included.
//   - A glob matches the paths below a directory it matches:
//     /var/log/apt matches /var/log/apt/history.log.
//   - A glob without "/" matches a name at any depth: *.pyc is **/*.pyc.
//   - The leading "/" is optional in the glob and in the path.
func MatchPath(glob, p string) bool {
	m, err := New(glob)
	return err == nil && m.Match(p)
}

// Match reports whether any glob matches p.
func (m *Matcher) Match(p string) bool {
	if m == nil || len(m.globs) == 0 {
		return false
	}
	parts := m.buf[:0]
	for rest := strings.Trim(p, "/"); rest != ""; {
		name := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			name, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		parts = append(parts, name)
	}
	m.buf = parts
	for _, g := range m.globs {
		if len(m.cur) < len(g)+1 {
			m.cur, m.next = make([]bool, len(g)+1), make([]bool, len(g)+1)
		}
		if matchParts(g, parts, m.cur[:len(g)+1], m.next[:len(g)+1]) {
			return true
		}
	}
	return false
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// matchParts reports whether the glob matches the path's components or the
// components of a directory above it. It runs the glob as an automaton over
// the components, keeping the set of glob positions reached, so that its
// cost is the glob's length times the path's, whatever the number of **:
// backtracking over them was exponential in the number of ** and took
// seconds on paths thousands of directories deep.
func matchParts(g []part, p []string, cur, next []bool) bool {
	clear(cur)
	cur[0] = true
	for _, name := range p {
		if reach(g, cur) {
			return true // a directory above the path matched
		}
		clear(next)
		alive := false
		for i, on := range cur[:len(g)] {
			switch {
			case !on:
			case g[i].kind == partAny:
				next[i], alive = true, true // ** takes the component and stays
			case g[i].matches(name):
				next[i+1], alive = true, true
			}
		}
		if !alive {
			return false
		}
		cur, next = next, cur
	}
	return reach(g, cur)
}

// reach adds to the set the positions reached by letting each ** match no
// component, and reports whether the end of the glob is reached.
func reach(g []part, set []bool) bool {
	for i := range g {
		if set[i] && g[i].kind == partAny {
			set[i+1] = true
		}
	}
	return set[len(g)]
}
