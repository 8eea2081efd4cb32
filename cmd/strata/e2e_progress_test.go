package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/dustin/go-humanize"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// e2eReadingLine is one drawing of the progress bar while reading.
var e2eReadingLine = regexp.MustCompile(`^Reading \[[= ]+\] +(\d+)%  (.+?) / (.+?)(?:  (\d+)/(\d+) layers)?(?:  ETA \S+)? *$`)

// TestE2EDaemonProgress analyses the 1 GiB image of the Docker Engine and of
// Podman (through `podman image save`) with a terminal, and reads every
// drawing of the progress bar: the total is the size the daemon's
// inspection gives from the first drawing on and never changes, the bytes
// read, the percentage and the layers done never go backwards, and the
// reading is followed by the merging and the rules, in order.
func TestE2EDaemonProgress(t *testing.T) {
	e2eSkipShort(t)
	for _, tt := range daemonBombs() {
		t.Run(tt.name, func(t *testing.T) {
			ref, env, size := tt.prepare(t)
			out := e2eRunInTerminal(t, e2eEnv(t, env...), "analyze", "--format", "json", "-o", os.DevNull, ref)
			checkDrawnProgress(t, out, termtext.Bytes(size))
		})
	}
}

// checkDrawnProgress reads the progress bar's drawings (separated by
// carriage returns) and checks them against the total the daemon gave.
func checkDrawnProgress(t *testing.T, out, total string) {
	t.Helper()
	var phases []string
	var readings int
	var lastRead uint64
	lastPercent, lastDone, layers := -1, -1, 0
	for _, d := range strings.Split(strings.ReplaceAll(out, "\n", "\r"), "\r") {
		d = strings.TrimSpace(d)
		word, _, _ := strings.Cut(d, " ")
		switch word {
		case "Reading", "Merging", "Computing":
		default:
			continue
		}
		if len(phases) == 0 || phases[len(phases)-1] != word {
			phases = append(phases, word)
		}
		if word != "Reading" {
			continue
		}
		m := e2eReadingLine.FindStringSubmatch(d)
		if m == nil {
			t.Fatalf("drawing %q is not a progress bar", d)
		}
		readings++
		if m[3] != total {
			t.Errorf("drawing %d %q: total %s, want %s, the inspection's size", readings, d, m[3], total)
		}
		percent, _ := strconv.Atoi(m[1])
		read, err := humanize.ParseBytes(m[2])
		if err != nil {
			t.Fatalf("drawing %q: bytes read %q: %v", d, m[2], err)
		}
		if percent < lastPercent || read < lastRead {
			t.Errorf("drawing %d %q goes backwards (after %d%%, %s)", readings, d, lastPercent, humanize.Bytes(lastRead))
		}
		lastPercent, lastRead = percent, read
		if m[4] != "" {
			done, _ := strconv.Atoi(m[4])
			n, _ := strconv.Atoi(m[5])
			if done < lastDone || layers != 0 && n != layers {
				t.Errorf("drawing %d %q: layers done go backwards or their number changes (after %d/%d)", readings, d, lastDone, layers)
			}
			lastDone, layers = done, n
		}
	}
	if readings < 2 {
		t.Errorf("%d drawings of the reading, want several:\n%q", readings, e2eClip(out))
	}
	if want := []string{"Reading", "Merging", "Computing"}; strings.Join(phases, " ") != strings.Join(want, " ") {
		t.Errorf("phases drawn %v, want %v", phases, want)
	}
}

