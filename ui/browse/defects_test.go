package browse

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/stratascan/strata/analyzer/walk"
	"github.com/stratascan/strata/fixtures"
	"github.com/stratascan/strata/ui/internal/uitest"
)

// screenLine returns the first line of the screen holding every string,
// or "".
func screenLine(view string, want ...string) string {
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(l, w)
		}
		if ok {
			return l
		}
	}
	return ""
}

// TestLayerSwitchShowsChanges steps to a layer whose changes are not under
// the cursor: the cursor moves to the first changed row, so that they are
// on screen (the demo's COPY . /app layer adds /app).
func TestLayerSwitchShowsChanges(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = send(m, keys("j", "j", "j", "j")...)
	if got := m.cursorPath(); got != "/app" {
		t.Errorf("after stepping to layer 4 the cursor is on %q, want /app, its first change", got)
	}
	if screenLine(m.render(), "+", "app") == "" {
		t.Errorf("no added row on screen:\n%s", ansi.Strip(m.render()))
	}
	// A cursor on a path the new view changes stays there.
	m = send(m, keys("tab", "tab", "j", "j")...)
	at := m.cursorPath()
	m = send(m, keys("shift+tab", "shift+tab", "a")...)
	if got := m.cursorPath(); got != at {
		t.Errorf("in aggregated mode the cursor moved from %q to %q", at, got)
	}
}

// TestAggregatedShowsTransientFiles lists, in aggregated mode, the files
// added and deleted inside the range (the demo's /app/tmp, its largest
// waste) as removed, also with "only wasted".
func TestAggregatedShowsTransientFiles(t *testing.T) {
	m := newTestModel(t, 120, 60)
	m = send(m, keys("j", "j", "j", "j", "j", "j", "j", "a", "tab", "tab", "w")...)
	view := m.render()
	for _, name := range []string{"cache.bin", "build.log"} {
		if l := screenLine(view, name); l == "" || !strings.Contains(l, "- ") || !strings.Contains(l, "kB") {
			t.Errorf("aggregated 1–7, wasted only: %s is not listed as removed with its size (%q):\n%s", name, l, ansi.Strip(view))
		}
	}
}

// TestCollapsedDirectoryMarks marks a collapsed directory by the changes
// inside it.
func TestCollapsedDirectoryMarks(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = send(m, keys("j", "j", "tab", "tab", "ctrl+space")...) // layer 2 installs curl under /usr
	for _, c := range []struct{ dir, mark string }{
		{"usr", "+"}, // curl added
		{"var", "~"}, // apt's caches added, dpkg's status modified
		{"etc", " "}, // nothing
	} {
		l := screenLine(m.render(), "─ ⊕ "+c.dir)
		if !strings.Contains(l, c.mark+" ├─ ⊕ "+c.dir) && !strings.Contains(l, c.mark+" └─ ⊕ "+c.dir) {
			t.Errorf("collapsed /%s is drawn %q, want the mark %q", c.dir, l, c.mark)
		}
	}
}

// TestWideOwnerAlignment keeps the tree's columns aligned with a wide
// uid:gid, and the history's notes inside their column.
func TestWideOwnerAlignment(t *testing.T) {
	a, img := openFixture(t, fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "base", Entries: []fixtures.Entry{fixtures.Dir("d/"), fixtures.File("d/a", "a").WithOwner(65534, 65534), fixtures.File("d/b", "b")}},
		{CreatedBy: "rm", Entries: []fixtures.Entry{fixtures.Whiteout("d")}},
	}})
	m := NewBrowser(a, WithImage(img.Image), WithFindings(nil))
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m = send(m, keys("tab", "tab")...)
	view := m.render()
	la, lb := screenLine(view, "├─ a"), screenLine(view, "└─ b")
	col := func(l, s string) int { return ansi.StringWidth(l[:strings.Index(l, s)]) }
	if la == "" || lb == "" || col(la, "├─ a") != col(lb, "└─ b") {
		t.Errorf("names not aligned:\n%s\n%s", la, lb)
	}
	if !strings.Contains(la, "65534:65534") {
		t.Errorf("the owner is cut: %q", la)
	}
	m = send(m, keys("shift+tab", "shift+tab", "j", "tab", "tab", "j")...)
	view = m.render()
	added, removed := screenLine(view, "L0", "added"), screenLine(view, "removed with a parent")
	if added == "" || removed == "" || col(added, "1 B") != col(removed, "1 B") {
		t.Errorf("the history note runs into the next column:\n%s\n%s", added, removed)
	}
}

