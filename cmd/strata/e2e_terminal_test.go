package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// e2eTerminal is a private tmux server that runs the binary in real
// terminals: its own socket, its own environment, started in the foreground
// (no daemonizing needed) and stopped when the test ends, so nothing is left
// behind.
type e2eTerminal struct {
	tmux, sock string
	env        []string
}

// e2eStartTerminal starts the server with env, or skips when tmux is not
// installed. Tests that open the browser must clear CI and DIVE_CI in env:
// with them strata prints the report instead.
func e2eStartTerminal(t *testing.T, env []string) *e2eTerminal {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		e2eSkip(t, "tmux is not installed: the browser cannot be driven in a terminal (.ci/run installs it)")
	}
	x := &e2eTerminal{tmux: tmux, sock: filepath.Join(t.TempDir(), "tmux.sock"), env: env}
	server := exec.Command(tmux, "-S", x.sock, "-f", "/dev/null", "-D")
	server.Env = env
	if err := server.Start(); err != nil {
		t.Fatalf("starting tmux: %v", err)
	}
	t.Cleanup(func() {
		exec.Command(tmux, "-S", x.sock, "kill-server").Run()
		server.Process.Kill()
		server.Wait()
	})
	return x
}

// run runs one tmux command against the server.
func (x *e2eTerminal) run(args ...string) (string, error) {
	cmd := exec.Command(x.tmux, append([]string{"-S", x.sock}, args...)...)
	cmd.Env = x.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// open starts a session running shell in a width×height terminal, retrying
// while the server is still starting.
func (x *e2eTerminal) open(t *testing.T, session, shell string, width, height int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := x.run("new-session", "-d", "-s", session, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), shell)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tmux new-session: %v\n%s", err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screen returns what a session's terminal shows.
func (x *e2eTerminal) screen(session string) string {
	out, _ := x.run("capture-pane", "-p", "-t", session)
	return out
}

// expect waits up to timeout until the screen shows every want, and fails
// the test with the screen when it does not.
func (x *e2eTerminal) expect(t *testing.T, session, step string, timeout time.Duration, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		screen := x.screen(session)
		missing := ""
		for _, w := range want {
			if !strings.Contains(screen, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the screen lacks %q:\n%s", step, missing, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// typed sends text to a session in one write, as a terminal does with keys
// typed faster than the program reads them.
func (x *e2eTerminal) typed(t *testing.T, session, text string) {
	t.Helper()
	if out, err := x.run("send-keys", "-t", session, "-l", text); err != nil {
		t.Fatalf("tmux send-keys -l %s: %v\n%s", text, err, out)
	}
}

// keys types keys into a session, one at a time. After Escape it waits
// longer than the terminal reader's escape timeout (50 ms): a key following
// Escape sooner reads as that key with Alt, as in any terminal program.
func (x *e2eTerminal) keys(t *testing.T, session string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if out, err := x.run("send-keys", "-t", session, k); err != nil {
			t.Fatalf("tmux send-keys %s: %v\n%s", k, err, out)
		}
		if k == "Escape" {
			time.Sleep(150 * time.Millisecond)
		}
		time.Sleep(30 * time.Millisecond)
	}
}
