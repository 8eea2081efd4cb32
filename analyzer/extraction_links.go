package analyzer

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// maxSymlinkHops bounds how many links resolving one path may follow, as
// the kernel's ELOOP does.
const maxSymlinkHops = 40

// link creates the planned symbolic links, each only when it resolves
// inside the extraction directory against what is already there, then
// checks them all again as the tree finally stands: a link created later
// can change where an earlier one leads. A link that leads out is removed,
// which can in turn change others, so the check repeats until none moves.
func (x *extractor) link() error {
	var made []plannedLink
	for _, l := range x.symlinks {
		if path.IsAbs(l.target) {
			rel, ok := x.relTarget(l)
			if !ok {
				x.skip(l.node, SkipLinkAbsolute)
				continue
			}
			l.target = rel
		}
		if r := linkReason(x.root, l.dest, l.target); r != "" {
			x.skip(l.node, r)
			continue
		}
		if err := x.root.Symlink(l.target, l.dest); err != nil {
			if errors.Is(err, fs.ErrExist) {
				x.skip(l.node, SkipNameTaken)
				continue
			}
			return fmt.Errorf("creating the link %s: %w", l.dest, err)
		}
		made = append(made, l)
	}
	for moved := true; moved; {
		moved = false
		kept := made[:0]
		for _, l := range made {
			r := linkReason(x.root, l.dest, l.target)
			if r == "" {
				kept = append(kept, l)
				continue
			}
			if err := x.root.Remove(l.dest); err != nil {
				return fmt.Errorf("removing the link %s: %w", l.dest, err)
			}
			x.skip(l.node, r)
			moved = true
		}
		made = kept
	}
	x.res.Links = len(made)
	return nil
}

// relTarget rewrites an absolute link target as a path relative to the
// link, when the target is extracted too.
func (x *extractor) relTarget(l plannedLink) (string, bool) {
	n, ok := x.t.Lookup(path.Clean(l.target))
	if !ok {
		return "", false
	}
	dest, ok := x.dests[n]
	if !ok {
		return "", false
	}
	return relPath(path.Dir(l.dest), dest), true
}

// relPath returns the relative path from directory from to to, both clean
// and relative to the same root.
func relPath(from, to string) string {
	f, t := splitPath(cleanRel(from)), splitPath(cleanRel(to))
	i := 0
	for i < len(f) && i < len(t) && f[i] == t[i] {
		i++
	}
	parts := make([]string, 0, len(f)-i+len(t)-i)
	for range f[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, t[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}

func cleanRel(p string) string {
	if p = path.Clean(p); p == "." {
		return ""
	}
	return p
}

// linkRoot is what linkReason needs of the extraction directory.
type linkRoot interface {
	Lstat(name string) (fs.FileInfo, error)
	Readlink(name string) (string, error)
}

// linkReason resolves a link at dest (relative to the root) pointing to
// target the way the kernel would, component by component, following the
// links already in the root, and returns why the link must not be created,
// or "" when it stays inside the root. Past a component that does not exist
// the rest is resolved by its text: it must not climb out either.
func linkReason(root linkRoot, dest, target string) SkipReason {
	if path.IsAbs(target) {
		return SkipLinkOutside
	}
	todo := append(splitPath(cleanRel(path.Dir(dest))), splitPath(target)...)
	var at []string // the resolved components
	missing := false
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(at) == 0 {
				return SkipLinkOutside
			}
			at = at[:len(at)-1]
			continue
		}
		if missing {
			at = append(at, c)
			continue
		}
		cur := strings.Join(append(at, c), "/")
		fi, err := root.Lstat(cur)
		if err != nil {
			// Absent (or not a directory): nothing further exists.
			missing = true
			at = append(at, c)
			continue
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			at = append(at, c)
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return SkipLinkLoop
		}
		next, err := root.Readlink(cur)
		if err != nil || path.IsAbs(next) {
			return SkipLinkOutside
		}
		todo = append(splitPath(next), todo...)
	}
	return ""
}
