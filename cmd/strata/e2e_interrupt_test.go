package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stratascan/strata/fixtures"
)

// Ctrl-C at any moment must stop strata within one second, restore the
// terminal, and leave no temporary file and no child process. These tests
// start the binary in its own process group with its own TMPDIR, interrupt
// it while it spools from the daemon, while podman image save runs, while
// it walks a big layer, while it compares, and in the browser under tmux.

// e2eInterruptLimit is how long strata may take to exit after SIGINT.
const e2eInterruptLimit = time.Second

// e2eBombState holds the shared big archive: a 16 GiB layer of zeros
// stored in 16 MiB, long enough to walk (seconds) to be interrupted.
var e2eBombState struct {
	once         sync.Once
	archive, gz  string
	err          error
	dockerOnce   sync.Once
	dockerErr    error
	podmanOnce   sync.Once
	podmanErr    error
	importedSize int64
}

const e2eBombTag = "e2e/bomb:1"

// e2eContainerdBomb imports the big archive into the test containerd once.
var (
	e2eContainerdBomb    sync.Once
	e2eContainerdBombErr error
)

func e2eBomb(t *testing.T) (archive, rootfs string) {
	t.Helper()
	s := &e2eBombState
	s.once.Do(func() {
		s.archive = filepath.Join(e2e.tmp, "bomb.tar")
		if s.err = fixtures.WriteBombArchive(s.archive, e2eBombTag, 16<<30); s.err != nil {
			return
		}
		// A 1 GiB rootfs for the daemons: big enough that saving it takes a
		// while, small enough to import in seconds.
		open, _, err := fixtures.BombLayer(1 << 30)
		if err != nil {
			s.err = err
			return
		}
		s.gz = filepath.Join(e2e.tmp, "bomb-rootfs.tar.gz")
		f, err := os.Create(s.gz)
		if err != nil {
			s.err = err
			return
		}
		_, s.err = io.Copy(f, open())
		if err := f.Close(); s.err == nil {
			s.err = err
		}
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.archive, s.gz
}

// e2eLockedBuffer is a bytes.Buffer safe to read while a child writes it.
type e2eLockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *e2eLockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *e2eLockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// e2eChild is a strata process started for an interrupt test.
type e2eChild struct {
	cmd              *exec.Cmd
	tmp              string
	stdout, stderr   e2eLockedBuffer
	done             chan struct{}
	interruptedAfter time.Duration
}

// e2eStartStrata starts strata in its own process group with a TMPDIR of
// its own.
func e2eStartStrata(t *testing.T, env []string, args ...string) *e2eChild {
	t.Helper()
	c := &e2eChild{tmp: t.TempDir(), done: make(chan struct{})}
	c.cmd = exec.Command(e2eBinary(t), args...)
	c.cmd.Env = e2eWithEnv(env, "TMPDIR="+c.tmp)
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.done
		}
	})
	return c
}

// waitFor polls cond until it holds; the test fails if strata exits first
// or a minute passes.
func (c *e2eChild) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		select {
		case <-c.done:
			t.Fatalf("strata exited (%d) before %s\nstdout: %s\nstderr: %s", c.cmd.ProcessState.ExitCode(), what, e2eClip(c.stdout.String()), e2eClip(c.stderr.String()))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within a minute\nstderr: %s", what, e2eClip(c.stderr.String()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// interrupt sends SIGINT and checks the exit: within the limit, code 130,
// "interrupted" said, the TMPDIR empty, no process left in the group, and
// none of the children seen before the signal alive.
func (c *e2eChild) interrupt(t *testing.T) {
	t.Helper()
	pid := c.cmd.Process.Pid
	kids := e2eDescendants(pid)
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("strata still runs 10s after SIGINT\nstderr: %s", e2eClip(c.stderr.String()))
	}
	c.interruptedAfter = time.Since(start)
	t.Logf("exited %s after SIGINT (children then: %v)", c.interruptedAfter.Round(time.Millisecond), kids)
	if c.interruptedAfter > e2eInterruptLimit {
		t.Errorf("strata took %s to exit after SIGINT, want at most %s", c.interruptedAfter, e2eInterruptLimit)
	}
	if code := c.cmd.ProcessState.ExitCode(); code != exitAborted {
		t.Errorf("exit code %d, want %d\nstderr: %s", code, exitAborted, e2eClip(c.stderr.String()))
	}
	if !strings.Contains(c.stderr.String(), "strata: interrupted") {
		t.Errorf("stderr does not say it was interrupted:\n%s", e2eClip(c.stderr.String()))
	}
	e2eNoTempFiles(t, c.tmp)
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("processes are left in strata's process group %d (kill: %v)", pid, err)
	}
	for _, k := range kids {
		if e2eAlive(k) {
			t.Errorf("child process %d (%s) outlived strata", k, e2eComm(k))
		}
	}
}

// e2eNoTempFiles fails when dir holds anything.
func e2eNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	var left []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if p != dir && err == nil {
			left = append(left, strings.TrimPrefix(p, dir+"/"))
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("temporary files left in TMPDIR: %v", left)
	}
}

