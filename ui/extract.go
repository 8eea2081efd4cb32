package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/report/termtext"
	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/analyzer/walk"
)

// extractDoneMsg reports an extraction.
type extractDoneMsg struct {
	text string
	err  error
}

// extractCmd writes the node (a file, a symlink or a directory with what it
// holds as of the view's last layer) into dir. Every write goes through an
// os.Root opened on dir, so nothing can land outside it: names are cleaned
// of ".." and made relative, symlinks that point outside dir are skipped,
// and symlinks already in dir are never followed out. Existing files are
// never replaced: the top name gets a numeric suffix instead.
func extractCmd(ctx context.Context, img v1.Image, t *tree.Tree, n tree.NodeID, s span, dir string) tea.Cmd {
	return func() tea.Msg {
		if img == nil {
			return extractDoneMsg{err: errors.New("the image is not open")}
		}
		text, err := extract(ctx, img, t, n, s, dir)
		return extractDoneMsg{text: text, err: err}
	}
}

func extract(ctx context.Context, img v1.Image, t *tree.Tree, n tree.NodeID, s span, dir string) (string, error) {
	if n == tree.None || n == tree.Root {
		return "", errors.New("nothing selected")
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("opening %s: %w", dir, err)
	}
	defer root.Close()
	layer := s.To
	if t.State(n, layer) < 0 && !hasVisibleBelow(t, n, layer) {
		layer = s.From - 1 // a removed path: extract what was removed
	}
	base := safeName(t.Name(n))
	name, err := freeName(root, base)
	if err != nil {
		return "", err
	}
	x := &extractor{ctx: ctx, img: img, t: t, root: root, layer: layer, want: map[int]map[string]string{}}
	x.collect(n, name)
	if err := x.run(); err != nil {
		return "", err
	}
	msg := fmt.Sprintf("extracted %s to ./%s", termtext.Escape(t.Path(n)), termtext.Escape(name))
	if x.files+x.dirs+x.links > 1 {
		msg += fmt.Sprintf(" (%d files, %d directories, %d links)", x.files, x.dirs, x.links)
	}
	if x.skipped > 0 {
		msg += fmt.Sprintf("; skipped %d (links out of the directory, devices)", x.skipped)
	}
	return msg, nil
}

func hasVisibleBelow(t *tree.Tree, n tree.NodeID, layer int) bool {
	for _, c := range t.Children(n) {
		if t.State(c, layer) >= 0 || hasVisibleBelow(t, c, layer) {
			return true
		}
	}
	return false
}

// safeName makes one path element safe as a file name.
func safeName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		name = "_" + name
	}
	return name
}

// freeName returns base, or base.1, base.2, … whichever does not exist.
func freeName(root *os.Root, base string) (string, error) {
	for i := 0; i < 1000; i++ {
		name := base
		if i > 0 {
			name = fmt.Sprintf("%s.%d", base, i)
		}
		if _, err := root.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free name for %s in the current directory", base)
}

// extractor writes a node and its subtree as of a layer.
type extractor struct {
	ctx   context.Context
	img   v1.Image
	t     *tree.Tree
	root  *os.Root
	layer int
	// want maps each layer to the image paths to write from it and where.
	want                        map[int]map[string]string
	dirs, files, links, skipped int
	mkdirs                      []string
	symlinks                    [][2]string
	hardlinks                   []hardlink
}

type hardlink struct {
	layer      int
	path, dest string
}

// collect plans the writes for node n at relative destination dest.
func (x *extractor) collect(n tree.NodeID, dest string) {
	ei := x.t.State(n, x.layer)
	var e *tree.Entry
	if ei >= 0 {
		e = x.t.Entry(ei)
	}
	switch {
	case e == nil || e.Kind == walk.Dir:
		if e == nil && !hasVisibleBelow(x.t, n, x.layer) {
			return
		}
		x.mkdirs = append(x.mkdirs, dest)
		x.dirs++
		for _, c := range x.t.Children(n) {
			x.collect(c, path.Join(dest, safeName(x.t.Name(c))))
		}
	case e.Kind == walk.File:
		l := int(e.Layer)
		if x.want[l] == nil {
			x.want[l] = map[string]string{}
		}
		x.want[l][x.t.Path(n)] = dest
		x.files++
	case e.Kind == walk.HardLink:
		x.hardlinks = append(x.hardlinks, hardlink{int(e.Layer), x.t.Path(n), dest})
		x.files++
	case e.Kind == walk.Symlink:
		if !inside(dest, e.Link) {
			x.skipped++
			return
		}
		x.symlinks = append(x.symlinks, [2]string{e.Link, dest})
		x.links++
	default:
		x.skipped++
	}
}

// inside reports whether a symlink at dest (relative to the extraction
// directory) pointing to target resolves inside that directory.
func inside(dest, target string) bool {
	if path.IsAbs(target) {
		return false
	}
	p := path.Clean(path.Join(path.Dir(dest), target))
	return p != ".." && !strings.HasPrefix(p, "../")
}

func (x *extractor) run() error {
	for _, d := range x.mkdirs {
		if err := x.root.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	for layer, paths := range x.want {
		set := make(map[string]bool, len(paths))
		for p := range paths {
			set[p] = true
		}
		err := analyzer.EachFile(x.ctx, x.img, layer, set, func(p string, r io.Reader) error {
			return x.write(paths[p], r)
		})
		if err != nil {
			return err
		}
	}
	for _, h := range x.hardlinks {
		f, err := x.create(h.dest)
		if err != nil {
			return err
		}
		err = analyzer.CopyFile(x.ctx, x.img, h.layer, h.path, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	for _, s := range x.symlinks {
		if err := x.root.Symlink(s[0], s[1]); err != nil {
			return fmt.Errorf("creating the link %s: %w", s[1], err)
		}
	}
	return nil
}

func (x *extractor) create(dest string) (*os.File, error) {
	f, err := x.root.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", dest, err)
	}
	return f, nil
}

func (x *extractor) write(dest string, r io.Reader) error {
	f, err := x.create(dest)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", dest, err)
	}
	return nil
}
