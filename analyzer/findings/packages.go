package findings

import (
	"cmp"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
)

// packageDBs are the single-file package databases: their content as of
// each layer is compared with the layer before to tell which layer
// installed each package.
var packageDBs = []string{"/var/lib/dpkg/status", "/lib/apk/db/installed"}

// inventory lists the packages of the final filesystem with the layer that
// installed each (the first layer whose database lists that version).
func inventory(in *Input) []Package {
	t := in.Tree
	if t == nil {
		return nil
	}
	var out []Package
	for _, db := range packageDBs {
		n, ok := t.Lookup(db)
		if !ok {
			continue
		}
		installed := map[string]Package{}
		for l := 0; l < t.Layers(); l++ {
			idx := t.State(n, l)
			if idx < 0 {
				clear(installed)
				continue
			}
			e := t.Entry(idx)
			if int(e.Layer) != l {
				continue // unchanged in this layer
			}
			pkgs, ok := dbPackages(in.content(l), db)
			if !ok {
				continue
			}
			next := make(map[string]Package, len(pkgs))
			for _, p := range pkgs {
				if old, ok := installed[p.Name]; ok && old.Version == p.Version {
					next[p.Name] = old
					continue
				}
				p.Layer, p.Source = l, db
				next[p.Name] = p
			}
			installed = next
		}
		for _, p := range installed {
			out = append(out, p)
		}
	}
	out = append(out, statusParts(in)...)
	slices.SortFunc(out, func(a, b Package) int {
		if c := strings.Compare(a.Manager, b.Manager); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.Layer, b.Layer)
	})
	return out
}

// dbPackages returns the packages a layer's copy of a database lists.
func dbPackages(c *Content, path string) ([]Package, bool) {
	for i := len(c.DBs) - 1; i >= 0; i-- {
		if c.DBs[i].Path == path {
			return c.DBs[i].Packages, true
		}
	}
	return nil, false
}

// statusParts lists the packages of /var/lib/dpkg/status.d (distroless: one
// file per package), each installed by the layer of its visible file.
func statusParts(in *Input) []Package {
	t := in.Tree
	dir, ok := t.Lookup("/var/lib/dpkg/status.d")
	if !ok {
		return nil
	}
	var out []Package
	for _, n := range t.Children(dir) {
		idx := t.State(n, t.Layers()-1)
		if idx < 0 {
			continue
		}
		e := t.Entry(idx)
		p := t.Path(n)
		pkgs, _ := dbPackages(in.content(int(e.Layer)), p)
		for _, pk := range pkgs {
			pk.Layer, pk.Source = int(e.Layer), p
			out = append(out, pk)
		}
	}
	return out
}

// visibleFile returns the entry index of the file visible at p in the final
// filesystem, or -1.
func visibleFile(t *tree.Tree, p string) int32 {
	n, ok := t.Lookup(p)
	if !ok {
		return -1
	}
	return t.State(n, t.Layers()-1)
}
