package findings

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/glob"
	"github.com/stratascan/strata/analyzer/installed"
	"github.com/stratascan/strata/analyzer/tree"
)

// candidate is a finding before the run's options apply, with the entries
// whose bytes it accounts (so that savings count each byte once).
type candidate struct {
	Finding
	entries []int32
}

// run is the state of one rule run.
type run struct {
	in      *Input
	t       *tree.Tree
	steps   []Step
	stepOf  []int         // layer → step index (-1 when the history has none)
	cmds    []*runCommand // layer → its RUN command, nil for other instructions
	claimed []bool        // entry index → a path rule accounts for it
	first   []int32       // node → index of its first entry
	pkgs    []installed.Package
	out     []candidate
}

// check is one rule (or family of rules) run over the state.
type check func(r *run)

// checks run in this order: the path rules claim entries first so that the
// generic waste and duplicate rules only count what nothing more specific
// explains.
var checks = []check{
	checkPaths,
	checkToolchain,
	checkWaste,
	checkDuplicates,
	checkFileSecrets,
	checkSecretEnv,
	checkFileModes,
	checkAccounts,
	checkConfig,
	checkHistory,
}

// Run applies every rule to the input and returns the findings, the
// potential savings, the package inventory and the reconstructed Dockerfile.
func Run(in *Input, opts Options) Result {
	r := newRun(in)
	for _, c := range checks {
		c(r)
	}
	return r.finish(opts)
}

func newRun(in *Input) *run {
	r := &run{in: in, t: in.Tree}
	if r.t != nil {
		r.claimed = make([]bool, r.t.EntryCount())
		r.first = make([]int32, r.t.Len())
		for i := r.t.EntryCount() - 1; i >= 0; i-- {
			r.first[r.t.Entry(int32(i)).Node] = int32(i)
		}
	}
	r.steps, r.stepOf = reconstruct(in)
	r.cmds = make([]*runCommand, len(in.Layers))
	for i, l := range in.Layers {
		if c, ok := parseRun(l.Command); ok {
			r.cmds[i] = &c
		}
	}
	r.pkgs = installed.Inventory(in.Tree, func(l int) []installed.DB { return in.content(l).DBs })
	return r
}

// add records a finding of rule at layer (or -1 for the whole image)
// accounting for entries.
func (r *run) add(rule *Rule, layer int, entries []int32, evidence string) *candidate {
	f := Finding{
		Rule: rule.ID, Category: rule.Category, Severity: rule.Severity, Title: rule.Title,
		Layer: layer, Step: -1, Hint: rule.Hint, Evidence: evidence, References: rule.References,
	}
	if layer >= 0 && layer < len(r.in.Layers) {
		f.Instruction = r.in.Layers[layer].Command
		f.Step = r.stepOf[layer]
	}
	if len(entries) > 0 {
		f.Bytes, f.Paths, f.PathCount = r.describe(entries)
	}
	r.out = append(r.out, candidate{Finding: f, entries: entries})
	return &r.out[len(r.out)-1]
}

// maxPaths is how many paths a finding shows.
const maxPaths = 5

// describe sums the entries' sizes and picks the largest paths to show.
func (r *run) describe(entries []int32) (bytes int64, paths []string, count int) {
	type item struct {
		size int64
		node tree.NodeID
	}
	nodes := map[tree.NodeID]int64{}
	for _, i := range entries {
		e := r.t.Entry(i)
		bytes += e.Size
		nodes[e.Node] += e.Size
	}
	items := make([]item, 0, len(nodes))
	for n, s := range nodes {
		items = append(items, item{s, n})
	}
	slices.SortFunc(items, func(a, b item) int {
		if c := cmp.Compare(b.size, a.size); c != 0 {
			return c
		}
		return cmp.Compare(a.node, b.node)
	})
	// Among the largest, order ties by path for a stable, readable list.
	top := items[:min(len(items), maxPaths)]
	type named struct {
		size int64
		path string
	}
	shown := make([]named, len(top))
	for i, it := range top {
		shown[i] = named{it.size, r.t.Path(it.node)}
	}
	slices.SortStableFunc(shown, func(a, b named) int {
		if c := cmp.Compare(b.size, a.size); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	for _, s := range shown {
		paths = append(paths, s.path)
	}
	return bytes, paths, len(items)
}

// entryIndex returns the tree index of t.History(n)[k]: the tree keeps a
// node's entries together, in history order.
func (r *run) entryIndex(n tree.NodeID, k int) int32 { return r.first[n] + int32(k) }

// claim marks entries as accounted for by a path rule.
func (r *run) claim(entries []int32) {
	for _, i := range entries {
		r.claimed[i] = true
	}
}

// byteCategories are the categories whose findings are about bytes; in base
// layers they are for information only (the fix is another base image).
var byteCategories = map[Category]bool{Waste: true, Cache: true, Leftover: true, Duplicate: true}

// smallBytes is the size under which waste and duplicates are only info.
const smallBytes = 1024

// finish applies the options, sorts the findings, counts the savings and
// attaches the findings to the Dockerfile.
func (r *run) finish(opts Options) Result {
	var kept []candidate
	ignore, _ := glob.New(opts.IgnorePaths...) // the configuration validated them
	for _, c := range r.out {
		if opts.Disabled[c.Rule] {
			continue
		}
		if len(opts.IgnorePaths) > 0 && len(c.entries) > 0 && ignore != nil {
			var entries []int32
			for _, e := range c.entries {
				if !ignore.Match(r.t.Path(r.t.Entry(e).Node)) {
					entries = append(entries, e)
				}
			}
			if len(entries) == 0 {
				continue
			}
			if len(entries) < len(c.entries) {
				c.entries = entries
				c.Bytes, c.Paths, c.PathCount = r.describe(entries)
			}
		}
		switch {
		case byteCategories[c.Category] && c.Layer >= 0 && c.Layer < r.in.BaseLayers:
			c.Severity = Info
			c.Hint += " (This is in the base image: choose a smaller base, or rebuild it.)"
		case (c.Category == Waste || c.Category == Duplicate) && c.Bytes < smallBytes:
			c.Severity = Info
		}
		if s, ok := opts.Severity[c.Rule]; ok {
			c.Severity = s
		}
		kept = append(kept, c)
	}
	slices.SortStableFunc(kept, func(a, b candidate) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
			return c
		}
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Layer, b.Layer); c != 0 {
			return c
		}
		return slices.Compare(a.Paths, b.Paths)
	})
	res := Result{Findings: make([]Finding, len(kept)), Packages: r.pkgs}
	var counted []bool
	if r.t != nil {
		counted = make([]bool, r.t.EntryCount())
	}
	for i, c := range kept {
		c.Finding.Dockerfile = r.locate(&c.Finding)
		res.Findings[i] = c.Finding
		for _, e := range c.entries {
			if !counted[e] {
				counted[e] = true
				res.PotentialSavingsBytes += r.t.Entry(e).Size
			}
		}
	}
	res.Dockerfile = attach(r.steps, res.Findings, historyMatches(r.in, r.steps), r.in.Dockerfile)
	return res
}

// plural formats a count with a noun ("1 file", "3 files").
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// layerLabel names a layer with its instruction for evidence texts.
func (r *run) layerLabel(l int) string {
	if l < 0 || l >= len(r.in.Layers) {
		return fmt.Sprintf("layer %d", l)
	}
	cmd := r.in.Layers[l].Command
	if len(cmd) > 60 {
		cmd = cmd[:57] + "..."
	}
	return fmt.Sprintf("layer %d (%s)", l, cmd)
}
