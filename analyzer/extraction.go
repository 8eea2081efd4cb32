package analyzer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// Extraction is what Extract wrote: only what exists on disk is counted.
type Extraction struct {
	// Name is the name created in the extraction directory: the node's own
	// name made safe, with a numeric suffix when that name was taken.
	Name string
	// Files, Dirs and Links count what was written.
	Files, Dirs, Links int
	// Renamed counts the entries written under another name than their
	// own: names with control characters, or names that became equal to a
	// sibling's once made safe.
	Renamed int
	// Skipped lists what was not written, and why, in path order.
	Skipped []Skipped
}

// Skipped is one image path that Extract did not write.
type Skipped struct {
	Path   string
	Reason SkipReason
}

// SkipReason says why an entry was not extracted.
type SkipReason string

// The reasons an entry is not extracted.
const (
	SkipLinkOutside  SkipReason = "link out of the directory"
	SkipLinkAbsolute SkipReason = "absolute link to a path not extracted"
	SkipLinkLoop     SkipReason = "link loop"
	SkipDevice       SkipReason = "device, FIFO or socket"
	SkipBelowLink    SkipReason = "below a symbolic link"
	SkipLinkMissing  SkipReason = "hard link to a missing file"
	SkipNameTaken    SkipReason = "name taken on this filesystem"
	SkipNotFound     SkipReason = "missing from its layer"
)

