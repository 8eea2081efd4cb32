package browse

import (
	"regexp"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
)

// syncFilterNodes is the tree size up to which a path filter is computed
// inside Update; larger trees compute it in a command, off the UI loop.
const syncFilterNodes = 200_000

// filterDoneMsg carries a path filter computed in the background.
type filterDoneMsg struct {
	gen   int
	text  string
	match []uint8
}

// computeMatch marks the nodes whose path matches the filter (matchSelf)
// and the ancestors of those (matchBelow). The filter is a Go regexp matched
// anywhere in the absolute path, as in dive; text that is not a valid
// regexp is matched literally. A literal without "/" is matched against
// names, a path matching when any of its elements does, which needs no
// path to be built.
func computeMatch(t *tree.Tree, text string) []uint8 {
	match := make([]uint8, t.Len())
	if regexp.QuoteMeta(text) == text && !strings.Contains(text, "/") {
		for i := 1; i < t.Len(); i++ {
			n := tree.NodeID(i)
			if strings.Contains(t.Name(n), text) || match[t.Parent(n)]&matchSelf != 0 {
				match[i] = matchSelf
			}
		}
	} else {
		re, err := regexp.Compile(text)
		if err != nil {
			re = regexp.MustCompile(regexp.QuoteMeta(text))
		}
		for i := 1; i < t.Len(); i++ {
			if re.MatchString(t.Path(tree.NodeID(i))) {
				match[i] = matchSelf
			}
		}
	}
	for i := t.Len() - 1; i > 0; i-- {
		if match[i] != 0 {
			match[t.Parent(tree.NodeID(i))] |= matchBelow
		}
	}
	return match
}
