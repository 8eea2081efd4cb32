package findings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// pathRule is a rule that matches regular files by where they are: under a
// root directory, by a file or directory name anywhere, or by a name ending.
// Each file belongs to one path rule at most: the deepest root, else a name,
// else an ending.
type pathRule struct {
	*Rule
	// roots are directory patterns: "~/" stands for every home directory
	// (/root and /home/*) and "*" for any one name.
	roots []string
	// names are file or directory names matched anywhere outside system
	// and dependency directories (everywhere when anywhere is set).
	names []string
	// dirNames are like names but match directories only.
	dirNames []string
	// exts are file name endings ("*.deb").
	exts []string
	// anywhere lets names and exts match in system and dependency dirs.
	anywhere bool
	// keep, when set, exempts files at rel (the path below the matched root).
	keep func(rel string) bool
	// confirm, when set, must accept an ending match.
	confirm func(r *run, n tree.NodeID) bool
}

// pathRules are every path rule, in documentation order.
func pathRules() []*pathRule {
	return append(append([]*pathRule{}, cacheRules...), leftoverPathRules...)
}

// trieNode is a node of the trie of root patterns.
type trieNode struct {
	kids map[string]*trieNode
	star *trieNode
	rule *pathRule
}

func (n *trieNode) insert(segs []string, r *pathRule) {
	for _, s := range segs {
		if s == "*" {
			if n.star == nil {
				n.star = &trieNode{}
			}
			n = n.star
			continue
		}
		if n.kids == nil {
			n.kids = map[string]*trieNode{}
		}
		k := n.kids[s]
		if k == nil {
			k = &trieNode{}
			n.kids[s] = k
		}
		n = k
	}
	n.rule = r
}

// expandRoot turns "~/x" into "/root/x" and "/home/*/x".
func expandRoot(p string) []string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return []string{"/root/" + rest, "/home/*/" + rest}
	}
	return []string{p}
}

// pathMatcher holds the compiled path rules.
type pathMatcher struct {
	trie     *trieNode
	names    map[string]*pathRule
	dirNames map[string]*pathRule
	exts     map[string][]extRule // by the name's last ".ext"
}

type extRule struct {
	ext  string
	rule *pathRule
}

func newPathMatcher(rules []*pathRule) *pathMatcher {
	m := &pathMatcher{trie: &trieNode{}, names: map[string]*pathRule{}, dirNames: map[string]*pathRule{}, exts: map[string][]extRule{}}
	for _, r := range rules {
		for _, root := range r.roots {
			for _, p := range expandRoot(root) {
				m.trie.insert(strings.Split(strings.Trim(p, "/"), "/"), r)
			}
		}
		for _, n := range r.names {
			m.names[n] = r
		}
		for _, n := range r.dirNames {
			m.dirNames[n] = r
		}
		for _, e := range r.exts {
			last := e[strings.LastIndexByte(e, '.'):]
			m.exts[last] = append(m.exts[last], extRule{e, r})
		}
	}
	return m
}

// matchState is what a node inherits from its ancestors.
type matchState struct {
	pos      []*trieNode // trie positions reached by the path so far
	root     *pathRule   // the deepest root rule matched so far
	rootNode tree.NodeID // where it matched
	name     *pathRule   // a name rule matched by an ancestor
	system   bool        // inside a system directory
	dep      bool        // inside a dependency directory
}

// dependencyNames name the directories of third-party packages.
var dependencyNames = map[string]bool{"node_modules": true, "site-packages": true, "dist-packages": true, "vendor": true}

// pathGroup collects one rule's entries in one layer.
type pathGroup struct {
	rule    *pathRule
	layer   int
	entries []int32
}

// pathScan walks the tree once and sorts its files into the path rules.
type pathScan struct {
	r      *run
	m      *pathMatcher
	groups map[[2]int]*pathGroup
	order  []*pathGroup
	index  map[*pathRule]int
}

// checkPaths runs every path rule in one walk of the tree.
func checkPaths(r *run) {
	if r.t == nil {
		return
	}
	rules := pathRules()
	s := &pathScan{r: r, m: newPathMatcher(rules), groups: map[[2]int]*pathGroup{}, index: map[*pathRule]int{}}
	for i, pr := range rules {
		s.index[pr] = i
	}
	s.visit(tree.Root, matchState{pos: []*trieNode{s.m.trie}}, 0)
	slices.SortFunc(s.order, func(a, b *pathGroup) int {
		if a.rule != b.rule {
			return s.index[a.rule] - s.index[b.rule]
		}
		return a.layer - b.layer
	})
	for _, g := range s.order {
		r.claim(g.entries)
		r.add(g.rule.Rule, g.layer, g.entries, r.hiddenEvidence(g.entries))
	}
}