// e2eRunInTerminal runs strata with a pty as its terminal and returns what
// it wrote; it must exit 0.
func e2eRunInTerminal(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e2eBinary(t), args...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 120})
	if err != nil {
		t.Fatalf("starting strata in a pty: %v", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, f); err != nil && !errors.Is(err, syscall.EIO) {
		t.Errorf("reading the pty: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("strata %s: %v\n%s", strings.Join(args, " "), err, e2eClip(buf.String()))
	}
	return buf.String()
}

var (
	e2eLoadingTotal = regexp.MustCompile(`(\d+)%  (?:layer \d+ of \d+ done  )?(\d[\d.]* [kMGT]?B) / (\d[\d.]* [kMGT]?B)`)
	e2eLoadingLayer = regexp.MustCompile(`layer +0 \S+ +(\d[\d.]* [kMGT]?B) / (\d[\d.]* [kMGT]?B)`)
)

// TestE2EBrowserDaemonLoading opens the browser on the 1 GiB image of the
// Docker Engine and of Podman (through `podman image save`) in a real
// terminal and watches the loading screen: it shows the size the daemon's
// inspection gives from the first screen with bytes on, bytes and
// percentage that never go backwards, and, while the stream is read, the
// layer's own progress (Podman names the layer blob by its diffID, the
// Docker Engine by a v1 ID computed from it: its place is known as it
// arrives). The browser then opens, and quitting leaves TMPDIR empty.
func TestE2EBrowserDaemonLoading(t *testing.T) {
	e2eSkipShort(t)
	for _, tt := range daemonBombs() {
		t.Run(tt.name, func(t *testing.T) {
			ref, env, size := tt.prepare(t)
			checkBrowserLoading(t, e2eEnv(t, append(env, "CI", "DIVE_CI", "NO_COLOR", "TERM=xterm-256color", "TMUX")...), ref, termtext.Bytes(size))
		})
	}
}

// checkBrowserLoading runs the browser on ref and checks its loading
// screens against the total the daemon gave.
func checkBrowserLoading(t *testing.T, env []string, ref, total string) {
	t.Helper()
	term := e2eStartTerminal(t, env)
	tmp := t.TempDir()
	shell := fmt.Sprintf("env -u CI -u DIVE_CI TMPDIR=%q %q %q; echo STRATA-EXIT=$?; sleep 600", tmp, e2eBinary(t), ref)
	term.open(t, "load", shell, 100, 30)
	defer term.run("kill-session", "-t", "load")

	var lastRead uint64
	lastPercent, screens, layerRows := -1, 0, 0
	deadline := time.Now().Add(3 * time.Minute)
	for {
		screen := term.screen("load")
		if strings.Contains(screen, "Layers (1)") {
			break
		}
		if strings.Contains(screen, "STRATA-EXIT=") || time.Now().After(deadline) {
			t.Fatalf("the browser never opened:\n%s", screen)
		}
		if m := e2eLoadingTotal.FindStringSubmatch(screen); m != nil {
			screens++
			percent, _ := strconv.Atoi(m[1])
			read, err := humanize.ParseBytes(m[2])
			if err != nil {
				t.Fatalf("bytes read %q: %v", m[2], err)
			}
			if m[3] != total {
				t.Errorf("the loading screen says a total of %s, podman inspect %s:\n%s", m[3], total, screen)
			}
			if percent < lastPercent || read < lastRead {
				t.Errorf("the loading screen goes backwards (after %d%%, %s):\n%s", lastPercent, humanize.Bytes(lastRead), screen)
			}
			lastPercent, lastRead = percent, read
			if l := e2eLoadingLayer.FindStringSubmatch(screen); l != nil && l[1] != "0 B" && l[2] != "0 B" {
				layerRows++
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%d loading screens with bytes, %d with the layer's own progress", screens, layerRows)
	if layerRows == 0 {
		t.Errorf("no loading screen showed the layer's own progress while the stream was read")
	}
	term.keys(t, "load", "q")
	screen := term.expect(t, "load", "quitting", 10*time.Second, "STRATA-EXIT=")
	if !strings.Contains(screen, "STRATA-EXIT=0") {
		t.Errorf("exit after q:\n%s", screen)
	}
	e2eNoTempFiles(t, tmp)
}

// daemonBomb is the 1 GiB image in one daemon: prepare makes sure it is
// there and returns its reference, the environment that reaches the daemon
// and the size the daemon's inspection gives.
type daemonBomb struct {
	name    string
	prepare func(t *testing.T) (ref string, env []string, size int64)
}

// daemonBombs are the 1 GiB image in the Docker Engine and in Podman
// (through `podman image save`).
func daemonBombs() []daemonBomb {
	inspected := func(t *testing.T, out string, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		size, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
		if err != nil {
			t.Fatalf("the inspection's size %q: %v", out, err)
		}
		return size
	}
	return []daemonBomb{
		{"docker", func(t *testing.T) (string, []string, int64) {
			host := e2eDockerBomb(t)
			out, err := e2eDocker(host, t.TempDir(), "image", "inspect", "--format", "{{.Size}}", e2eBombTag)
			return "docker://" + e2eBombTag, []string{"DOCKER_HOST=" + host}, inspected(t, out, err)
		}},
		{"podman image save", func(t *testing.T) (string, []string, int64) {
			e2ePodmanBomb(t)
			out, err := e2eTool(e2eWithEnv(os.Environ(), "CONTAINER_HOST"), "podman", "image", "inspect", "--format", "{{.Size}}", "localhost/"+e2eBombTag)
			return "podman://localhost/" + e2eBombTag, nil, inspected(t, out, err)
		}},
	}
}