// TestJumpClearsFilterLine clears the filter line when opening a finding
// clears the filter.
func TestJumpClearsFilterLine(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = send(m, keys("/", "p", "i", "p", "enter", "f", "enter")...)
	if got := m.cursorPath(); got != "/app/.env" {
		t.Fatalf("the finding opened %q", got)
	}
	if l := screenLine(m.render(), "Filter:"); l != "" {
		t.Errorf("the filter was cleared but the screen still shows %q", l)
	}
}

// TestPreviewLimitUnits states the preview limit in the units the docs use.
func TestPreviewLimitUnits(t *testing.T) {
	var p preview
	p.show(previewDoneMsg{req: previewMsg{path: "/big", size: 70_000, kind: walk.File}}, true)
	if got := strings.Join(p.lines, "\n"); !strings.Contains(got, "the limit is 64 KiB") {
		t.Errorf("preview of a 70,000-byte file: %q, want the limit as 64 KiB", got)
	}
}

// TestFooterKeepsHelpAndQuit keeps "? help" and "q quit" on the footer of
// every pane at 80 and 120 columns.
func TestFooterKeepsHelpAndQuit(t *testing.T) {
	for _, w := range []int{80, 120} {
		m := newTestModel(t, w, 30)
		for i, k := range []string{"", "tab", "tab", "tab", "tab", "l", "l", "?"} {
			if k != "" {
				m = send(m, keyMsg(k))
			}
			lines := strings.Split(ansi.Strip(m.render()), "\n")
			footer := lines[len(lines)-1]
			if !strings.Contains(footer, "? help") || !strings.Contains(footer, "q quit") {
				t.Errorf("%d columns, step %d: footer %q lacks ? help or q quit", w, i, footer)
			}
		}
	}
}

// TestFindingDetailScrolls reaches every path of a finding and its fix.
func TestFindingDetailScrolls(t *testing.T) {
	fs := demoFindings()
	fs[1].Paths = nil
	for i := range 40 {
		fs[1].Paths = append(fs[1].Paths, fmt.Sprintf("/app/secret-%02d", i))
	}
	fs[1].PathCount = 104
	m := newTestModel(t, 80, 24, WithFindings(fs))
	m = send(m, keys("f")...)
	seen := map[string]bool{}
	for range 60 {
		for _, l := range strings.Split(ansi.Strip(m.render()), "\n") {
			for _, p := range fs[1].Paths {
				if strings.Contains(l, p+" ") || strings.HasSuffix(strings.TrimRight(l, " │"), p) {
					seen[p] = true
				}
			}
			if strings.Contains(l, "… and 64 more") {
				seen["more"] = true
			}
			if strings.Contains(l, "Fix: add .env") {
				seen["fix"] = true
			}
		}
		m = send(m, keyMsg("J"))
	}
	for _, p := range append(fs[1].Paths, "more", "fix") {
		if !seen[p] {
			t.Errorf("%s never shown while scrolling the detail", p)
		}
	}
}

// TestColumnsFollowWidth gives the layers' commands the room the tree can
// spare: at 120 columns a 35-character command is shown whole.
func TestColumnsFollowWidth(t *testing.T) {
	m := newTestModel(t, 120, 40)
	if screenLine(m.render(), "RUN pip install -r requirements.txt ") == "" {
		t.Errorf("at 120 columns the command is cut:\n%s", ansi.Strip(m.render()))
	}
}

// TestFindingsKeyInTree opens, from the tree, the findings of the file
// under the cursor.
func TestFindingsKeyInTree(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = send(m, keys("f", "enter")...) // the .env file in the tree
	m = send(m, keys("f")...)
	if m.focus != paneFindings {
		t.Fatalf("f in the tree left the focus on pane %d", m.focus)
	}
	if l := screenLine(m.render(), "A .env file"); l == "" {
		t.Errorf("the findings of /app/.env are not shown:\n%s", ansi.Strip(m.render()))
	}
}

// TestHelpLegend explains the marks of the panes.
func TestHelpLegend(t *testing.T) {
	m := newTestModel(t, 200, 60)
	m = send(m, keys("?")...)
	for _, want := range []string{"! has findings", "w holds wasted bytes", "▐ in the compared range", "⊕ collapsed", "+ added", "~ modified", "- removed"} {
		if !strings.Contains(ansi.Strip(m.render()), want) {
			t.Errorf("the help lacks %q", want)
		}
	}
}