// visit classifies the children of node n.
func (s *pathScan) visit(n tree.NodeID, st matchState, depth int) {
	t := s.r.t
	for _, c := range t.Children(n) {
		name := t.Name(c)
		kids := t.Children(c)
		cs := matchState{root: st.root, rootNode: st.rootNode, name: st.name, system: st.system, dep: st.dep}
		for _, p := range st.pos {
			if k := p.kids[name]; k != nil {
				cs.pos = append(cs.pos, k)
			}
			if p.star != nil {
				cs.pos = append(cs.pos, p.star)
			}
		}
		for _, p := range cs.pos {
			if p.rule != nil {
				cs.root, cs.rootNode = p.rule, c
			}
		}
		if depth < 3 && !cs.system && len(kids) > 0 {
			cs.system = inSystemDir(t.Path(c) + "/")
		}
		if cs.name == nil && cs.root == nil {
			open := !cs.system && !cs.dep
			if r := s.m.names[name]; r != nil && (open || r.anywhere) {
				cs.name = r
			} else if r := s.m.dirNames[name]; r != nil && len(kids) > 0 && (open || r.anywhere) {
				cs.name = r
			} else if name == ".cache" && t.Name(n) == "node_modules" && !cs.system {
				cs.name = junkRule
			}
		}
		if dependencyNames[name] {
			cs.dep = true
		}
		s.files(c, name, cs)
		if len(kids) > 0 {
			s.visit(c, cs, depth+1)
		}
	}
}

// files assigns the regular-file entries at node c to their rule.
func (s *pathScan) files(c tree.NodeID, name string, st matchState) {
	t := s.r.t
	hist := t.History(c)
	hasFile := false
	for i := range hist {
		if hist[i].Kind == walk.File {
			hasFile = true
			break
		}
	}
	if !hasFile {
		return
	}
	rule := st.root
	switch {
	case rule != nil:
		if rule.keep != nil {
			root := t.Path(st.rootNode)
			if rule.keep(strings.TrimPrefix(t.Path(c), root+"/")) {
				return
			}
		}
	case st.name != nil:
		rule = st.name
	default:
		rule = s.extRule(c, name, st)
	}
	if rule == nil {
		return
	}
	for i := range hist {
		e := &hist[i]
		if e.Kind != walk.File {
			continue
		}
		l := int(e.Layer)
		if cmd := s.r.cmds[l]; cmd != nil && len(cmd.mounts) > 0 && cmd.covers(t.Path(c)) {
			continue // a cache mount kept it out of the layer
		}
		idx := s.r.entryIndex(c, i)
		scope := c
		if rule == st.root {
			scope = st.rootNode
		}
		if linkedOutside(t, idx, scope) {
			continue // removing the path would not free bytes a link elsewhere reads
		}
		key := [2]int{s.index[rule], l}
		g := s.groups[key]
		if g == nil {
			g = &pathGroup{rule: rule, layer: l}
			s.groups[key] = g
			s.order = append(s.order, g)
		}
		g.entries = append(g.entries, idx)
	}
}

// linkedOutside reports whether a hard link of the final filesystem outside
// the scope node's subtree shares the content of entry idx.
func linkedOutside(t *tree.Tree, idx int32, scope tree.NodeID) bool {
	for _, l := range t.VisibleLinks(idx) {
		n := t.Entry(l).Node
		for n != tree.None && n != scope {
			n = t.Parent(n)
		}
		if n == tree.None {
			return true
		}
	}
	return false
}

// extRule returns the rule whose ending the file name has, if any.
func (s *pathScan) extRule(c tree.NodeID, name string, st matchState) *pathRule {
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return nil
	}
	for _, e := range s.m.exts[name[dot:]] {
		if !strings.HasSuffix(name, e.ext) || len(name) == len(e.ext) {
			continue
		}
		if (st.system || st.dep) && !e.rule.anywhere {
			return nil
		}
		if e.rule.confirm != nil && !e.rule.confirm(s.r, c) {
			return nil
		}
		return e.rule
	}
	return nil
}

// hiddenEvidence says how many of the entries are left in the final image
// and how many a later layer deleted (their bytes are still stored).
func (r *run) hiddenEvidence(entries []int32) string {
	var vis, hid int
	var visB, hidB int64
	hiders := map[int]bool{}
	for _, i := range entries {
		e := r.t.Entry(i)
		if e.Shadowed() {
			hid++
			hidB += e.Size
			hiders[int(e.HiddenBy)] = true
		} else {
			vis++
			visB += e.Size
		}
	}
	var parts []string
	if vis > 0 {
		parts = append(parts, fmt.Sprintf("%s (%d bytes) left in the final image", plural(vis, "file"), visB))
	}
	if hid > 0 {
		var by []int
		for l := range hiders {
			by = append(by, l)
		}
		slices.Sort(by)
		parts = append(parts, fmt.Sprintf("%s (%d bytes) hidden by %s (deleted or replaced there) but still stored in this layer",
			plural(hid, "file"), hidB, layerList(by)))
	}
	return strings.Join(parts, "; ")
}

// layerList formats layer indexes ("layer 3", "layers 3, 5").
func layerList(ls []int) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = fmt.Sprint(l)
	}
	if len(ls) == 1 {
		return "layer " + s[0]
	}
	return "layers " + strings.Join(s, ", ")
}
