package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// podmanStopGrace is how long podman may take to exit on SIGTERM before its
// process group is killed: an interrupted strata must be gone within a
// second.
const podmanStopGrace = 100 * time.Millisecond

// podmanCLI reaches Podman through its command, for when no Podman API
// socket answers: `podman image inspect` finds the image and its size,
// `podman image save` writes the docker-archive to a pipe that is read as
// it arrives.
type podmanCLI struct {
	bin string
	// env is strata's environment without CONTAINER_HOST, which would make
	// podman a remote client of the socket that did not answer.
	env []string
	// tempDir is where the directory podman keeps its temporary files in
	// (its save pipe, and the copy of each layer it makes before writing
	// it) is created; empty means os.TempDir().
	tempDir string
}

func newPodmanCLI(opts Options) (*podmanCLI, error) {
	bin, err := exec.LookPath("podman")
	if err != nil {
		return nil, unavailable(nil, "no Podman API socket answers and podman is not installed")
	}
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONTAINER_HOST=") {
			env = append(env, kv)
		}
	}
	return &podmanCLI{bin: bin, env: env, tempDir: opts.TempDir}, nil
}

func (p *podmanCLI) label() string { return "podman command" }

// command prepares podman in a process group of its own, so that stopping
// it stops whatever it started, and so that a terminal's Ctrl-C reaches
// strata alone, which then stops podman.
func (p *podmanCLI) command(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(p.bin, args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Whatever podman left behind holding its stderr must not hold strata.
	cmd.WaitDelay = 500 * time.Millisecond
	return cmd
}

// run runs a short podman command and returns its stdout and the first
// line of its stderr. It is stopped when ctx ends.
func (p *podmanCLI) run(ctx context.Context, args ...string) (stdout []byte, msg string, err error) {
	cmd := p.command(p.env, args...)
	var out bytes.Buffer
	stderr := &limitedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = &limitedBuffer{max: maxJSON, buf: &out}, stderr
	if err := cmd.Start(); err != nil {
		return nil, "", unavailable(err, "starting podman")
	}
	g := newProcessGroup(cmd)
	stop := context.AfterFunc(ctx, g.stop)
	defer stop()
	err = g.wait()
	if ctx.Err() != nil {
		return nil, "", ctx.Err()
	}
	return out.Bytes(), podmanMessage(stderr.String(), err), err
}

// find inspects the first of names Podman has and checks its platform.
func (p *podmanCLI) find(ctx context.Context, names []string, opts Options) (*engineImage, string, error) {
	for _, name := range names {
		out, msg, err := p.run(ctx, "image", "inspect", name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, "", ctx.Err()
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) && (strings.Contains(msg, "image not known") || strings.Contains(msg, "no such image")) {
				continue
			}
			return nil, "", unavailable(nil, "podman image inspect %s failed: %s", name, msg)
		}
		var infos []engineImage
		if err := json.Unmarshal(out, &infos); err != nil || len(infos) != 1 {
			return nil, "", fmt.Errorf("podman image inspect %s: unexpected output: %s", name, firstLine(strings.TrimSpace(string(out)), err))
		}
		info := &infos[0]
		if info.ID != "" && !strings.Contains(info.ID, ":") {
			info.ID = "sha256:" + info.ID
		}
		if err := checkEnginePlatform(info, name, "Podman", opts); err != nil {
			return nil, "", err
		}
		return info, name, nil
	}
	return nil, "", notFoundf("image %s not found in Podman", names[0])
}

// saveStream starts `podman image save --format docker-archive NAME` with
// its output on a pipe. Reading it gives podman's error (its stderr) in
// place of the end of the stream when podman fails. podman keeps its
// temporary files in a directory of its own, removed by Close, which stops
// podman first if it still runs; podman is stopped too when ctx ends.
func (p *podmanCLI) saveStream(ctx context.Context, name string) (io.ReadCloser, error) {
	dir, err := os.MkdirTemp(p.tempDir, "strata-podman-*")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary directory for podman: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("creating a pipe for podman image save: %w", err)
	}
	cmd := p.command(append(p.env[:len(p.env):len(p.env)], "TMPDIR="+dir), "image", "save", "--format", "docker-archive", name)
	s := &podmanStream{ctx: ctx, name: name, dir: dir, r: r, stderr: &limitedBuffer{max: 64 << 10}}
	cmd.Stdout, cmd.Stderr = w, s.stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		os.RemoveAll(dir)
		return nil, unavailable(err, "starting podman image save %s", name)
	}
	s.group = newProcessGroup(cmd)
	s.stopOnDone = context.AfterFunc(ctx, s.group.stop)
	return s, nil
}

// podmanMessage is what podman said about its failure: its "Error: " line,
// else its last line (warnings come first), else how it exited.
func podmanMessage(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "Error: ") {
			return strings.TrimSpace(l)
		}
	}
	return firstLine(strings.TrimSpace(lines[len(lines)-1]), err)
}

// podmanStream is the output of a running `podman image save`.
type podmanStream struct {
	ctx        context.Context
	name, dir  string
	r          *os.File
	stderr     *limitedBuffer
	group      *processGroup
	stopOnDone func() bool
	closeOnce  sync.Once
	closeErr   error
}

// Read reads podman's output; at its end, it waits for podman and returns
// its failure (or ctx's error when it was stopped) instead of io.EOF.
func (s *podmanStream) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if !errors.Is(err, io.EOF) {
		return n, err
	}
	if werr := s.group.wait(); werr != nil {
		if s.ctx.Err() != nil {
			return n, s.ctx.Err()
		}
		return n, fmt.Errorf("podman image save %s failed: %s", s.name, podmanMessage(s.stderr.String(), werr))
	}
	return n, io.EOF
}

// Close stops podman if it still runs, waits for it and removes its
// temporary files.
func (s *podmanStream) Close() error {
	s.closeOnce.Do(func() {
		s.stopOnDone()
		s.r.Close() // a podman still writing gets EPIPE
		s.group.stop()
		s.closeErr = os.RemoveAll(s.dir)
	})
	return s.closeErr
}

// processGroup is a started command that leads its own process group.
type processGroup struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
	once   sync.Once
}

func newProcessGroup(cmd *exec.Cmd) *processGroup {
	g := &processGroup{cmd: cmd, exited: make(chan struct{})}
	go func() {
		g.err = cmd.Wait()
		close(g.exited)
	}()
	return g
}

// wait waits for the command to exit and returns how it did.
func (g *processGroup) wait() error {
	<-g.exited
	return g.err
}

// stop asks a group still running to terminate, kills it if it has not
// within podmanStopGrace (killing the whole group in any case, so that
// nothing it started outlives it), and returns once the leader has exited.
func (g *processGroup) stop() {
	g.once.Do(func() {
		select {
		case <-g.exited:
			return // done on its own
		default:
		}
		pid := g.cmd.Process.Pid
		syscall.Kill(-pid, syscall.SIGTERM)
		select {
		case <-g.exited:
		case <-time.After(podmanStopGrace):
		}
		syscall.Kill(-pid, syscall.SIGKILL)
		<-g.exited
	})
	<-g.exited
}

// limitedBuffer keeps the first max bytes written to it and discards the
// rest, so that a chatty child cannot fill memory. It is safe for
// concurrent use.
type limitedBuffer struct {
	mu  sync.Mutex
	max int
	buf *bytes.Buffer
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		b.buf = &bytes.Buffer{}
	}
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return ""
	}
	return b.buf.String()
}
