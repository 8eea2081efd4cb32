package diffview

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/ui/common"
)

// diffNode is one path of the comparison's file tree: a changed path, or a
// directory shown only because changes are below it.
type diffNode struct {
	name   string
	parent int
	kids   []int
	// change is the path's own change (nil for a context directory).
	change *compare.FileChange
	// delta is the net size change of the path and everything below it.
	delta int64
	// below has bit 1<<type set for each change type at or below the node.
	below uint8
	open  bool
	depth int
}

// The change types as bits of diffNode.below.
const (
	bitAdded uint8 = 1 << iota
	bitRemoved
	bitModified
	bitTypeChanged
)

func changeBit(t compare.FileChangeType) uint8 {
	switch t {
	case compare.FileAdded:
		return bitAdded
	case compare.FileRemoved:
		return bitRemoved
	case compare.FileModified:
		return bitModified
	case compare.FileTypeChanged:
		return bitTypeChanged
	}
	return 0
}

// diffTree is the file pane of the comparison browser: one tree of the
// changed paths, coloured by the difference, with collapse and expand,
// change-type toggles and sorting by name or by size change.
type diffTree struct {
	nodes  []diffNode
	rows   []int
	cursor int // index in rows
	top    int
	show   uint8
	bySize bool
	// match marks the nodes a path filter keeps (nil: no filter): those
	// whose path matches and their ancestors.
	match []bool
}

// newDiffTree builds the tree of a comparison's file changes, every
// directory open, the largest changes first.
func newDiffTree(changes []compare.FileChange) *diffTree {
	t := &diffTree{nodes: []diffNode{{name: "/", parent: -1, open: true}}, show: bitAdded | bitRemoved | bitModified | bitTypeChanged,
		bySize: true}
	index := map[string]int{"/": 0}
	var ensure func(p string) int
	ensure = func(p string) int {
		if i, ok := index[p]; ok {
			return i
		}
		cut := strings.LastIndexByte(p, '/')
		parentPath := p[:cut]
		if cut == 0 {
			parentPath = "/"
		}
		parent := ensure(parentPath)
		i := len(t.nodes)
		t.nodes = append(t.nodes, diffNode{name: p[cut+1:], parent: parent, open: true, depth: t.nodes[parent].depth + 1})
		t.nodes[parent].kids = append(t.nodes[parent].kids, i)
		index[p] = i
		return i
	}
	for k := range changes {
		c := &changes[k]
		i := ensure(c.Path)
		t.nodes[i].change = c
		bit := changeBit(c.Change)
		for n := i; n >= 0; n = t.nodes[n].parent {
			t.nodes[n].delta += c.SizeDelta
			t.nodes[n].below |= bit
		}
	}
	t.refresh()
	return t
}

// shown reports whether a node passes the change-type toggles and the
// path filter.
func (t *diffTree) shown(i int) bool {
	return t.nodes[i].below&t.show != 0 && (t.match == nil || t.match[i])
}

// path returns a node's absolute path.
func (t *diffTree) path(i int) string {
	var parts []string
	for n := i; n > 0; n = t.nodes[n].parent {
		parts = append(parts, t.nodes[n].name)
	}
	slices.Reverse(parts)
	return "/" + strings.Join(parts, "/")
}

// setFilter keeps the paths a filter matches, as in the image browser: a
// Go regexp matched anywhere in the path, or literal text when it is not
// one; "" shows every path.
func (t *diffTree) setFilter(text string) {
	t.match = nil
	if text != "" {
		re, err := regexp.Compile(text)
		if err != nil {
			re = regexp.MustCompile(regexp.QuoteMeta(text))
		}
		t.match = make([]bool, len(t.nodes))
		self := make([]bool, len(t.nodes))  // the path, or one above it, matches
		for i := 1; i < len(t.nodes); i++ { // parents come before their children
			self[i] = self[t.nodes[i].parent] || re.MatchString(t.path(i))
			for n := i; self[i] && n >= 0 && !t.match[n]; n = t.nodes[n].parent {
				t.match[n] = true
			}
		}
		t.match[0] = true
	}
	t.refresh()
}

// kids returns a node's children in the current order.
func (t *diffTree) kids(i int) []int {
	k := t.nodes[i].kids
	if !t.bySize {
		return k
	}
	k = slices.Clone(k)
	slices.SortStableFunc(k, func(a, b int) int {
		return cmp.Compare(abs64(t.nodes[b].delta), abs64(t.nodes[a].delta))
	})
	return k
}

