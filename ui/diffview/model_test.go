package diffview

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
	"github.com/stratascan/strata/ui/internal/uitest"
)

var (
	diffOnce   sync.Once
	diffResult *compare.Result
	diffErr    error
)

// diffStatus is a dpkg status file listing name=version pairs.
func diffStatus(pkgs ...string) string {
	s := ""
	for i := 0; i+1 < len(pkgs); i += 2 {
		s += "Package: " + pkgs[i] + "\nStatus: install ok installed\nVersion: " + pkgs[i+1] + "\n\n"
	}
	return s
}

// diffImages are two versions of a small app.
func diffImages() (fixtures.Image, fixtures.Image) {
	base := fixtures.Layer{CreatedBy: "/bin/sh -c #(nop) ADD file:4a1c0ee8b6f3d2e1aa in / ", Entries: []fixtures.Entry{
		fixtures.Dir("etc/"), fixtures.File("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
		fixtures.Dir("usr/"), fixtures.Dir("usr/bin/"), fixtures.RandomFile("usr/bin/sh", 50_000, 1).WithMode(0o755),
		fixtures.Dir("var/"), fixtures.Dir("var/lib/"), fixtures.Dir("var/lib/dpkg/"),
		fixtures.File("var/lib/dpkg/status", diffStatus("libc6", "2.36-9")),
	}}
	old := fixtures.Image{Layers: []fixtures.Layer{base,
		{CreatedBy: "/bin/sh -c apt-get update && apt-get install -y curl", Entries: []fixtures.Entry{
			fixtures.Dir("var/lib/apt/"), fixtures.Dir("var/lib/apt/lists/"),
			fixtures.RandomFile("var/lib/apt/lists/Packages", 300_000, 2),
			fixtures.RandomFile("usr/bin/curl", 200_000, 3).WithMode(0o755),
			fixtures.File("var/lib/dpkg/status", diffStatus("curl", "7.88.1-10", "libc6", "2.36-9")),
		}},
		{CreatedBy: "/bin/sh -c #(nop) COPY dir:0123456789abcdef0123 in /app ", Entries: []fixtures.Entry{
			fixtures.Dir("app/"), fixtures.File("app/main.py", "print(1)\n"), fixtures.File("app/old.txt", "x\n"),
		}},
	}, Config: v1.Config{Cmd: []string{"python", "/app/main.py"}}}
	new := fixtures.Image{Layers: []fixtures.Layer{base,
		{CreatedBy: "/bin/sh -c apt-get update && apt-get install -y curl jq && rm -rf /var/lib/apt/lists/*", Entries: []fixtures.Entry{
			fixtures.RandomFile("usr/bin/curl", 210_000, 4).WithMode(0o755),
			fixtures.RandomFile("usr/bin/jq", 40_000, 5).WithMode(0o755),
			fixtures.File("var/lib/dpkg/status", diffStatus("curl", "7.88.1-10+deb12u5", "jq", "1.6-2.1", "libc6", "2.36-9")),
		}},
		{CreatedBy: "/bin/sh -c #(nop) COPY dir:fedcba9876543210fedc in /app ", Entries: []fixtures.Entry{
			fixtures.Dir("app/"), fixtures.File("app/main.py", "print(2)\n").WithMode(0o755),
		}},
		{CreatedBy: "/bin/sh -c useradd app", Entries: []fixtures.Entry{
			fixtures.File("etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"),
		}},
	}, Config: v1.Config{User: "app", Cmd: []string{"python", "/app/main.py"}}}
	return old, new
}

// diffTestResult compares the two versions (once).
func diffTestResult(t testing.TB) *compare.Result {
	t.Helper()
	diffOnce.Do(func() {
		o, n := diffImages()
		var as [2]*analyzer.Analysis
		for i, im := range []fixtures.Image{o, n} {
			img, err := fixtures.Build(im, fixtures.Uncompressed)
			if err != nil {
				diffErr = err
				return
			}
			as[i], diffErr = analyzer.Analyze(context.Background(), &source.Image{Image: img})
			if diffErr != nil {
				return
			}
		}
		as[0].Image.Reference, as[1].Image.Reference = "app:1", "app:2"
		b, _ := compare.ParseBudget("10%")
		diffResult, diffErr = compare.Compare(as[0], as[1], compare.Options{Gate: compare.Gate{MaxGrowth: []compare.Budget{b}}})
	})
	if diffErr != nil {
		t.Fatal(diffErr)
	}
	return diffResult
}

func sendDiff(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		tm, _ := m.Update(msg)
		m = tm.(Model)
	}
	return m
}

var diffScenarios = []struct {
	name string
	keys []string
}{
	{"start", nil},
	{"layer_changed", []string{"j"}},
	{"files_focused", []string{"tab", "tab", "j", "j"}},
	{"files_by_size_no_added", []string{"tab", "tab", "s", "A"}},
	{"files_collapsed", []string{"tab", "tab", "j", "h"}},
	{"packages_tab", []string{"tab", "l"}},
	{"findings_tab", []string{"f"}},
	{"config_tab", []string{"tab", "h"}},
	{"help_open", []string{"?"}},
}

// TestDiffView goldens the comparison browser's screens (ANSI stripped,
// the colour profile pinned by TestMain).
func TestDiffView(t *testing.T) {
	r := diffTestResult(t)
	for _, sc := range diffScenarios {
		for _, sz := range uitest.Sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz.W, sz.H), func(t *testing.T) {
				m := sendDiff(New(r), tea.WindowSizeMsg{Width: sz.W, Height: sz.H})
				m = sendDiff(m, uitest.Keys(sc.keys...)...)
				view := m.render()
				uitest.CheckSize(t, view, sz.W, sz.H)
				golden.RequireEqual(t, []byte(ansi.Strip(view)))
			})
		}
	}
}

