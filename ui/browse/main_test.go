package browse

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/source"
	"github.com/stratascan/strata/ui/internal/uitest"
)

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

var (
	demoOnce sync.Once
	demoA    *analyzer.Analysis
	demoImg  *source.Image
	demoErr  error
)

// demo returns the analysis of the committed demo image (opened once).
func demo(t testing.TB) (*analyzer.Analysis, *source.Image) {
	t.Helper()
	demoOnce.Do(func() {
		ctx := context.Background()
		demoImg, demoErr = source.Open(ctx, filepath.Join("..", "..", "fixtures", "demo", "demo.tar"), source.Options{})
		if demoErr != nil {
			return
		}
		demoA, demoErr = analyzer.Analyze(ctx, demoImg)
		if demoA != nil {
			demoA.Image.Reference = "demo.tar" // stable across checkouts
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoA, demoImg
}

// demoFindings are fixed findings, so that the findings pane is tested
// whatever the rule engine reports.
func demoFindings() []findings.Finding {
	return []findings.Finding{
		{Rule: "apt-lists", Category: findings.Cache, Severity: findings.Medium, Title: "APT package lists left in the image",
			Layer: 1, Instruction: "RUN apt-get update", Paths: []string{"/var/lib/apt/lists"}, PathCount: 4, Bytes: 180_000,
			Hint: "run `rm -rf /var/lib/apt/lists/*` in the same RUN as `apt-get install`, or use `RUN --mount=type=cache,target=/var/lib/apt`"},
		{Rule: "secret-file", Category: findings.Secret, Severity: findings.High, Title: "A .env file with credentials",
			Layer: 4, Instruction: "COPY . /app", Paths: []string{"/app/.env"}, PathCount: 1, Bytes: 130,
			Hint: "add .env to .dockerignore and pass secrets at run time", Evidence: "DATABASE_URL=pos********"},
		{Rule: "vcs-dir", Category: findings.Leftover, Severity: findings.Low, Title: "A .git directory was copied",
			Layer: 4, Instruction: "COPY . /app", Paths: []string{"/app/.git"}, PathCount: 6, Bytes: 70_000,
			Hint: "add .git to .dockerignore"},
		{Rule: "root-user", Category: findings.Security, Severity: findings.Medium, Title: "The image runs as root",
			Layer: -1, Hint: "add a USER instruction"},
	}
}

// newTestModel returns a browser over the demo image at a size.
func newTestModel(t testing.TB, w, h int, opts ...Option) Model {
	t.Helper()
	a, img := demo(t)
	opts = append([]Option{WithImage(img.Image), WithFindings(demoFindings()), WithWorkDir(t.TempDir())}, opts...)
	m := NewBrowser(a, opts...)
	return send(m, tea.WindowSizeMsg{Width: w, Height: h})
}

// send applies messages, running the commands they return (synchronously,
// to a fixed depth) and feeding their messages back.
func send(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		var cmd tea.Cmd
		var tm tea.Model
		tm, cmd = m.Update(msg)
		m = tm.(Model)
		m = run(m, cmd, 3)
	}
	return m
}

func run(m Model, cmd tea.Cmd, depth int) Model {
	if cmd == nil || depth == 0 {
		return m
	}
	msg := cmd()
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			m = run(m, c, depth)
		}
		return m
	case nil, tickMsg:
		return m
	}
	if _, ok := msg.(tea.QuitMsg); ok {
		return m
	}
	if fmtMsg := msg; fmtMsg != nil {
		if isBlink(msg) {
			return m
		}
	}
	tm, next := m.Update(msg)
	return run(tm.(Model), next, depth-1)
}

// isBlink reports cursor-blink messages of the text input, which would
// otherwise loop.
func isBlink(msg tea.Msg) bool {
	switch msg.(type) {
	case ProgressMsg, LoadedMsg, layerSelectedMsg, jumpMsg, previewMsg, previewDoneMsg, extractMsg, extractDoneMsg, filterDoneMsg:
		return false
	}
	return true
}

// keys and keyMsg are key presses by name.
var (
	keys   = uitest.Keys
	keyMsg = uitest.Key
)
