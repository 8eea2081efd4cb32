package policy

import (
	"fmt"
	"path"
	"strings"
)

// MatchPath reports whether an image path matches a glob of ignore-paths.
//
//   - Components match as in path.Match: * and ? never cross a "/", [a-z]
//     is a class.
//   - ** matches any number of components, none included.
//   - A glob matches the paths below a directory it matches:
//     /usr/share/doc matches /usr/share/doc/bash/README.
//   - A glob without "/" matches a name at any depth: *.pyc is **/*.pyc.
//   - The leading "/" is optional in the glob and in the path.
func MatchPath(glob, p string) bool {
	glob = strings.TrimSpace(glob)
	if !strings.Contains(glob, "/") {
		glob = "**/" + glob
	}
	return matchParts(split(glob), split(p))
}

// ValidGlob reports a malformed glob (an unclosed class, a bad escape).
func ValidGlob(glob string) error {
	for _, part := range split(glob) {
		if part == "**" {
			continue
		}
		if _, err := path.Match(part, ""); err != nil {
			return fmt.Errorf("bad glob %q: %w", glob, err)
		}
	}
	return nil
}

func split(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func matchParts(g, p []string) bool {
	for len(g) > 0 {
		if g[0] == "**" {
			for len(g) > 1 && g[1] == "**" {
				g = g[1:]
			}
			for i := 0; i <= len(p); i++ {
				if matchParts(g[1:], p[i:]) {
					return true
				}
			}
			return false
		}
		if len(p) == 0 {
			return false
		}
		if ok, _ := path.Match(g[0], p[0]); !ok {
			return false
		}
		g, p = g[1:], p[1:]
	}
	return true // the glob matched p itself or a directory above it
}
