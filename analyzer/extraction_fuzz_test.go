package analyzer_test

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/fixtures"
)

// FuzzExtractLinks extracts images made of link chains (one "name=target"
// per line, names under /d, over one or two layers split by "--") and
// requires that nothing lands outside the extraction directory and that
// every link left there resolves inside it.
func FuzzExtractLinks(f *testing.F) {
	for _, seed := range []string{
		"sub/L=../..\nB=sub/L/..",
		"A=M/../..\nM=..",
		"a=b/../../..\nb=c\nc=.",
		"x=y\ny=x",
		"l=../d/l2/..\nl2=../../d",
		"s/a=../s/b/../..\ns/b=.\n--\ns/c=a/x",
		"p=/d/q\nq=..",
		"deep/a/b=../../../deep/a\nz=deep/a/b/../../..",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		if len(spec) > 2000 {
			return
		}
		var layers []fixtures.Layer
		seen := map[string]bool{}
		for i, part := range strings.Split(spec, "--") {
			entries := []fixtures.Entry{}
			if i == 0 {
				entries = append(entries, fixtures.Dir("d/"), fixtures.File("d/f", "f"))
			}
			for _, line := range strings.Split(part, "\n") {
				name, target, ok := strings.Cut(line, "=")
				name = path.Clean("/d/" + strings.Trim(name, "\x00"))
				if !ok || !strings.HasPrefix(name, "/d/") || strings.ContainsAny(name, "\x00") || strings.ContainsAny(target, "\x00") || len(target) == 0 || seen[name] {
					continue
				}
				seen[name] = true
				entries = append(entries, fixtures.Symlink(name[1:], target))
			}
			layers = append(layers, fixtures.Layer{CreatedBy: "links", Entries: entries})
			if len(layers) == 3 {
				break
			}
		}
		a, img := analyzedFixture(t, fixtures.Image{Layers: layers})
		sandbox := t.TempDir()
		dir := filepath.Join(sandbox, "out")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		n, ok := a.Tree.Lookup("/d")
		if !ok {
			t.Fatal("no /d")
		}
		for layer := range a.Layers {
			if _, err := analyzer.Extract(context.Background(), img, a.Tree, n, layer, dir); err != nil {
				t.Fatalf("layer %d: %v", layer, err)
			}
			checkInside(t, sandbox, dir)
		}
	})
}