// Detail summarises the extraction without any image-controlled text:
// "3 files, 1 directory, 2 links; skipped 2 (device, FIFO or socket: 1,
// link out of the directory: 1)".
func (x *Extraction) Detail() string {
	s := fmt.Sprintf("%s, %s, %s", plural(x.Files, "file"), plural(x.Dirs, "directory"), plural(x.Links, "link"))
	if x.Renamed > 0 {
		s += fmt.Sprintf("; %d renamed (control characters in the name, or a name taken once made safe)", x.Renamed)
	}
	if len(x.Skipped) == 0 {
		return s
	}
	counts := map[SkipReason]int{}
	var order []SkipReason
	for _, sk := range x.Skipped {
		if counts[sk.Reason] == 0 {
			order = append(order, sk.Reason)
		}
		counts[sk.Reason]++
	}
	slices.Sort(order)
	parts := make([]string, len(order))
	for i, r := range order {
		parts[i] = fmt.Sprintf("%s: %d", r, counts[r])
	}
	return s + fmt.Sprintf("; skipped %d (%s)", len(x.Skipped), strings.Join(parts, ", "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, word[:len(word)-1])
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Present reports whether node n, or something below it, is in the
// filesystem as of a layer.
func Present(t *tree.Tree, n tree.NodeID, layer int) bool {
	if t.State(n, layer) >= 0 {
		return true
	}
	for _, c := range t.Children(n) {
		if Present(t, c, layer) {
			return true
		}
	}
	return false
}

// Extract writes node n of the tree (a file, a link or a directory with all
// it holds), as the filesystem stands after layer, into the directory dir
// under a new name. It never writes outside dir and never replaces
// anything:
//
//   - every write goes through an os.Root opened on dir;
//   - the top name is the node's name made safe (control characters, "/"
//     and "\" become "_"), suffixed .1, .2, ... when dir already has it;
//     names that become equal once made safe are suffixed the same way;
//   - files are created exclusively, with their permission bits (no
//     setuid, setgid or sticky bit) under the umask;
//   - symbolic links are created last, and each is kept only when it
//     resolves inside dir as the tree stands after extraction, following
//     every link already there; an absolute link is rewritten as a
//     relative one when its target is extracted too;
//   - a hard link gets its target's content, from whichever layer holds it;
//   - devices, FIFOs, sockets and entries below a symbolic link are skipped.
//
// The result counts only what was written and lists what was skipped and
// why. An error means the extraction stopped (the directory cannot be
// opened, a layer cannot be read, the context is done); what was written
// until then stays.
func Extract(ctx context.Context, img v1.Image, t *tree.Tree, n tree.NodeID, layer int, dir string) (*Extraction, error) {
	if img == nil {
		return nil, errors.New("the image is not open")
	}
	if n == tree.None || int(n) >= t.Len() {
		return nil, errors.New("nothing to extract")
	}
	if !Present(t, n, layer) {
		return nil, fmt.Errorf("%s is not in the filesystem as of layer %d", t.Path(n), layer)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	defer root.Close()
	base := "rootfs"
	if n != tree.Root {
		base = safeName(t.Name(n))
	}
	name, err := freeName(root, base)
	if err != nil {
		return nil, err
	}
	x := &extractor{ctx: ctx, img: img, t: t, root: root, layer: layer, top: n,
		res: &Extraction{Name: name}, want: map[int]map[string][]string{}, dests: map[tree.NodeID]string{}}
	if name != base || (n != tree.Root && base != t.Name(n)) {
		x.res.Renamed++
	}
	x.plan(n, name)
	if err := x.run(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(x.res.Skipped, func(a, b Skipped) int { return cmp.Compare(a.Path, b.Path) })
	return x.res, nil
}

// freeName returns base, or base.1, base.2, … whichever root does not have.
func freeName(root *os.Root, base string) (string, error) {
	for i := 0; i < 1000; i++ {
		name := suffixed(base, i)
		if _, err := root.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free name for %s in the directory", base)
}

func suffixed(base string, i int) string {
	if i == 0 {
		return base
	}
	return fmt.Sprintf("%s.%d", base, i)
}

// extractor plans and writes one extraction.
type extractor struct {
	ctx   context.Context
	img   v1.Image
	t     *tree.Tree
	root  *os.Root
	layer int
	top   tree.NodeID
	res   *Extraction

	mkdirs []string
	// want maps each layer to the image paths whose content to write from
	// it, and to where (several places for hard links to one file).
	want map[int]map[string][]string
	// modes holds the permission of each file to write, by destination.
	modes map[string]fs.FileMode
	// paths maps a destination back to its image path, for the result.
	paths    map[string]string
	symlinks []plannedLink
	// dests maps every planned node to its destination, for absolute links.
	dests map[tree.NodeID]string
}

type plannedLink struct {
	node   tree.NodeID
	target string // the image's target
	dest   string
}

func (x *extractor) skip(n tree.NodeID, r SkipReason) {
	x.res.Skipped = append(x.res.Skipped, Skipped{Path: x.t.Path(n), Reason: r})
}

// plan records the writes for node n at destination dest (relative to the
// extraction directory).
func (x *extractor) plan(n tree.NodeID, dest string) {
	x.dests[n] = dest
	ei := x.t.State(n, x.layer)
	var e *tree.Entry
	if ei >= 0 {
		e = x.t.Entry(ei)
	}
	switch {
	case e == nil || e.Kind == walk.Dir:
		if e == nil && !Present(x.t, n, x.layer) {
			return
		}
		x.mkdirs = append(x.mkdirs, dest)
		names := x.childNames(n)
		for _, c := range x.t.Children(n) {
			if name, ok := names[c]; ok {
				x.plan(c, path.Join(dest, name))
			}
		}
	case e.Kind == walk.File:
		x.planFile(n, dest, int(e.Layer), x.t.Path(n), e.Mode)
	case e.Kind == walk.HardLink:
		l, p, mode, ok := x.linkTarget(e)
		if !ok {
			x.skip(n, SkipLinkMissing)
			return
		}
		x.planFile(n, dest, l, p, mode)
	case e.Kind == walk.Symlink:
		x.symlinks = append(x.symlinks, plannedLink{node: n, target: e.Link, dest: dest})
		x.skipBelow(n)
	default:
		x.skip(n, SkipDevice)
	}
}

func (x *extractor) planFile(n tree.NodeID, dest string, layer int, p string, mode uint32) {
	if x.want[layer] == nil {
		x.want[layer] = map[string][]string{}
	}
	x.want[layer][p] = append(x.want[layer][p], dest)
	if x.modes == nil {
		x.modes, x.paths = map[string]fs.FileMode{}, map[string]string{}
	}
	x.modes[dest] = fs.FileMode(mode).Perm() | 0o600
	x.paths[dest] = x.t.Path(n)
}

// skipBelow records what the tree holds below a symbolic link: a layer may
// write through a link, but extraction never does.
func (x *extractor) skipBelow(n tree.NodeID) {
	for _, c := range x.t.Children(n) {
		if x.t.State(c, x.layer) >= 0 {
			x.skip(c, SkipBelowLink)
		}
		x.skipBelow(c)
	}
}

// linkTarget follows a hard link to the file it names, as the filesystem
// stood when its layer was applied: the file may be in a lower layer, or be
// a hard link itself. It returns the layer and path to read.
func (x *extractor) linkTarget(e *tree.Entry) (layer int, p string, mode uint32, ok bool) {
	for hop := 0; hop <= maxLinkHops && e.Kind == walk.HardLink; hop++ {
		n, found := x.t.Lookup(e.Link)
		if !found {
			return 0, "", 0, false
		}
		ei := x.t.State(n, int(e.Layer))
		if ei < 0 {
			return 0, "", 0, false
		}
		next := x.t.Entry(ei)
		if next == e {
			return 0, "", 0, false
		}
		e = next
		p = x.t.Path(n)
	}
	if e.Kind != walk.File {
		return 0, "", 0, false
	}
	return int(e.Layer), p, e.Mode, true
}

// childNames gives each visible child of n a safe name unique among its
// siblings. Names already safe keep themselves; the others are suffixed
// .1, .2, ... until free.
func (x *extractor) childNames(n tree.NodeID) map[tree.NodeID]string {
	kids := x.t.Children(n)
	names := make(map[tree.NodeID]string, len(kids))
	used := make(map[string]bool, len(kids))
	var unsafe []tree.NodeID
	for _, c := range kids {
		if !Present(x.t, c, x.layer) {
			continue
		}
		name := x.t.Name(c)
		if safeName(name) != name {
			unsafe = append(unsafe, c)
			continue
		}
		names[c], used[name] = name, true
	}
	for _, c := range unsafe {
		base := safeName(x.t.Name(c))
		for i := 0; ; i++ {
			if name := suffixed(base, i); !used[name] {
				names[c], used[name] = name, true
				break
			}
		}
		x.res.Renamed++
	}
	return names
}

// run writes the plan: directories, then files layer by layer, then links.
func (x *extractor) run() error {
	for _, d := range x.mkdirs {
		if err := x.root.Mkdir(d, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
		x.res.Dirs++
	}
	layers := make([]int, 0, len(x.want))
	for l := range x.want {
		layers = append(layers, l)
	}
	slices.Sort(layers)
	written := map[string]bool{}
	failed := map[string]bool{}
	for _, layer := range layers {
		paths := x.want[layer]
		set := make(map[string]bool, len(paths))
		for p := range paths {
			set[p] = true
		}
		err := EachFile(x.ctx, x.img, layer, set, func(p string, r io.Reader) error {
			// The first destination reads the stream; hard links to the
			// same file copy what it wrote.
			first := ""
			for _, dest := range paths[p] {
				if failed[dest] {
					continue
				}
				var err error
				if first == "" {
					err = x.writeFile(dest, r, written[dest])
				} else {
					err = x.copyWritten(first, dest, written[dest])
				}
				if errors.Is(err, fs.ErrExist) {
					failed[dest] = true
					x.res.Skipped = append(x.res.Skipped, Skipped{Path: x.paths[dest], Reason: SkipNameTaken})
					continue
				}
				if err != nil {
					return err
				}
				written[dest] = true
				if first == "" {
					first = dest
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for dest, p := range x.paths {
		if !written[dest] && !failed[dest] {
			x.res.Skipped = append(x.res.Skipped, Skipped{Path: p, Reason: SkipNotFound})
		}
	}
	x.res.Files = len(written)
	return x.link()
}

// copyWritten copies the file just written at src to dest.
func (x *extractor) copyWritten(src, dest string, again bool) error {
	f, err := x.root.Open(src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	defer f.Close()
	return x.writeFile(dest, f, again)
}

// writeFile writes one file's content to dest: created exclusively the
// first time, replaced when a later entry of the same layer wins.
func (x *extractor) writeFile(dest string, r io.Reader, again bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if again {
		flags = os.O_WRONLY | os.O_TRUNC
	}
	f, err := x.root.OpenFile(dest, flags, x.modes[dest])
	if err != nil {
		return fmt.Errorf("creating %s: %w", dest, err)
	}
	w := &holeWriter{ctx: x.ctx, f: f}
	_, err = io.CopyBuffer(w, r, make([]byte, 256<<10))
	if err == nil {
		err = w.finish()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", dest, err)
	}
	return nil
}