func TestDiffIdenticalAndQuit(t *testing.T) {
	r := diffTestResult(t)
	same := &compare.Result{Old: r.Old, New: r.Old, Identical: true}
	m := sendDiff(New(same), tea.WindowSizeMsg{Width: 80, Height: 24})
	view := ansi.Strip(m.render())
	for _, want := range []string{"identical images", "no file changes", "no layers"} {
		if !strings.Contains(view, want) {
			t.Errorf("the view lacks %q:\n%s", want, view)
		}
	}
	tm, cmd := m.Update(uitest.Key("q"))
	if !tm.(Model).Quitting() || cmd == nil {
		t.Error("q does not quit")
	}
}

func TestDiffTreeNavigation(t *testing.T) {
	r := diffTestResult(t)
	tr := newDiffTree(r.Files.Changes)
	tr.bySize = false
	tr.refresh()
	var names []string
	for _, n := range tr.rows {
		names = append(names, tr.nodes[n].name)
	}
	want := "app main.py old.txt etc passwd usr bin curl jq var lib apt lists Packages dpkg status"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	tr.toggleAll()
	if len(tr.rows) != 4 {
		t.Errorf("all collapsed: %d rows, want 4", len(tr.rows))
	}
	tr.toggleAll()
	tr.toggleShow(bitRemoved)
	for _, n := range tr.rows {
		if c := tr.nodes[n].change; c != nil && c.Change == compare.FileRemoved {
			t.Errorf("removed %s shown", tr.nodes[n].name)
		}
	}
	if tr.nodes[0].delta != r.Files.SizeDelta {
		t.Errorf("root delta %d, want %d", tr.nodes[0].delta, r.Files.SizeDelta)
	}
}

// rowsOf lists a diff tree's rows by name.
func rowsOf(tr *diffTree) string {
	var names []string
	for _, n := range tr.rows {
		names = append(names, tr.nodes[n].name)
	}
	return strings.Join(names, " ")
}

// TestDiffSortsBySize lists the largest changes first by default.
func TestDiffSortsBySize(t *testing.T) {
	tr := newDiffTree(diffTestResult(t).Files.Changes)
	prev := int64(1 << 62)
	for _, n := range tr.rows {
		if tr.nodes[n].parent != 0 {
			continue
		}
		d := abs64(tr.nodes[n].delta)
		if d > prev {
			t.Errorf("top-level rows not by size: %s", rowsOf(tr))
		}
		prev = d
	}
}

// TestDiffFilter keeps the paths the filter matches, and their directories.
func TestDiffFilter(t *testing.T) {
	m := sendDiff(New(diffTestResult(t)), tea.WindowSizeMsg{Width: 120, Height: 40})
	m = sendDiff(m, uitest.Keys("/", "c", "u", "r", "l", "enter")...)
	if got := rowsOf(m.files); got != "usr bin curl" {
		t.Errorf("filter curl: rows %q, want usr bin curl", got)
	}
	view := ansi.Strip(m.render())
	if !strings.Contains(view, "Filter: curl") {
		t.Errorf("the filter line is not shown:\n%s", view)
	}
	m = sendDiff(m, uitest.Keys("esc")...)
	if got := rowsOf(m.files); !strings.Contains(got, "main.py") {
		t.Errorf("esc did not clear the filter: %q", got)
	}
}

// TestDiffMarkers marks file changes as the image browser does.
func TestDiffMarkers(t *testing.T) {
	m := sendDiff(New(diffTestResult(t)), tea.WindowSizeMsg{Width: 120, Height: 40})
	view := ansi.Strip(m.render())
	for _, want := range []string{"+    +40 kB", "-      -2 B", "~    +10 kB"} {
		if !strings.Contains(view, want) {
			t.Errorf("the files lack %q:\n%s", want, view)
		}
	}
	for _, bad := range []string{"A    +", "D    -", "M    +"} {
		if strings.Contains(view, bad) {
			t.Errorf("the files use the letter mark %q", bad)
		}
	}
}

// TestDiffPositionPairs labels layers side by side by position only, with
// nothing in common, as not matched.
func TestDiffPositionPairs(t *testing.T) {
	r := *diffTestResult(t)
	r.Layers = slices.Clone(r.Layers)
	i := slices.IndexFunc(r.Layers, func(p compare.LayerPair) bool { return p.Old != nil && p.New != nil && p.Status != compare.Shared })
	if i < 0 {
		t.Fatal("no changed pair")
	}
	r.Layers[i].Match, r.Layers[i].Similarity = compare.ByPosition, 0
	m := sendDiff(New(&r), tea.WindowSizeMsg{Width: 120, Height: 40})
	m = sendDiff(m, uitest.Keys(strings.Split(strings.Repeat("j", i), "")...)...)
	view := ansi.Strip(m.render())
	if !strings.Contains(view, "not matched: side by side by position only") || strings.Contains(view, "paired by position") {
		t.Errorf("the position pair reads as a match:\n%s", view)
	}
	if !strings.Contains(view, "≠ ") {
		t.Errorf("the position pair has no ≠ mark:\n%s", view)
	}
}

// TestDiffPackagesLabel says what the package count counts.
func TestDiffPackagesLabel(t *testing.T) {
	m := sendDiff(New(diffTestResult(t)), tea.WindowSizeMsg{Width: 200, Height: 40})
	if view := ansi.Strip(m.render()); !strings.Contains(view, "packages 1 added, 1 upgraded") {
		t.Errorf("the header does not say how the packages changed:\n%s", view)
	}
}
