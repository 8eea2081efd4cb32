package compare

import (
	"cmp"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/installed"
)

// PackageChangeType says how a package differs.
type PackageChangeType string

// The package change types. Changed is a version that differs in text but
// orders equal ("1.0" and "1.0-0" for dpkg).
const (
	PackageAdded      PackageChangeType = "added"
	PackageRemoved    PackageChangeType = "removed"
	PackageUpgraded   PackageChangeType = "upgraded"
	PackageDowngraded PackageChangeType = "downgraded"
	PackageChanged    PackageChangeType = "changed"
)

// PackageChange is one package that differs.
type PackageChange struct {
	Name string `json:"name"`
	// Manager is dpkg or apk.
	Manager string            `json:"manager"`
	Change  PackageChangeType `json:"change"`
	// OldVersion and NewVersion are empty on the side that lacks it.
	OldVersion string `json:"oldVersion,omitempty"`
	NewVersion string `json:"newVersion,omitempty"`
	// Layer is the NEW layer that installed the new version (the OLD
	// layer for a removal; -1 when unknown).
	Layer int `json:"layer"`
}

type pkgKey struct{ manager, name string }

type pkgInfo struct {
	version string
	layer   int
}

// index groups packages by manager and name; several versions of one name
// (multi-arch) are joined.
func index(ps []installed.Package) map[pkgKey]pkgInfo {
	out := make(map[pkgKey]pkgInfo, len(ps))
	for _, p := range ps {
		k := pkgKey{p.Manager, p.Name}
		if have, ok := out[k]; ok {
			if have.version != p.Version && !slices.Contains(strings.Split(have.version, ", "), p.Version) {
				vs := append(strings.Split(have.version, ", "), p.Version)
				slices.Sort(vs)
				have.version = strings.Join(vs, ", ")
			}
			have.layer = max(have.layer, p.Layer)
			out[k] = have
			continue
		}
		out[k] = pkgInfo{version: p.Version, layer: p.Layer}
	}
	return out
}

// comparePackages lists the packages added, removed or whose version
// changed, by manager and name.
func comparePackages(old, new []installed.Package) []PackageChange {
	po, pn := index(old), index(new)
	out := []PackageChange{}
	for k, n := range pn {
		o, ok := po[k]
		switch {
		case !ok:
			out = append(out, PackageChange{Name: k.name, Manager: k.manager, Change: PackageAdded, NewVersion: n.version, Layer: n.layer})
		case o.version != n.version:
			c := PackageChange{Name: k.name, Manager: k.manager, OldVersion: o.version, NewVersion: n.version, Layer: n.layer}
			switch installed.CompareVersions(k.manager, o.version, n.version) {
			case -1:
				c.Change = PackageUpgraded
			case 1:
				c.Change = PackageDowngraded
			default:
				c.Change = PackageChanged
			}
			out = append(out, c)
		}
	}
	for k, o := range po {
		if _, ok := pn[k]; !ok {
			out = append(out, PackageChange{Name: k.name, Manager: k.manager, Change: PackageRemoved, OldVersion: o.version, Layer: o.layer})
		}
	}
	slices.SortFunc(out, func(a, b PackageChange) int {
		if c := strings.Compare(a.Manager, b.Manager); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}
