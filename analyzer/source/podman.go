package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// podmanSockets lists Podman API sockets to try, in order: $CONTAINER_HOST,
// the rootful socket, the rootless one. Default sockets that do not exist are
// left out.
func podmanSockets() []string {
	var out []string
	if h := os.Getenv("CONTAINER_HOST"); h != "" {
		out = append(out, h)
	}
	if p := "/run/podman/podman.sock"; exists(p) {
		out = append(out, "unix://"+p)
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if p := filepath.Join(d, "podman", "podman.sock"); exists(p) {
			out = append(out, "unix://"+p)
		}
	}
	return out
}

// podmanNames is the name as given and, for a short name, Podman's own
// spelling of locally built images (localhost/NAME).
func podmanNames(name string) []string {
	names := []string{name}
	if !strings.HasPrefix(name, "localhost/") && !strings.HasPrefix(name, "sha256:") && !isHexID(name) {
		first := strings.SplitN(name, "/", 2)[0]
		if !strings.ContainsAny(first, ".:") || !strings.Contains(name, "/") {
			names = append(names, "localhost/"+name)
		}
	}
	return names
}

func isHexID(s string) bool {
	if len(s) < 12 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// openPodman reads an image from Podman: through its API socket when one
// answers, else by running `podman image save`.
func openPodman(ctx context.Context, name string, opts Options) (*Image, error) {
	var tried []string
	for _, host := range podmanSockets() {
		e, err := newEngine(endpoint{Host: host}, "Podman API")
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		if err := e.ping(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			tried = append(tried, err.Error())
			continue
		}
		img, err := openFromEngine(ctx, e, podmanNames(name), opts)
		if err != nil {
			return nil, err
		}
		img.Source = Podman
		return img, nil
	}
	img, err := podmanSave(ctx, name, opts)
	if err != nil {
		if isUnavailable(err) && len(tried) > 0 {
			return nil, unavailable(nil, "%s; %s", strings.Join(tried, "; "), err)
		}
		return nil, err
	}
	img.Source = Podman
	return img, nil
}

// podmanSave runs `podman image save --format docker-archive` into a
// temporary directory and opens the archive. The command is killed when ctx
// ends. CONTAINER_HOST is dropped from its environment: it would make podman
// act as a remote client of the socket that did not answer.
func podmanSave(ctx context.Context, name string, opts Options) (*Image, error) {
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
	childEnv := env
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = childEnv
		// On cancellation, let podman clean up its temporary files, then
		// kill it if it lingers: the caller must stop within a second.
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 500 * time.Millisecond
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return strings.TrimSpace(stderr.String()), err
	}
	found := ""
	for _, n := range podmanNames(name) {
		msg, err := run("image", "exists", n)
		if err == nil {
			found = n
			break
		}
		var exit *exec.ExitError
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			return nil, unavailable(nil, "podman image exists %s failed: %s", n, firstLine(msg, err))
		}
	}
	if found == "" {
		return nil, notFoundf("image %s not found in Podman", name)
	}
	dir, err := os.MkdirTemp(opts.TempDir, "strata-podman-*")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary directory for the saved image: %w", err)
	}
	out := filepath.Join(dir, "image.tar")
	// podman's own temporary files go into dir too, so that removing dir
	// removes them even when podman is stopped before it cleans up.
	childEnv = append(env[:len(env):len(env)], "TMPDIR="+dir)
	if msg, err := run("image", "save", "--format", "docker-archive", "-o", out, found); err != nil {
		os.RemoveAll(dir)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("podman image save %s failed: %s", found, firstLine(msg, err))
	}
	img, err := openArchive(ctx, out, archivePick{index: -1, name: found}, DockerArchive, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	img.closers = append([]func() error{func() error { return os.RemoveAll(dir) }}, img.closers...)
	img.Name = found
	img.Source = Podman
	return img, nil
}

func firstLine(msg string, err error) string {
	if msg == "" {
		return err.Error()
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
