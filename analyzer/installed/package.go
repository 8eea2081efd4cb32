package installed

import "strings"

// DB is one package database file as a layer holds it.
type DB struct {
	// Path is the database file.
	Path string
	// Manager is the name of the package manager ("dpkg", "apk").
	Manager string
	// Packages are the installed packages it lists.
	Packages []Package
}

// Package is one installed package.
type Package struct {
	// Name and Version are as the package manager records them.
	Name    string `json:"name"`
	Version string `json:"version"`
	// Manager is "dpkg" or "apk".
	Manager string `json:"manager"`
	// Layer is the layer that installed this version (-1 when unknown).
	Layer int `json:"layer"`
	// Source is the database file that lists it.
	Source string `json:"source"`
}

// Manager is one package ecosystem: where it records what is installed, how
// to read that record and how it orders versions. Supporting another
// ecosystem is adding one to managers.
type Manager struct {
	// Name is the manager's name, as Package.Manager gives it.
	Name string
	// Databases are the files that each list every installed package.
	Databases []string
	// PartsDir is a directory holding one database file per package
	// (distroless images' /var/lib/dpkg/status.d), or "".
	PartsDir string
	// parse reads a database file; part is true for a file of PartsDir.
	parse func(b []byte, part bool) []Package
	// compare orders two versions: -1, 0 or +1.
	compare func(a, b string) int
}

// managers are the package ecosystems strata reads, in the order their
// packages are listed.
var managers = []*Manager{dpkg, apk}

// Managers returns the package ecosystems strata reads.
func Managers() []*Manager { return managers }

// Lookup returns the manager named name, or nil.
func Lookup(name string) *Manager {
	for _, m := range managers {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Database returns the manager whose database (or database part) is the
// file at the absolute path p, or nil; part says it is one file of the
// manager's PartsDir.
func Database(p string) (m *Manager, part bool) {
	for _, m := range managers {
		for _, db := range m.Databases {
			if p == db {
				return m, false
			}
		}
		if m.PartsDir != "" && strings.HasPrefix(p, m.PartsDir+"/") && !strings.Contains(p[len(m.PartsDir)+1:], "/") {
			return m, true
		}
	}
	return nil, false
}

// Parse reads the database file at p (a path Database knows) and returns
// the packages it lists as installed; ok is false for any other path.
func Parse(p string, b []byte) (db DB, ok bool) {
	m, part := Database(p)
	if m == nil {
		return DB{}, false
	}
	return DB{Path: p, Manager: m.Name, Packages: m.parse(b, part)}, true
}
