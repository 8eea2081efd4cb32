package source

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Where containerd is looked for when nothing names its socket.
const (
	defaultContainerdSocket    = "/run/containerd/containerd.sock"
	defaultContainerdNamespace = "default"
)

// containerdTarget is the socket and namespace a containerd image is read
// from, and where each came from (for messages).
type containerdTarget struct {
	socket, socketFrom       string
	namespace, namespaceFrom string
}

// where renders the target for messages: `namespace "k8s.io" of containerd
// at /run/containerd/containerd.sock`.
func (t containerdTarget) where() string {
	return fmt.Sprintf("namespace %q of containerd at %s", t.namespace, t.socket)
}

// resolveContainerdTarget picks the socket (--containerd-address, else
// CONTAINERD_ADDRESS, else /run/containerd/containerd.sock, else the
// rootless socket $XDG_RUNTIME_DIR/containerd/containerd.sock when only that
// one exists) and the namespace (--containerd-namespace, else
// CONTAINERD_NAMESPACE, else "default").
func resolveContainerdTarget(opts Options) (containerdTarget, error) {
	var t containerdTarget
	switch {
	case opts.ContainerdAddress != "":
		t.socket, t.socketFrom = opts.ContainerdAddress, "--containerd-address"
	case os.Getenv("CONTAINERD_ADDRESS") != "":
		t.socket, t.socketFrom = os.Getenv("CONTAINERD_ADDRESS"), "CONTAINERD_ADDRESS"
	default:
		t.socket, t.socketFrom = defaultContainerdSocket, "default"
		if !exists(defaultContainerdSocket) {
			if p := rootlessContainerdSocket(); p != "" && exists(p) {
				t.socket, t.socketFrom = p, "rootless default"
			}
		}
	}
	sock, err := socketPath(t.socket)
	if err != nil {
		return t, fmt.Errorf("containerd address %s (from %s): %w", t.socket, t.socketFrom, err)
	}
	t.socket = sock
	switch {
	case opts.ContainerdNamespace != "":
		t.namespace, t.namespaceFrom = opts.ContainerdNamespace, "--containerd-namespace"
	case os.Getenv("CONTAINERD_NAMESPACE") != "":
		t.namespace, t.namespaceFrom = os.Getenv("CONTAINERD_NAMESPACE"), "CONTAINERD_NAMESPACE"
	default:
		t.namespace, t.namespaceFrom = defaultContainerdNamespace, "default"
	}
	if err := checkNamespaceName(t.namespace); err != nil {
		return t, fmt.Errorf("containerd namespace %q (from %s): %w", t.namespace, t.namespaceFrom, err)
	}
	return t, nil
}

// rootlessContainerdSocket is where rootless containerd (nerdctl's
// containerd-rootless.sh) listens, or "" without XDG_RUNTIME_DIR.
func rootlessContainerdSocket() string {
	d := os.Getenv("XDG_RUNTIME_DIR")
	if d == "" {
		return ""
	}
	return filepath.Join(d, "containerd", "containerd.sock")
}

// socketPath accepts a socket path or a unix:// URL; containerd listens on
// nothing else on Linux.
func socketPath(addr string) (string, error) {
	if p, ok := strings.CutPrefix(addr, "unix://"); ok {
		addr = p
	} else if i := strings.Index(addr, "://"); i >= 0 {
		return "", fmt.Errorf("unsupported scheme %q: containerd listens on a unix socket (a path or unix:///path)", addr[:i])
	}
	if addr == "" {
		return "", errors.New("empty socket path")
	}
	return addr, nil
}

// checkNamespaceName applies containerd's rule for namespace names: labels
// of letters, digits, '_' and '-', separated by dots, starting with a letter
// or digit.
func checkNamespaceName(ns string) error {
	if len(ns) > 76 {
		return errors.New("longer than 76 characters")
	}
	for _, label := range strings.Split(ns, ".") {
		if label == "" {
			return errors.New("empty label between dots")
		}
		for i, c := range label {
			alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
			if !alnum && (i == 0 || (c != '_' && c != '-')) {
				return fmt.Errorf("character %q not allowed (letters, digits, '_', '-' and '.')", c)
			}
		}
	}
	return nil
}

// dialContainerd connects once to the socket to give a precise cause before
// any gRPC call: no socket, permission denied (with the sudo and rootless
// hints), nothing listening. Every failure is ErrUnavailable so that the
// automatic resolution passes on to the next source.
func dialContainerd(t containerdTarget) error {
	st, err := os.Stat(t.socket)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			hint := "is containerd running? name its socket with --containerd-address or CONTAINERD_ADDRESS"
			return unavailable(nil, "no containerd socket at %s (from %s): %s", t.socket, t.socketFrom, hint)
		}
		if errors.Is(err, os.ErrPermission) {
			return unavailable(nil, "containerd socket %s: permission denied: %s", t.socket, permissionHint())
		}
		return unavailable(err, "containerd socket %s", t.socket)
	}
	if st.Mode()&os.ModeSocket == 0 {
		return unavailable(nil, "containerd address %s (from %s) is not a unix socket", t.socket, t.socketFrom)
	}
	c, err := net.DialTimeout("unix", t.socket, dialTimeout)
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) && (errno == syscall.EACCES || errno == syscall.EPERM) {
			return unavailable(nil, "cannot connect to containerd at %s: permission denied: %s", t.socket, permissionHint())
		}
		return unavailable(nil, "cannot connect to containerd at %s: %s", t.socket, dialCause(err))
	}
	c.SetDeadline(time.Now())
	c.Close()
	return nil
}

// permissionHint says how to reach a root-owned containerd.
func permissionHint() string {
	hint := "its socket is usually root's: run strata with sudo"
	if p := rootlessContainerdSocket(); p != "" && exists(p) {
		return hint + ", or use the rootless containerd with --containerd-address " + p
	}
	return hint + ", or point --containerd-address at a rootless containerd's socket ($XDG_RUNTIME_DIR/containerd/containerd.sock)"
}
