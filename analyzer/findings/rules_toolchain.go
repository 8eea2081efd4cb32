package findings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stratascan/strata/analyzer/installed"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// toolchainDirs hold compilers' internals and headers.
var toolchainDirs = []string{"/usr/lib/gcc", "/usr/libexec/gcc", "/usr/include"}

// binDirs hold the compiler drivers.
var binDirs = []string{"/usr/bin", "/usr/local/bin"}

// compilerName reports whether a program name is a compiler driver or make.
func compilerName(name string) bool {
	switch name {
	case "gcc", "g++", "cc", "c++", "cpp", "make", "gmake", "clang", "clang++":
		return true
	}
	for _, c := range [...]string{"gcc", "g++", "cpp", "clang", "clang++"} {
		// gcc-12, x86_64-linux-gnu-gcc-12, clang-16
		if strings.HasPrefix(name, c+"-") && isVersion(name[len(c)+1:]) {
			return true
		}
		if i := strings.Index(name, "-"+c); i > 0 && strings.Count(name[:i], "-") >= 2 {
			rest := name[i+1+len(c):]
			if rest == "" || (rest[0] == '-' && isVersion(rest[1:])) {
				return true
			}
		}
	}
	return false
}

func isVersion(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

// toolchainPackage reports whether a package is part of a build toolchain.
func toolchainPackage(name string) bool {
	switch name {
	case "build-essential", "build-base", "make", "gcc", "g++", "clang", "musl-dev", "libc6-dev", "libc-dev":
		return true
	}
	for _, p := range [...]string{"gcc-", "g++-", "clang-", "cpp-"} {
		// gcc-12, not gcc-12-base (a runtime dependency of every Debian image)
		if v, ok := strings.CutPrefix(name, p); ok && isVersion(v) {
			return true
		}
	}
	return strings.HasSuffix(name, "-dev")
}

// checkToolchain reports compilers left in the final image: in user layers
// as build-toolchain (use a multi-stage build), in the base image as
// full-base-image (use a slim base).
func checkToolchain(r *run) {
	if r.t == nil {
		return
	}
	t := r.t
	last := t.Layers() - 1
	var compilers, files []int32
	for _, d := range binDirs {
		dir, ok := t.Lookup(d)
		if !ok {
			continue
		}
		for _, c := range t.Children(dir) {
			if !compilerName(t.Name(c)) {
				continue
			}
			if idx := t.State(c, last); idx >= 0 && t.Entry(idx).Kind == walk.File {
				compilers = append(compilers, idx)
			}
		}
	}
	var pkgs []installed.Package
	for _, p := range r.pkgs {
		if toolchainPackage(p.Name) {
			pkgs = append(pkgs, p)
		}
	}
	if len(compilers) == 0 && len(pkgs) == 0 {
		return
	}
	files = append(files, compilers...)
	for _, d := range toolchainDirs {
		if n, ok := t.Lookup(d); ok {
			files = r.visibleFilesUnder(n, files)
		}
	}
	var user, base []int32
	for _, i := range files {
		if r.claimed[i] {
			continue
		}
		if int(t.Entry(i).Layer) < r.in.BaseLayers {
			base = append(base, i)
		} else {
			user = append(user, i)
		}
	}
	var userPkgs, basePkgs []string
	for _, p := range pkgs {
		label := p.Name
		if p.Layer >= 0 {
			label = fmt.Sprintf("%s (layer %d)", p.Name, p.Layer)
		}
		if p.Layer >= r.in.BaseLayers {
			userPkgs = append(userPkgs, label)
		} else {
			basePkgs = append(basePkgs, label)
		}
	}
	if len(user) > 0 || len(userPkgs) > 0 {
		r.claim(user)
		layer := heaviestLayer(t, user, pkgs, r.in.BaseLayers)
		r.add(toolchainRule, layer, user, toolchainEvidence(userPkgs))
	}
	if len(base) > 0 || (len(basePkgs) > 0 && len(user) == 0) {
		r.claim(base)
		layer := heaviestLayer(t, base, pkgs, 0)
		r.add(fullBaseRule, layer, base, toolchainEvidence(basePkgs))
	}
}

// toolchainEvidence lists the toolchain packages found.
func toolchainEvidence(pkgs []string) string {
	if len(pkgs) == 0 {
		return ""
	}
	slices.Sort(pkgs)
	if len(pkgs) > 8 {
		pkgs = append(pkgs[:8], fmt.Sprintf("and %d more", len(pkgs)-8))
	}
	return "toolchain packages installed: " + strings.Join(pkgs, ", ")
}

// heaviestLayer returns the layer holding most of the entries' bytes, or the
// layer that installed the first toolchain package at or above from.
func heaviestLayer(t *tree.Tree, entries []int32, pkgs []installed.Package, from int) int {
	by := map[int]int64{}
	best, bestBytes := -1, int64(-1)
	for _, i := range entries {
		e := t.Entry(i)
		by[int(e.Layer)] += e.Size
	}
	for l, b := range by {
		if b > bestBytes || (b == bestBytes && l < best) {
			best, bestBytes = l, b
		}
	}
	if best >= 0 {
		return best
	}
	for _, p := range pkgs {
		if p.Layer >= from {
			return p.Layer
		}
	}
	return -1
}

// visibleFilesUnder appends the visible regular files below node n.
func (r *run) visibleFilesUnder(n tree.NodeID, out []int32) []int32 {
	t := r.t
	last := t.Layers() - 1
	for _, c := range t.Children(n) {
		if idx := t.State(c, last); idx >= 0 && t.Entry(idx).Kind == walk.File {
			out = append(out, idx)
		}
		out = r.visibleFilesUnder(c, out)
	}
	return out
}