// e2eDescendants lists the processes below pid, from /proc.
func e2eDescendants(pid int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp := e2eParent(p); pp > 0 {
			parent[p] = pp
		}
	}
	var out []int
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// e2eParent reads the parent pid from /proc/PID/stat (0 when gone).
func e2eParent(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0
	}
	pp, _ := strconv.Atoi(f[1])
	return pp
}

// e2eAlive reports whether pid exists and is not a zombie.
func e2eAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] != 'Z'
}

func e2eComm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// TestE2EInterrupt interrupts strata in each long phase of loading and
// comparing.
func TestE2EInterrupt(t *testing.T) {
	e2eSkipShort(t)
	archive, _ := e2eBomb(t)

	t.Run("walking a big layer", func(t *testing.T) {
		c := e2eStartStrata(t, e2eEnv(t), "analyze", archive)
		c.waitFor(t, "the walk", func() bool { return strings.Contains(c.stderr.String(), "strata: loading") })
		time.Sleep(300 * time.Millisecond)
		c.interrupt(t)
	})

	t.Run("walking a big layer from containerd", func(t *testing.T) {
		sock := e2eContainerdSocket(t)
		e2eContainerdBomb.Do(func() {
			_, e2eContainerdBombErr = e2eTool(nil, "ctr", "--address", sock, "--namespace", e2eContainerdNS,
				"images", "import", "--no-unpack", archive)
		})
		if e2eContainerdBombErr != nil {
			t.Fatal(e2eContainerdBombErr)
		}
		c := e2eStartStrata(t, e2eEnv(t), append([]string{"analyze", "containerd://" + e2eBombTag},
			e2eContainerdArgs(sock, e2eContainerdNS)...)...)
		c.waitFor(t, "the walk", func() bool { return strings.Contains(c.stderr.String(), "strata: loading") })
		time.Sleep(300 * time.Millisecond)
		c.interrupt(t)
	})

	t.Run("comparing", func(t *testing.T) {
		c := e2eStartStrata(t, e2eEnv(t), "diff", archive, "docker-archive:"+archive)
		time.Sleep(700 * time.Millisecond)
		c.interrupt(t)
	})

	t.Run("docker save stream", func(t *testing.T) {
		host := e2eDockerBomb(t)
		c := e2eStartStrata(t, e2eEnv(t, "DOCKER_HOST="+host), "analyze", "docker://"+e2eBombTag)
		// The stream is analysed as it arrives: interrupt once the reading
		// has begun, with nothing spooled.
		c.waitFor(t, "the reading of the save stream", func() bool { return strings.Contains(c.stderr.String(), "strata: reading") })
		time.Sleep(300 * time.Millisecond)
		c.interrupt(t)
	})

	t.Run("podman image save stream", func(t *testing.T) {
		e2ePodmanBomb(t)
		c := e2eStartStrata(t, e2eEnv(t), "analyze", "podman://localhost/"+e2eBombTag)
		// The stream is analysed as it arrives: interrupt once the reading
		// has begun while podman runs, its own temporary files included.
		c.waitFor(t, "the reading of podman's save stream", func() bool {
			if !strings.Contains(c.stderr.String(), "strata: reading") {
				return false
			}
			for _, k := range e2eDescendants(c.cmd.Process.Pid) {
				if e2eComm(k) == "podman" {
					return true
				}
			}
			return false
		})
		time.Sleep(300 * time.Millisecond)
		c.interrupt(t)
	})
}

// e2ePodmanBomb imports the 1 GiB bomb rootfs into the isolated Podman
// storage once. It skips when strata would reach Podman through a system
// socket rather than run `podman image save`.
func e2ePodmanBomb(t *testing.T) {
	t.Helper()
	e2eNeedEnv(t, e2eVarPodman, "Podman")
	e2eNeedTool(t, "podman")
	if _, err := os.Stat("/run/podman/podman.sock"); err == nil {
		e2eSkip(t, "a system Podman socket exists (/run/podman/podman.sock): strata would use it, not `podman image save`")
	}
	_, rootfs := e2eBomb(t)
	s := &e2eBombState
	s.podmanOnce.Do(func() {
		_, s.podmanErr = e2eTool(e2eWithEnv(os.Environ(), "CONTAINER_HOST"), "podman", "import", rootfs, "localhost/"+e2eBombTag)
	})
	if s.podmanErr != nil {
		t.Fatal(s.podmanErr)
	}
}

// e2eExitedAt matches the time, in nanoseconds since the epoch, the shell
// printed once strata exited.
var e2eExitedAt = regexp.MustCompile(`STRATA-AT=(\d{19})`)

