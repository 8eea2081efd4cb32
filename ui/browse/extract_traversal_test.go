package browse

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer/tree"
	"github.com/stratascan/strata/fixtures"
)

// traversalImage tries every way a layer can point a write outside the
// extraction directory: "../" and absolute names, symlinks out (relative,
// absolute, through a chain, through a parent), files and directories under
// a symlink, hard links to paths outside, and names that are only dots.
func traversalImage() fixtures.Image {
	return fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "base", Entries: []fixtures.Entry{
			fixtures.Dir("data/"),
			fixtures.File("../../../../escape-dotdot.txt", "x"),
			fixtures.File("/escape-abs.txt", "x"),
			fixtures.File("data/../../escape-inner.txt", "x"),
			fixtures.Symlink("data/up", "../../../../../.."),
			fixtures.Symlink("data/abs", "/tmp"),
			fixtures.Symlink("data/chain1", "chain2"),
			fixtures.Symlink("data/chain2", "../../.."),
			fixtures.Symlink("data/dotdot", ".."),
			fixtures.Symlink("data/self", "self"),
			fixtures.Dir("data/sub/"),
			fixtures.File("data/sub/ok.txt", "ok"),
			fixtures.Symlink("data/sub/back", "../../../outside"),
		}},
		{CreatedBy: "through links", Entries: []fixtures.Entry{
			fixtures.File("data/up/escape-through-up.txt", "x"),
			fixtures.File("data/abs/escape-through-abs.txt", "x"),
			fixtures.File("data/chain1/escape-through-chain.txt", "x"),
			fixtures.File("data/dotdot/escape-through-dotdot.txt", "x"),
			fixtures.Dir("data/abs/newdir/"),
			fixtures.File("data/abs/newdir/f", "x"),
			fixtures.Hardlink("data/hard-out", "../../../../etc/passwd"),
			fixtures.Hardlink("data/hard-in", "data/sub/ok.txt"),
			fixtures.File("data/..../four-dots", "x"),
		}},
	}}
}

// TestExtractNeverEscapes extracts every node of the traversal image, at
// every layer, into a directory inside a sandbox, and requires that nothing
// appears in the sandbox outside that directory and that every symlink
// written resolves inside it.
func TestExtractNeverEscapes(t *testing.T) {
	a, img := openFixture(t, traversalImage())
	ctx := context.Background()
	sandbox := t.TempDir()
	extracted := 0
	for n := tree.NodeID(1); int(n) < a.Tree.Len(); n++ {
		for layer := 0; layer < len(a.Layers); layer++ {
			dir := filepath.Join(sandbox, "x", "y", "out")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			// Errors are fine (a hard link to a path the layer lacks);
			// writes outside dir are not.
			if _, err := extract(ctx, img.Image, a.Tree, n, span{layer, layer}, dir); err == nil {
				extracted++
			}
			checkConfined(t, sandbox, dir, a.Tree.Path(n))
			if a.Tree.Path(n) == "/data" && layer == 1 {
				if b, err := os.ReadFile(filepath.Join(dir, "data", "sub", "ok.txt")); err != nil || string(b) != "ok" {
					t.Errorf("extracting /data: data/sub/ok.txt = %q, %v", b, err)
				}
			}
			if err := os.RemoveAll(filepath.Join(sandbox, "x")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if extracted < a.Tree.Len() {
		t.Errorf("only %d extractions succeeded: the test exercises too little", extracted)
	}
	// The absolute link pointed at /tmp: nothing may have landed there.
	for _, p := range []string{"/tmp/escape-through-abs.txt", "/tmp/newdir/f", "/escape-abs.txt", "/outside"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s exists: an extraction followed a link out", p)
		}
	}
}

// checkConfined fails when the sandbox holds anything but dir and its
// parents, or when a symlink in dir resolves outside it.
func checkConfined(t *testing.T, sandbox, dir, what string) {
	t.Helper()
	allowed := map[string]bool{sandbox: true, filepath.Join(sandbox, "x"): true, filepath.Join(sandbox, "x", "y"): true}
	filepath.WalkDir(sandbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil || allowed[p] || p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) {
			if err == nil && d.Type()&fs.ModeSymlink != 0 {
				target, _ := os.Readlink(p)
				resolved := filepath.Clean(filepath.Join(filepath.Dir(p), target))
				if filepath.IsAbs(target) || (resolved != dir && !strings.HasPrefix(resolved, dir+string(filepath.Separator))) {
					t.Errorf("extracting %s wrote the symlink %s → %s, pointing outside %s", what, p, target, dir)
				}
			}
			return nil
		}
		t.Errorf("extracting %s wrote %s, outside %s", what, p, dir)
		return nil
	})
}