// refresh lists the visible rows, keeping the cursor on its node.
func (t *diffTree) refresh() {
	at := -1
	if t.cursor < len(t.rows) {
		at = t.rows[t.cursor]
	}
	t.rows = t.rows[:0]
	var walk func(i int)
	walk = func(i int) {
		for _, k := range t.kids(i) {
			if !t.shown(k) {
				continue
			}
			t.rows = append(t.rows, k)
			if t.nodes[k].open {
				walk(k)
			}
		}
	}
	walk(0)
	t.cursor = 0
	for r, n := range t.rows {
		if n == at {
			t.cursor = r
		}
	}
	// A hidden cursor node: keep the nearest visible ancestor.
	if at > 0 && (len(t.rows) == 0 || t.rows[t.cursor] != at) {
		for p := t.nodes[at].parent; p > 0; p = t.nodes[p].parent {
			if r := slices.Index(t.rows, p); r >= 0 {
				t.cursor = r
				break
			}
		}
	}
}

// current returns the node under the cursor, or -1.
func (t *diffTree) current() int {
	if t.cursor < len(t.rows) {
		return t.rows[t.cursor]
	}
	return -1
}

func (t *diffTree) move(d int) {
	t.cursor = min(max(t.cursor+d, 0), max(len(t.rows)-1, 0))
}

// setOpen opens or closes the node under the cursor.
func (t *diffTree) setOpen(open bool) {
	if n := t.current(); n > 0 && len(t.nodes[n].kids) > 0 {
		t.nodes[n].open = open
		t.refresh()
	}
}

// collapse closes the node under the cursor, or moves to its parent.
func (t *diffTree) collapse() {
	n := t.current()
	if n <= 0 {
		return
	}
	if t.nodes[n].open && len(t.nodes[n].kids) > 0 {
		t.setOpen(false)
		return
	}
	if p := t.nodes[n].parent; p > 0 {
		if r := slices.Index(t.rows, p); r >= 0 {
			t.cursor = r
		}
	}
}

// toggleAll opens every directory, or closes them all when all are open.
func (t *diffTree) toggleAll() {
	all := true
	for i := 1; i < len(t.nodes); i++ {
		if len(t.nodes[i].kids) > 0 && !t.nodes[i].open {
			all = false
			break
		}
	}
	for i := 1; i < len(t.nodes); i++ {
		t.nodes[i].open = !all
	}
	t.refresh()
}

// toggleShow shows or hides a change type (never all of them).
func (t *diffTree) toggleShow(bit uint8) {
	if t.show^bit == 0 {
		return
	}
	t.show ^= bit
	t.refresh()
}

// lines draws h rows of the tree, w cells wide, scrolling to the cursor.
func (t *diffTree) lines(s *common.Styles, w, h int, focused bool) []string {
	if len(t.rows) == 0 {
		return []string{s.Dim.Render("no file changes")}
	}
	if t.cursor < t.top {
		t.top = t.cursor
	}
	if t.cursor >= t.top+h {
		t.top = t.cursor - h + 1
	}
	t.top = max(min(t.top, len(t.rows)-h), 0)
	var out []string
	for r := t.top; r < min(t.top+h, len(t.rows)); r++ {
		n := &t.nodes[t.rows[r]]
		style := s.Dim
		mark := " "
		detail := ""
		if n.change != nil {
			mark = common.Markers[changeStyle(n.change.Change)]
			style = s.Change[changeStyle(n.change.Change)]
			if d := n.change.Detail(); d != "" {
				detail = "  " + d
			}
		}
		arrow := "  "
		if len(n.kids) > 0 {
			arrow = "▸ "
			if n.open {
				arrow = "▾ "
			}
		}
		name := n.name
		if len(n.kids) > 0 {
			name += "/"
		}
		plain := fmt.Sprintf("%s %9s %s%s%s", mark, termtext.SignedBytes(n.delta), strings.Repeat("  ", n.depth-1), arrow, termtext.Escape(name))
		line := style.Render(plain) + s.Dim.Render(detail)
		if r == t.cursor {
			sel := s.SelectedBlur
			if focused {
				sel = s.Selected
			}
			line = sel.Render(common.Fit(plain+detail, w))
		}
		out = append(out, line)
	}
	return out
}

// changeStyle maps a file change to the tree colour it is drawn with.
func changeStyle(c compare.FileChangeType) tree.ChangeType {
	switch c {
	case compare.FileAdded:
		return tree.Added
	case compare.FileRemoved:
		return tree.Removed
	case compare.FileModified, compare.FileTypeChanged:
		return tree.Modified
	}
	return tree.Unchanged
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