// TestE2EInterruptBrowserInTmux presses Ctrl-C in a real terminal while
// the browser loads a big image, while it browses, and while the comparison
// browser runs: strata must exit within a second, leave the alternate
// screen (the terminal restored) and leave TMPDIR empty.
func TestE2EInterruptBrowserInTmux(t *testing.T) {
	e2eSkipShort(t)
	term := e2eStartTerminal(t, e2eEnv(t, "CI", "DIVE_CI", "NO_COLOR", "TERM=xterm-256color", "TMUX"))
	run := term.run
	bin := e2eBinary(t)
	archive, _ := e2eBomb(t)
	demo, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "demo", "demo.tar"))
	if err != nil {
		t.Fatal(err)
	}

	for i, tc := range []struct {
		name, args, ready string
		wantCode          []string
		// prepare, when set, makes the image available or skips.
		prepare func(t *testing.T)
	}{
		{"while loading", fmt.Sprintf("%q", archive), "to cancel", []string{"130"}, nil},
		// Once the layer's row shows, podman writes its save stream, which
		// strata analyses and spools for the previews.
		{"while loading from podman image save", fmt.Sprintf("%q", "podman://localhost/"+e2eBombTag), "layer  0", []string{"130"}, e2ePodmanBomb},
		{"while browsing", fmt.Sprintf("%q", demo), "Layers (8)", []string{"130", "0"}, nil},
		{"in the comparison browser", fmt.Sprintf("diff %q %q", demo, "docker-archive:"+demo), "strata diff", []string{"130", "0"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prepare != nil {
				tc.prepare(t)
			}
			tmp := t.TempDir()
			session := fmt.Sprintf("s%d", i)
			// The shell says when strata exited: the time the screen takes
			// to be polled is not strata's.
			shell := fmt.Sprintf("env -u CI -u DIVE_CI TMPDIR=%q %q %s; echo STRATA-EXIT=$? STRATA-AT=$(date +%%s%%N); sleep 600", tmp, bin, tc.args)
			term.open(t, session, shell, 100, 30)
			defer run("kill-session", "-t", session)
			screen := ""
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(screen, tc.ready) {
				if time.Now().After(deadline) {
					t.Fatalf("the screen never showed %q:\n%s", tc.ready, screen)
				}
				time.Sleep(20 * time.Millisecond)
				screen = term.screen(session)
			}
			if alt, _ := run("display-message", "-p", "-t", session, "#{alternate_on}"); strings.TrimSpace(alt) != "1" {
				t.Errorf("the browser is not on the alternate screen (alternate_on=%q)", strings.TrimSpace(alt))
			}
			start := time.Now()
			if out, err := run("send-keys", "-t", session, "C-c"); err != nil {
				t.Fatalf("send-keys: %v\n%s", err, out)
			}
			for !strings.Contains(screen, "STRATA-EXIT=") {
				if time.Since(start) > 10*time.Second {
					t.Fatalf("strata did not exit within 10s of Ctrl-C:\n%s", screen)
				}
				time.Sleep(10 * time.Millisecond)
				screen = term.screen(session)
			}
			polled := time.Since(start)
			for !e2eExitedAt.MatchString(screen) && time.Since(start) < 10*time.Second {
				time.Sleep(10 * time.Millisecond)
				screen = term.screen(session)
			}
			m := e2eExitedAt.FindStringSubmatch(screen)
			if m == nil {
				t.Fatalf("the shell did not say when strata exited:\n%s", screen)
			}
			at, _ := strconv.ParseInt(m[1], 10, 64)
			elapsed := time.Unix(0, at).Sub(start)
			t.Logf("exited %s after Ctrl-C (seen on the screen after %s)", elapsed.Round(time.Millisecond), polled.Round(time.Millisecond))
			if elapsed > e2eInterruptLimit {
				t.Errorf("strata took %s to exit after Ctrl-C, want at most %s", elapsed, e2eInterruptLimit)
			}
			code := ""
			if i := strings.Index(screen, "STRATA-EXIT="); i >= 0 {
				code = strings.Fields(screen[i+len("STRATA-EXIT="):])[0]
			}
			t.Logf("exit code %s", code)
			ok := false
			for _, w := range tc.wantCode {
				ok = ok || code == w
			}
			if !ok {
				t.Errorf("exit code %s, want one of %v:\n%s", code, tc.wantCode, screen)
			}
			if alt, _ := run("display-message", "-p", "-t", session, "#{alternate_on}"); strings.TrimSpace(alt) != "0" {
				t.Errorf("the terminal was not restored: still on the alternate screen")
			}
			if strings.Contains(screen, "Opening the image") || strings.Contains(screen, "Layers (") {
				t.Errorf("the browser's screen is still shown after exit:\n%s", screen)
			}
			e2eNoTempFiles(t, tmp)
			// strata and whatever it started (podman) ran with this TMPDIR,
			// or one below it.
			for _, pid := range e2eProcsWithEnv("TMPDIR=" + tmp) {
				t.Errorf("process %d (%s) outlived strata", pid, e2eComm(pid))
			}
		})
	}
}

// e2eProcsWithEnv lists the live processes with an environment variable
// that starts with prefix.
func e2eProcsWithEnv(prefix string) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !e2eAlive(pid) {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(b, []byte{0}) {
			if bytes.HasPrefix(kv, []byte(prefix)) {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}
