package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyCases are the arguments each command other than the browser runs with
// under a terminal that never answers. Every command of the tree must have
// one: a new command is added here.
func ptyCases(t *testing.T) map[string][][]string {
	demo, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "demo", "demo.tar"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dockerfile := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(dockerfile, []byte("FROM scratch\nCOPY . /\nCMD /app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string][][]string{
		"":           {{"--help"}},
		"version":    {{"version"}},
		"help":       {{"help"}, {"help", "analyze"}},
		"analyze":    {{"analyze", demo}, {"analyze", "--format", "json", demo}, {"analyze", filepath.Join(dir, "missing.tar")}},
		"ci":         {{"ci", demo}},
		"diff":       {{"diff", "--format", "text", demo, demo}},
		"extract":    {{"extract", demo, "/app", "-C", dir}},
		"man":        {{"man", filepath.Join(dir, "man")}},
		"fix":        {{"fix", demo, "--dockerfile", dockerfile}},
		"completion": {{"completion", "bash"}},
	}
}

// queryOrMode matches every escape sequence but colours and line erasing
// (CSI … m, CSI … K): terminal queries (OSC 11 ?, CSI 6n, CSI c, DECRQM,
// XTGETTCAP…), mode switches, the alternate screen.
var queryOrMode = regexp.MustCompile(`\x1b(?:\[[0-9;:?<=>]*[ -/]*[^mK0-9;:?<=>\x20-\x2f]|[^\[])`)

// TestE2ENoTerminalQuery runs every command but the browser in a terminal
// that never answers: none may query it (an unanswered query stalls a
// command for seconds, and its escape sequence shows up in the output of
// `script`, ssh -tt sessions and CI runners with a pty), and a command that
// asks nothing returns at once.
func TestE2ENoTerminalQuery(t *testing.T) {
	e2eSkipShort(t)
	bin := e2eBinary(t)
	cases := ptyCases(t)
	seen := map[string]bool{"": true, "help": true, "completion": true} // cobra adds these two when run
	for _, c := range newRootCmd(io.Discard, io.Discard).Commands() {
		name := c.Name()
		seen[name] = true
		if _, ok := cases[name]; !ok {
			t.Errorf("command %q has no case in ptyCases: add the arguments it runs with", name)
		}
	}
	for name := range cases {
		if !seen[name] {
			t.Errorf("ptyCases has a case for %q, which is not a command", name)
		}
	}
	env := e2eWithEnv(os.Environ(), "CI=", "DIVE_CI=", "TERM=xterm-256color", "COLORTERM=truecolor")
	for name, runs := range cases {
		for _, args := range runs {
			t.Run(strings.Join(append([]string{name}, args...), " "), func(t *testing.T) {
				out, took := runInPty(t, bin, env, args)
				if loc := queryOrMode.FindIndex(out); loc != nil {
					t.Errorf("strata %s wrote the escape sequence %q to the terminal:\n%q",
						strings.Join(args, " "), out[loc[0]:loc[1]], e2eClip(string(out)))
				}
				// The quick commands are held to what a user feels as
				// instant; the others to well below an unanswered query's
				// timeout (5 s).
				limit := 3 * time.Second
				if name == "" || name == "version" || name == "help" || name == "completion" {
					limit = 300 * time.Millisecond
				}
				if took > limit {
					t.Errorf("strata %s took %s in a terminal that never answers, want < %s",
						strings.Join(args, " "), took.Round(time.Millisecond), limit)
				}
			})
		}
	}
}

// runInPty runs the binary with a pty as its terminal (stdin, stdout and
// stderr) that nobody answers, and returns what it wrote and how long it
// ran. The quickest of three runs is kept, so that a busy machine does not
// pass for a stall.
func runInPty(t *testing.T, bin string, env, args []string) ([]byte, time.Duration) {
	t.Helper()
	var out []byte
	best := time.Duration(-1)
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		cmd.Dir = t.TempDir()
		start := time.Now()
		f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
		if err != nil {
			cancel()
			t.Fatalf("starting strata in a pty: %v", err)
		}
		var buf bytes.Buffer
		_, err = io.Copy(&buf, f) // ends with EIO once the child has exited
		if err != nil && !errors.Is(err, syscall.EIO) {
			t.Errorf("reading the pty: %v", err)
		}
		cmd.Wait()
		took := time.Since(start)
		f.Close()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Fatalf("strata %s did not return in 30s:\n%q", strings.Join(args, " "), e2eClip(buf.String()))
		}
		out = append(out, buf.Bytes()...)
		if best < 0 || took < best {
			best = took
		}
	}
	return out, best
}
