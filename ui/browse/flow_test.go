package browse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/fixtures"
	"github.com/stratascan/strata/ui/common"
	"github.com/stratascan/strata/ui/internal/uitest"
)

// TestFlow drives the whole program: load with progress, move through the
// layers, open a finding, land on its file in the tree, quit.
func TestFlow(t *testing.T) {
	a, img := demo(t)
	m := New("demo.tar", WithFindings(demoFindings()), WithWorkDir(t.TempDir()))
	tm, waitFor := uitest.Start(t, m, 100, 30)
	for i := range a.Layers {
		tm.Send(ProgressMsg(analyzer.Progress{Phase: analyzer.PhaseRead, Layer: i, Layers: len(a.Layers), Read: 10, Size: 10, Done: i < 4,
			ReadBytes: 10 * int64(i+1), TotalBytes: 10 * int64(len(a.Layers)), LayersDone: min(i+1, 4)}))
	}
	waitFor("layer 4 of 8 done")
	tm.Send(LoadedMsg{Analysis: a, Image: img.Image})
	waitFor("Layers (8)")
	tm.Send(keyMsg("j"))
	waitFor("Layer 1 Contents")
	tm.Send(keyMsg("j"))
	waitFor("Layer 2 Contents")
	tm.Send(keyMsg("f"))
	waitFor("[Findings 4]")
	tm.Send(keyMsg("enter")) // the worst finding: the .env file of layer 4
	waitFor("Layer 4 Contents", "File History · .env")
	tm.Send(keyMsg("q"))
	fm := uitest.Final(t, tm).(Model)
	if got := fm.cursorPath(); got != "/app/.env" {
		t.Errorf("cursor on %q, want /app/.env", got)
	}
	if got := fm.layers.Selected(); got != 4 {
		t.Errorf("layer %d selected, want 4", got)
	}
}

// TestFlowCancel quits while loading: the cancel function runs.
func TestFlowCancel(t *testing.T) {
	cancelled := make(chan struct{})
	m := New("demo.tar", WithCancel(func() { close(cancelled) }))
	tm, waitFor := uitest.Start(t, m, 80, 24)
	waitFor("Opening the image")
	tm.Send(keyMsg("ctrl+c"))
	fm := uitest.Final(t, tm).(Model)
	select {
	case <-cancelled:
	default:
		t.Error("ctrl+c while loading did not cancel the analysis")
	}
	if !fm.Cancelled() {
		t.Error("Cancelled() = false")
	}
}

// TestLoadError ends the program with the error.
func TestLoadError(t *testing.T) {
	m := New("nope.tar")
	tm, cmd := m.Update(LoadedMsg{Err: os.ErrNotExist})
	if cmd == nil || tm.(Model).Err() == nil {
		t.Fatal("a failed load must quit with its error")
	}
}

// escapeImage has names with control characters and escape sequences, and
// links pointing out of any extraction directory.
func escapeImage() fixtures.Image {
	return fixtures.Image{Layers: []fixtures.Layer{{CreatedBy: "evil", Entries: []fixtures.Entry{
		fixtures.Dir("data/"),
		fixtures.File("data/\x1b[31mred\x1b[0m", "x"),
		fixtures.File("data/bell\a", "y"),
		fixtures.File("data/ok.txt", "hello\n"),
		fixtures.Symlink("data/out", "../../../etc/passwd"),
		fixtures.Symlink("data/abs", "/etc/passwd"),
		fixtures.Symlink("data/in", "ok.txt"),
	}}}}
}