// TestImageDiveNumbers shows both of dive's numbers and why strata's
// differ.
func TestImageDiveNumbers(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = send(m, keys("l", "l")...)
	view := ansi.Strip(m.render())
	for _, want := range []string{"Dive efficiency", "Dive wasted", "250 kB"} {
		if !strings.Contains(view, want) {
			t.Errorf("the Image pane lacks %q:\n%s", want, view)
		}
	}
}

// TestBaseLayerWithoutHistory names a layer without history by its digest,
// as dive does.
func TestBaseLayerWithoutHistory(t *testing.T) {
	a, img := openFixture(t, fixtures.Image{Layers: []fixtures.Layer{
		{Entries: []fixtures.Entry{fixtures.File("a", "a")}},
		{CreatedBy: "RUN touch b", Entries: []fixtures.Entry{fixtures.File("b", "b")}},
	}})
	a.Layers[0].Command, a.Layers[0].CreatedBy = "", ""
	m := NewBrowser(a, WithImage(img.Image), WithFindings(nil))
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	short := strings.TrimPrefix(a.Layers[0].Digest, "sha256:")[:12]
	if l := screenLine(m.render(), "FROM "+short); l == "" {
		t.Errorf("the base layer is not shown as FROM %s:\n%s", short, ansi.Strip(m.render()))
	}
}

// TestFilterExpandsAndNarrows opens collapsed directories to the filter's
// matches and sizes directories by what matches.
func TestFilterExpandsAndNarrows(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = send(m, keys("j", "j", "j", "j", "j", "j", "j", "tab", "tab", "ctrl+space", "/", "m", "a", "i", "n", ".", "p", "y", "enter")...)
	view := m.render()
	if screenLine(view, "main.py") == "" {
		t.Errorf("the match inside collapsed directories is not shown:\n%s", ansi.Strip(view))
	}
	l := screenLine(view, " app")
	if !strings.Contains(l, "192 B") {
		t.Errorf("/app is not sized by the match main.py (192 B): %q", l)
	}
}

var _ = uitest.Key

// TestMouse hands wheel and clicks to the pane under the pointer, in its
// own coordinates: a click on a layer row selects that layer, the wheel
// over the tree moves its cursor, a click focuses the pane.
func TestMouse(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = send(m, tea.MouseClickMsg{X: 10, Y: 3, Button: tea.MouseLeft}) // the third layer row
	if got := m.layers.Selected(); got != 2 {
		t.Errorf("click on the third layer row selected layer %d", got)
	}
	if screenLine(m.render(), "Layer 2 Contents") == "" {
		t.Error("the tree does not show the clicked layer")
	}
	tr := m.rects[paneTree]
	before := m.cursorPath()
	m = send(m, tea.MouseWheelMsg{X: tr.X + 5, Y: tr.Y + 5, Button: tea.MouseWheelDown})
	if m.cursorPath() == before {
		t.Errorf("the wheel over the tree left the cursor on %q", before)
	}
	if m.focus != paneLayers {
		t.Error("the wheel moved the focus")
	}
	m = send(m, tea.MouseClickMsg{X: tr.X + 5, Y: tr.Y + 4, Button: tea.MouseLeft})
	if m.focus != paneTree {
		t.Error("a click on the tree did not focus it")
	}
}

// TestRangeShowsTransientFiles lists, in range mode too, the files added
// and deleted inside the range as removed.
func TestRangeShowsTransientFiles(t *testing.T) {
	m := newTestModel(t, 120, 60)
	m = send(m, keys("j", "j", "j", "v", "j", "j", "j", "j", "tab", "tab", "U")...) // range 3–7
	view := m.render()
	if l := screenLine(view, "cache.bin"); l == "" || !strings.Contains(l, "- ") {
		t.Errorf("range 3–7, changes only: cache.bin is not listed as removed (%q):\n%s", l, ansi.Strip(view))
	}
	// A range that ends before the deletion shows the file added.
	m = send(m, keys("shift+tab", "shift+tab", "k", "k", "k")...) // range 3–4
	if l := screenLine(m.render(), "cache.bin"); !strings.Contains(l, "+ ") {
		t.Errorf("range 3–4: cache.bin is drawn %q, want added", l)
	}
}
