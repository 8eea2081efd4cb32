package browse

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/ui/internal/uitest"
)

var (
	earlyOnce sync.Once
	earlyA    *analyzer.Analysis // the demo's analysis as handed over with its tree
	finalA    *analyzer.Analysis // the same analysis finished
	earlyImg  *source.Image
	earlyErr  error
)

// demoEarly analyses the demo image (once) and returns the analysis handed
// over once its tree was merged and the finished one.
func demoEarly(t testing.TB) (early, final *analyzer.Analysis, img *source.Image) {
	t.Helper()
	earlyOnce.Do(func() {
		ctx := context.Background()
		earlyImg, earlyErr = source.Open(ctx, filepath.Join("..", "..", "fixtures", "demo", "demo.tar"), source.Options{})
		if earlyErr != nil {
			return
		}
		finalA, earlyErr = analyzer.Analyze(ctx, earlyImg, analyzer.WithTree(func(a *analyzer.Analysis, _ *source.Image) { earlyA = a }))
		if earlyErr != nil {
			return
		}
		earlyA.Image.Reference, finalA.Image.Reference = "demo.tar", "demo.tar" // stable across checkouts
	})
	if earlyErr != nil {
		t.Fatal(earlyErr)
	}
	return earlyA, finalA, earlyImg
}

// newPendingModel returns a browser opened on the demo's tree, the rest of
// its analysis still to come.
func newPendingModel(t testing.TB, w, h int) Model {
	t.Helper()
	early, _, img := demoEarly(t)
	m := New("demo.tar", WithWorkDir(t.TempDir()))
	m = send(m, tea.WindowSizeMsg{Width: w, Height: h})
	return send(m, TreeMsg{Analysis: early, Image: img.Image})
}

// TestPendingView goldens the screens that differ while the findings, the
// duplicates and dive's figures are computed: the first screen (its
// findings tab says so), the image tab and the findings tab.
func TestPendingView(t *testing.T) {
	for _, sc := range []struct {
		name string
		keys []string
	}{
		{"start", nil},
		{"image_tab", []string{"l", "l"}},
		{"findings_tab", []string{"f", "j"}},
	} {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz.W, sz.H), func(t *testing.T) {
				m := newPendingModel(t, sz.W, sz.H)
				if !m.Pending() {
					t.Fatal("the browser is not pending after a TreeMsg")
				}
				m = send(m, keys(sc.keys...)...)
				view := ansi.Strip(m.render())
				uitest.CheckSize(t, view, sz.W, sz.H)
				golden.RequireEqual(t, []byte(view))
			})
		}
	}
}

// TestPendingCompletes browses the tree while the analysis finishes, then
// completes it: the screen is the one a browser opened on the finished
// analysis shows after the same keys, the user's place kept.
func TestPendingCompletes(t *testing.T) {
	_, final, img := demoEarly(t)
	for _, ks := range [][]string{
		nil,
		{"j", "j", "j", "j", "tab", "tab", "U", "j", "j", "j"},
		{"j", "j", "j", "j", "j", "j", "j", "a", "tab", "tab", "U"},
		{"j", "j", "v", "j", "j", "j", "tab", "tab", "U", "s"},
		{"l", "l"},
		{"f"},
		{"j", "j", "j", "tab", "tab", "w", "ctrl+space"},
	} {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", strings.Join(ks, "-"), sz.W, sz.H), func(t *testing.T) {
				m := newPendingModel(t, sz.W, sz.H)
				m = send(m, keys(ks...)...)
				m = send(m, LoadedMsg{Analysis: final, Image: img.Image})
				if m.Pending() {
					t.Fatal("the browser is still pending after the LoadedMsg")
				}
				want := NewBrowser(final, WithImage(img.Image), WithWorkDir(t.TempDir()))
				want = send(want, tea.WindowSizeMsg{Width: sz.W, Height: sz.H})
				want = send(want, keys(ks...)...)
				if got, want := ansi.Strip(m.render()), ansi.Strip(want.render()); got != want {
					t.Errorf("completed view:\n%s\nwant the finished analysis' view:\n%s", got, want)
				}
			})
		}
	}
}
