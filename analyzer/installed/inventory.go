package installed

import (
	"cmp"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/tree"
)

// Inventory lists the packages of the final filesystem of t with the layer
// that installed each: for a single-file database, the first layer whose copy
// lists that version; for a database part, the layer of the visible file.
// dbs returns the databases a layer's files hold, as read during its walk.
func Inventory(t *tree.Tree, dbs func(layer int) []DB) []Package {
	if t == nil {
		return nil
	}
	var out []Package
	for _, m := range managers {
		for _, db := range m.Databases {
			out = append(out, fromDatabase(t, dbs, db)...)
		}
		if m.PartsDir != "" {
			out = append(out, fromParts(t, dbs, m.PartsDir)...)
		}
	}
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

// fromDatabase follows the single-file database db through the layers: a
// package keeps the layer that installed its version.
func fromDatabase(t *tree.Tree, dbs func(layer int) []DB, db string) []Package {
	n, ok := t.Lookup(db)
	if !ok {
		return nil
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
		pkgs, ok := find(dbs(l), db)
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
	var out []Package
	for _, p := range installed {
		out = append(out, p)
	}
	return out
}

// find returns the packages a layer's copy of a database lists (the last
// copy, should the layer hold several).
func find(dbs []DB, path string) ([]Package, bool) {
	for i := len(dbs) - 1; i >= 0; i-- {
		if dbs[i].Path == path {
			return dbs[i].Packages, true
		}
	}
	return nil, false
}

// fromParts lists the packages of a parts directory (distroless: one file
// per package), each installed by the layer of its visible file.
func fromParts(t *tree.Tree, dbs func(layer int) []DB, parts string) []Package {
	dir, ok := t.Lookup(parts)
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
		pkgs, _ := find(dbs(int(e.Layer)), p)
		for _, pk := range pkgs {
			pk.Layer, pk.Source = int(e.Layer), p
			out = append(out, pk)
		}
	}
	return out
}
