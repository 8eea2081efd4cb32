package analyzer_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
)

// analyzedFixture builds and analyses a declared image.
func analyzedFixture(t testing.TB, im fixtures.Image) (*analyzer.Analysis, v1.Image) {
	t.Helper()
	img, err := fixtures.Build(im, fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	return analyzedImage(t, &source.Image{Image: img, Reference: "fixture", Source: source.OCI, Name: "fixture"}), img
}

func analyzedImage(t testing.TB, img *source.Image) *analyzer.Analysis {
	t.Helper()
	a, err := analyzer.Analyze(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// extractAt extracts the image path p as of layer into dir.
func extractAt(t testing.TB, a *analyzer.Analysis, img v1.Image, p string, layer int, dir string) *analyzer.Extraction {
	t.Helper()
	n, ok := a.Tree.Lookup(p)
	if !ok {
		t.Fatalf("%s is not in the tree", p)
	}
	x, err := analyzer.Extract(context.Background(), img, a.Tree, n, layer, dir)
	if err != nil {
		t.Fatalf("extracting %s: %v", p, err)
	}
	return x
}

// listing describes what a directory holds: "file 0644 content",
// "dir", "link target", by path relative to it.
func listing(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "link " + target
		case fi.IsDir():
			out[rel] = "dir"
		default:
			b, _ := os.ReadFile(p)
			out[rel] = fmt.Sprintf("file %04o %s", fi.Mode().Perm(), b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// resolvesInside resolves the link at p on the real filesystem, component
// by component (by text past a missing one), and reports whether it stays
// inside dir. It is written apart from the analyzer's own check.
func resolvesInside(dir, p string) bool {
	cur := filepath.Dir(p)
	target, err := os.Readlink(p)
	if err != nil || filepath.IsAbs(target) {
		return false
	}
	todo := strings.Split(target, "/")
	missing := false
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			if cur != dir && !strings.HasPrefix(cur, dir+"/") {
				return false
			}
			continue
		}
		next := filepath.Join(cur, c)
		if missing {
			cur = next
			continue
		}
		fi, err := os.Lstat(next)
		if err != nil {
			missing, cur = true, next
			continue
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > 40 {
			return false
		}
		t, _ := os.Readlink(next)
		if filepath.IsAbs(t) {
			return false
		}
		todo = append(strings.Split(t, "/"), todo...)
	}
	return true
}

// checkInside fails when the sandbox holds anything beside dir (and its
// parents), or when a link in dir resolves outside it.
func checkInside(t *testing.T, sandbox, dir string) {
	t.Helper()
	filepath.WalkDir(sandbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p != dir && !strings.HasPrefix(p, dir+"/") {
			if !strings.HasPrefix(dir, p) {
				t.Errorf("%s was written outside %s", p, dir)
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 && !resolvesInside(dir, p) {
			target, _ := os.Readlink(p)
			t.Errorf("the link %s → %s resolves outside %s", p, target, dir)
		}
		return nil
	})
}

func skipped(x *analyzer.Extraction) map[string]analyzer.SkipReason {
	out := map[string]analyzer.SkipReason{}
	for _, s := range x.Skipped {
		out[s.Path] = s.Reason
	}
	return out
}

// TestExtractLinkChains: links that each look inside by their text but
// lead out through links created before or after them. Every link kept
// must resolve inside the directory as the tree finally stands.
func TestExtractLinkChains(t *testing.T) {
	im := fixtures.Image{Layers: []fixtures.Layer{{CreatedBy: "links", Entries: []fixtures.Entry{
		fixtures.Dir("data/"),
		fixtures.Dir("data/sub/"),
		fixtures.File("data/sub/f", "f"),
		fixtures.Symlink("data/sub/L", "../.."),        // the extraction directory itself
		fixtures.Symlink("data/B", "sub/L/.."),         // through L: one above it
		fixtures.Symlink("data/A", "M/../.."),          // M does not exist yet when A is made
		fixtures.Symlink("data/M", ".."),               // ... and then makes A lead out
		fixtures.Symlink("data/abs-in", "/data/sub/f"), // extracted too: made relative
		fixtures.Symlink("data/abs-out", "/etc/passwd"),
		fixtures.Symlink("data/d", "sub"),
		fixtures.Symlink("data/e", "d/../.."), // through d: the extraction directory
		fixtures.Symlink("data/l1", "l2"),
		fixtures.Symlink("data/l2", "l1"),
		fixtures.Symlink("data/up", "../../.."),
		fixtures.Symlink("data/sub/up2", "../../x/../../y"),
		fixtures.Symlink("data/sub/deep", "L/data/sub/L/data/M/../x"), // through L and M: out
	}}}}
	a, img := analyzedFixture(t, im)
	sandbox := t.TempDir()
	dir := filepath.Join(sandbox, "out")
	os.Mkdir(dir, 0o755)
	x := extractAt(t, a, img, "/data", 0, dir)
	checkInside(t, sandbox, dir)

	want := map[string]string{
		"data": "dir", "data/sub": "dir", "data/sub/f": "file 0644 f",
		"data/sub/L": "link ../..", "data/M": "link ..", "data/abs-in": "link sub/f",
		"data/d": "link sub", "data/e": "link d/../..", "data/l2": "link l1",
	}
	if diff := cmp.Diff(want, listing(t, dir)); diff != "" {
		t.Errorf("extracted tree (-want +got):\n%s", diff)
	}
	wantSkipped := map[string]analyzer.SkipReason{
		"/data/A": analyzer.SkipLinkOutside, "/data/B": analyzer.SkipLinkOutside,
		"/data/abs-out": analyzer.SkipLinkAbsolute, "/data/l1": analyzer.SkipLinkLoop,
		"/data/up": analyzer.SkipLinkOutside, "/data/sub/up2": analyzer.SkipLinkOutside,
		"/data/sub/deep": analyzer.SkipLinkOutside,
	}
	if diff := cmp.Diff(wantSkipped, skipped(x)); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if x.Files != 1 || x.Dirs != 2 || x.Links != 6 {
		t.Errorf("counted %d files, %d dirs, %d links; want 1, 2, 6", x.Files, x.Dirs, x.Links)
	}
}

// TestExtractEscapedNames: names equal once made safe are all written,
// none over another, the names already safe keeping theirs.
func TestExtractEscapedNames(t *testing.T) {
	im := fixtures.Image{Layers: []fixtures.Layer{{CreatedBy: "names", Entries: []fixtures.Entry{
		fixtures.Dir("n/"),
		fixtures.File("n/a\n", "newline"),
		fixtures.File("n/a\r", "return"),
		fixtures.File("n/a_", "underscore"),
		fixtures.File("n/a_.1", "suffixed"),
		fixtures.File("n/a\x7f", "del"),
		fixtures.File("n/a\u0085", "c1"),
		fixtures.File("n/b\\", "backslash"),
		fixtures.File("n/b_", "b"),
		fixtures.Dir("n/d\t/"),
		fixtures.File("n/d\t/in", "in"),
		fixtures.File("n/d_", "file d_"),
	}}}}
	a, img := analyzedFixture(t, im)
	dir := t.TempDir()
	x := extractAt(t, a, img, "/n", 0, dir)
	want := map[string]string{
		"n": "dir", "n/a_": "file 0644 underscore", "n/a_.1": "file 0644 suffixed",
		"n/a_.2": "file 0644 newline", "n/a_.3": "file 0644 return", "n/a_.4": "file 0644 del",
		"n/a_.5": "file 0644 c1", "n/b_": "file 0644 b", "n/b_.1": "file 0644 backslash",
		"n/d_": "file 0644 file d_", "n/d_.1": "dir", "n/d_.1/in": "file 0644 in",
	}
	if diff := cmp.Diff(want, listing(t, dir)); diff != "" {
		t.Errorf("extracted tree (-want +got):\n%s", diff)
	}
	if x.Files != 10 || x.Dirs != 2 || x.Renamed != 6 || len(x.Skipped) != 0 {
		t.Errorf("got %d files, %d dirs, %d renamed, skipped %v; want 10, 2, 6, none", x.Files, x.Dirs, x.Renamed, x.Skipped)
	}
	// The top name is made safe and never replaces what is there.
	x = extractAt(t, a, img, "/n/a\n", 0, dir)
	if x.Name != "a_" || x.Renamed != 1 {
		t.Errorf("top name %q (renamed %d), want a_ (1)", x.Name, x.Renamed)
	}
	x = extractAt(t, a, img, "/n/a\n", 0, dir)
	if x.Name != "a_.1" {
		t.Errorf("second extraction named %q, want a_.1", x.Name)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a_")); string(b) != "newline" {
		t.Errorf("a_ = %q after a second extraction, want it untouched", b)
	}
}

// TestExtractHardLinks: a hard link gets its target's content wherever the
// target is: same layer, a lower layer, through another hard link; a link
// to nothing is skipped and said.
func TestExtractHardLinks(t *testing.T) {
	im := fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "base", Entries: []fixtures.Entry{
			fixtures.Dir("bin/"),
			fixtures.File("bin/tool", "v1").WithMode(0o755),
			fixtures.File("bin/old", "old"),
		}},
		{CreatedBy: "links", Entries: []fixtures.Entry{
			fixtures.Dir("app/"),
			fixtures.File("app/own", "own"),
			fixtures.Hardlink("app/same-layer", "app/own"),
			fixtures.Hardlink("app/lower", "bin/tool"),
			fixtures.Hardlink("app/chain", "app/lower"),
			fixtures.Hardlink("app/nothing", "no/such/file"),
			fixtures.Hardlink("app/dir", "bin"),
		}},
		{CreatedBy: "change", Entries: []fixtures.Entry{
			fixtures.File("bin/tool", "v2"), // after the link: the link keeps v1
		}},
	}}
	a, img := analyzedFixture(t, im)
	dir := t.TempDir()
	x := extractAt(t, a, img, "/app", 2, dir)
	want := map[string]string{
		"app": "dir", "app/own": "file 0644 own", "app/same-layer": "file 0644 own",
		"app/lower": "file 0755 v1", "app/chain": "file 0755 v1",
	}
	if diff := cmp.Diff(want, listing(t, dir)); diff != "" {
		t.Errorf("extracted tree (-want +got):\n%s", diff)
	}
	wantSkipped := map[string]analyzer.SkipReason{"/app/nothing": analyzer.SkipLinkMissing, "/app/dir": analyzer.SkipLinkMissing}
	if diff := cmp.Diff(wantSkipped, skipped(x)); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if x.Files != 4 {
		t.Errorf("counted %d files, want 4", x.Files)
	}
	if got := x.Detail(); got != "4 files, 1 directory, 0 links; skipped 2 (hard link to a missing file: 2)" {
		t.Errorf("Detail() = %q", got)
	}
}

// gnuSparseHeader is an old GNU sparse entry ('S') of logical size real
// with one data fragment of len(data) bytes at offset at.
func gnuSparseHeader(name string, real, at int64, data []byte) []byte {
	b := rawHeader(name, 'S', int64(len(data)), "")
	copy(b[257:263], "ustar ")
	copy(b[263:265], " \x00")
	copy(b[386:398], fmt.Sprintf("%011o\x00", at))
	copy(b[398:410], fmt.Sprintf("%011o\x00", len(data)))
	copy(b[483:495], fmt.Sprintf("%011o\x00", real))
	copy(b[148:156], "        ")
	sum := 0
	for _, c := range b {
		sum += int(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return append(b, pad(data)...)
}

// TestExtractFileTypes: sparse files (PAX and old GNU) and contiguous
// files are written with their content and size; devices, FIFOs and what a
// layer put below a link are skipped and said.
func TestExtractFileTypes(t *testing.T) {
	var layer []byte
	layer = append(layer, rawHeader("t/", '5', 0, "")...)
	layer = append(layer, sparseLayer("t/pax.img", 1<<20)...)
	layer = append(layer, gnuSparseHeader("t/gnu.img", 3<<20, 1<<20, []byte("middle"))...)
	layer = append(layer, rawHeader("t/cont.bin", '7', 10, "")...)
	layer = append(layer, pad([]byte("contiguous"))...)
	layer = append(layer, rawHeader("t/cont-empty", '7', 0, "")...)
	layer = append(layer, rawHeader("t/null", '3', 0, "")...)
	layer = append(layer, rawHeader("t/disk", '4', 0, "")...)
	layer = append(layer, rawHeader("t/pipe", '6', 0, "")...)
	layer = append(layer, rawHeader("t/link", '2', 0, "elsewhere")...)
	layer = append(layer, rawHeader("t/link/under", '0', 0, "")...)
	layer = append(layer, endBlocks...)
	img := imageOf(t, bytesLayer("types", layer))
	a := analyzedImage(t, img)
	dir := t.TempDir()
	x := extractAt(t, a, img.Image, "/t", 0, dir)

	check := func(name string, size int64, at int64, data string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "t", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if int64(len(b)) != size {
			t.Errorf("%s: %d bytes, want %d", name, len(b), size)
			return
		}
		if string(b[at:at+int64(len(data))]) != data || strings.Trim(string(b[:at]), "\x00") != "" {
			t.Errorf("%s: content at %d is not %q after zeros", name, at, data)
		}
	}
	check("pax.img", 1<<20, 1<<20-512, strings.Repeat("d", 512))
	check("gnu.img", 3<<20, 1<<20, "middle")
	check("cont.bin", 10, 0, "contiguous")
	check("cont-empty", 0, 0, "")
	wantSkipped := map[string]analyzer.SkipReason{
		"/t/null": analyzer.SkipDevice, "/t/disk": analyzer.SkipDevice, "/t/pipe": analyzer.SkipDevice,
		"/t/link/under": analyzer.SkipBelowLink,
	}
	if diff := cmp.Diff(wantSkipped, skipped(x)); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if x.Files != 4 || x.Links != 1 || x.Dirs != 1 {
		t.Errorf("counted %d files, %d links, %d dirs; want 4, 1, 1", x.Files, x.Links, x.Dirs)
	}
	// The holes are not written: the sparse files take little disk.
	var st fs.FileInfo
	if st, _ = os.Stat(filepath.Join(dir, "t", "gnu.img")); st != nil {
		if blocks := diskBlocks(st); blocks > 0 && blocks*512 >= 1<<20 {
			t.Errorf("gnu.img takes %d bytes of disk: its holes were written", blocks*512)
		}
	}
}

// TestExtractRemovedAndMissing: a path absent as of the layer is an error
// naming it; the whole filesystem extracts under "rootfs".
func TestExtractRemovedAndMissing(t *testing.T) {
	im := fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "base", Entries: []fixtures.Entry{fixtures.File("gone", "g"), fixtures.File("kept", "k")}},
		{CreatedBy: "rm", Entries: []fixtures.Entry{fixtures.Whiteout("gone")}},
	}}
	a, img := analyzedFixture(t, im)
	dir := t.TempDir()
	n, _ := a.Tree.Lookup("/gone")
	if _, err := analyzer.Extract(context.Background(), img, a.Tree, n, 1, dir); err == nil || !strings.Contains(err.Error(), "/gone") {
		t.Errorf("extracting a removed path: %v, want an error naming it", err)
	}
	x := extractAt(t, a, img, "/", 1, dir)
	want := map[string]string{"rootfs": "dir", "rootfs/kept": "file 0644 k"}
	if diff := cmp.Diff(want, listing(t, dir)); diff != "" || x.Name != "rootfs" {
		t.Errorf("extracting / (name %q) (-want +got):\n%s", x.Name, diff)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := analyzer.Extract(ctx, img, a.Tree, n, 0, dir); err == nil {
		t.Error("a cancelled extraction succeeded")
	}
}