func openFixture(t *testing.T, im fixtures.Image) (*analyzer.Analysis, *source.Image) {
	t.Helper()
	v1img, err := fixtures.Build(im, fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "img.tar")
	if err := fixtures.WriteDockerArchive(path, "evil:1", v1img); err != nil {
		t.Fatal(err)
	}
	img, err := source.Open(context.Background(), path, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { img.Close() })
	a, err := analyzer.Analyze(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	return a, img
}

// TestEscapedNames never sends a name's control characters to the terminal.
func TestEscapedNames(t *testing.T) {
	a, img := openFixture(t, escapeImage())
	m := NewBrowser(a, WithImage(img.Image), WithFindings(nil))
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	view := m.render()
	plain := ansi.Strip(view)
	if strings.ContainsAny(plain, "\x1b\a") {
		t.Errorf("raw control characters reach the terminal:\n%q", plain)
	}
	for _, want := range []string{`\x1b[31mred\x1b[0m`, `bell\a`} {
		if !strings.Contains(plain, want) {
			t.Errorf("view lacks the escaped name %s:\n%s", want, plain)
		}
	}
}

// TestExtract writes files, directories and safe links inside the work
// directory only, never replacing what is there.
func TestExtract(t *testing.T) {
	a, img := openFixture(t, escapeImage())
	dir := t.TempDir()
	outside := filepath.Join(filepath.Dir(dir), "passwd")
	ctx := context.Background()
	n, _ := a.Tree.Lookup("/data")
	msg, err := extract(ctx, img.Image, a.Tree, n, span{0, 0}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "skipped 2") {
		t.Errorf("message %q: want the two links pointing out skipped", msg)
	}
	got, err := os.ReadFile(filepath.Join(dir, "data", "ok.txt"))
	if err != nil || string(got) != "hello\n" {
		t.Errorf("data/ok.txt = %q, %v", got, err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "data", "in")); err != nil || target != "ok.txt" {
		t.Errorf("data/in → %q, %v", target, err)
	}
	for _, name := range []string{"out", "abs"} {
		if _, err := os.Lstat(filepath.Join(dir, "data", name)); err == nil {
			t.Errorf("data/%s pointing outside was created", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "_[31mred_[0m")); err != nil {
		t.Errorf("the name with escapes was not made safe: %v", err)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("something was written outside the directory: %s", outside)
	}
	// A second extraction never replaces the first.
	f, _ := a.Tree.Lookup("/data/ok.txt")
	msg, err = extract(ctx, img.Image, a.Tree, f, span{0, 0}, filepath.Join(dir, "data"))
	if err != nil || !strings.Contains(msg, "ok.txt.1") {
		t.Errorf("second extraction: %q, %v", msg, err)
	}
	// A symlink already in the directory that points out is not followed.
	evil := t.TempDir()
	if err := os.Symlink(filepath.Dir(dir), filepath.Join(evil, "ok.txt")); err != nil {
		t.Fatal(err)
	}
	if msg, err := extract(ctx, img.Image, a.Tree, f, span{0, 0}, evil); err != nil || !strings.Contains(msg, "ok.txt.1") {
		t.Errorf("extraction next to a link: %q, %v", msg, err)
	}
}

// TestPreviewKinds covers the preview's refusals and its text.
func TestPreviewKinds(t *testing.T) {
	m := newTestModel(t, 100, 30)
	m = send(m, keys("j", "j", "j", "j", "tab", "tab", "U", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "p")...)
	if !m.preview.open || !strings.Contains(strings.Join(m.preview.lines, "\n"), "import requests") {
		t.Fatalf("preview of main.py: %v", m.preview.lines)
	}
	m = send(m, keys("esc", "k", "p")...) // the pack file: binary
	if !strings.Contains(strings.Join(m.preview.lines, "\n"), "binary") {
		t.Errorf("preview of a pack file: %v", m.preview.lines)
	}
}

// TestPlainStyles draws without any colour but keeps the selection visible.
func TestPlainStyles(t *testing.T) {
	colored := newTestModel(t, 80, 24).render()
	plain := newTestModel(t, 80, 24, WithStyles(common.PlainStyles())).render()
	if !strings.Contains(colored, "\x1b[38;") {
		t.Fatal("the default styles draw no colour")
	}
	if strings.Contains(plain, "\x1b[38;") || strings.Contains(plain, "\x1b[48;") {
		t.Error("PlainStyles draws colours")
	}
	if !strings.Contains(plain, "\x1b[7m") && !strings.Contains(plain, ";7m") {
		t.Error("PlainStyles does not show the selection in reverse video")
	}
}
