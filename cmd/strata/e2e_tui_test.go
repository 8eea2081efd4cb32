package main

import (
	"fmt"
	"os"
	"os/exec"
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
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		e2eSkip(t, "tmux is not installed: the browser cannot be driven in a terminal (.ci/run installs it)")
	}
	bin := e2eBinary(t)
	demo, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "demo", "demo.tar"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	// CI=true makes strata print the report instead of opening the browser:
	// clear it (and DIVE_CI) for the child.
	env := e2eEnv(t, "CI", "DIVE_CI", "NO_COLOR", "TERM=xterm-256color", "TMUX")

	// A server in the foreground, stopped at the end, so that nothing is
	// left behind and no daemonizing is needed.
	server := exec.Command(tmux, "-S", sock, "-f", "/dev/null", "-D")
	server.Env = env
	if err := server.Start(); err != nil {
		t.Fatalf("starting tmux: %v", err)
	}
	t.Cleanup(func() {
		exec.Command(tmux, "-S", sock, "kill-server").Run()
		server.Process.Kill()
		server.Wait()
	})
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(tmux, append([]string{"-S", sock}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	var started bool
	for i := 0; i < 50 && !started; i++ {
		cmd := exec.Command(tmux, "-S", sock, "has-session")
		cmd.Env = env
		// has-session fails with "no sessions" once the server answers.
		if out, _ := cmd.CombinedOutput(); strings.Contains(string(out), "no server") || len(out) == 0 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		started = true
	}
	shell := fmt.Sprintf("cd %q && env -u CI -u DIVE_CI %q %q; echo STRATA-EXIT=$?; sleep 600", work, bin, demo)
	run("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", shell)

	screen := ""
	expect := func(step string, want ...string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			screen = run("capture-pane", "-p", "-t", "t")
			missing := ""
			for _, w := range want {
				if !strings.Contains(screen, w) {
					missing = w
					break
				}
			}
			if missing == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the screen lacks %q:\n%s", step, missing, screen)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	keys := func(k ...string) {
		t.Helper()
		for _, key := range k {
			run("send-keys", "-t", "t", key)
			time.Sleep(30 * time.Millisecond)
		}
	}

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
