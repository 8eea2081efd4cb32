package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EBrowserInTmux drives the real binary in a real terminal: tmux runs
// strata on the demo image, keys are sent with send-keys and the screen is
// read back with capture-pane after each step.
func TestE2EBrowserInTmux(t *testing.T) {
	e2eSkipShort(t)
	// CI=true makes strata print the report instead of opening the browser:
	// clear it (and DIVE_CI) for the child.
	term := e2eStartTerminal(t, e2eEnv(t, "CI", "DIVE_CI", "NO_COLOR", "TERM=xterm-256color", "TMUX"))
	bin := e2eBinary(t)
	demo, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "demo", "demo.tar"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	shell := fmt.Sprintf("cd %q && env -u CI -u DIVE_CI %q %q; echo STRATA-EXIT=$?; sleep 600", work, bin, demo)
	term.open(t, "t", shell, 100, 30)
	expect := func(step string, want ...string) { t.Helper(); term.expect(t, "t", step, 15*time.Second, want...) }
	keys := func(k ...string) { t.Helper(); term.keys(t, "t", k...) }

	expect("first screen", "Layers (8)", "Layer 0 Contents", "├─ etc", "[Layer]", "File History")
	keys("j", "j", "j", "j")
	expect("layer 4 selected", "Layer 4 Contents", "COPY . /app")
	keys("Tab", "Tab", "U")
	expect("only the changes of layer 4", "+ └─ app", "hide unchanged", "main.py")
	keys("j", "j", "j", "j", "j", "j", "j", "j", "j", "j")
	expect("cursor on main.py", "/app/main.py", "File History · main.py", "L7  modified")
	keys("p")
	expect("preview of main.py", "/app/main.py · layer 4", "import requests")
	keys("Escape", "x")
	expect("extraction", "extracted /app/main.py to ./main.py")
	if b, err := os.ReadFile(filepath.Join(work, "main.py")); err != nil || !strings.Contains(string(b), "import requests") {
		t.Errorf("extracted main.py: %q, %v", b, err)
	}
	keys("?")
	expect("help", "Keys (? or esc to close", "File tree")
	keys("Escape", "Tab", "Tab", "a")
	expect("aggregated mode", "Aggregated Contents (layers 1–4)", "Layers · aggregated 1–4")
	keys("f")
	expect("findings", "[Findings")
	keys("Enter")
	expect("a finding opened in the tree", "Contents")
	keys("/")
	expect("filter", "Filter:")
	keys("Escape", "q")
	expect("exit", "STRATA-EXIT=0")
}
