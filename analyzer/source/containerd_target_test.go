package source

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolveContainerdTarget(t *testing.T) {
	rootless := t.TempDir()
	if err := os.MkdirAll(filepath.Join(rootless, "containerd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootless, "containerd", "containerd.sock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	type targetCase struct {
		name    string
		opts    Options
		env     map[string]string
		want    containerdTarget
		wantErr string
	}
	tests := []targetCase{
		{name: "flags win over the environment",
			opts: Options{ContainerdAddress: "/a.sock", ContainerdNamespace: "k8s.io"},
			env:  map[string]string{"CONTAINERD_ADDRESS": "/b.sock", "CONTAINERD_NAMESPACE": "moby"},
			want: containerdTarget{"/a.sock", "--containerd-address", "k8s.io", "--containerd-namespace"}},
		{name: "environment",
			env:  map[string]string{"CONTAINERD_ADDRESS": "unix:///b.sock", "CONTAINERD_NAMESPACE": "moby"},
			want: containerdTarget{"/b.sock", "CONTAINERD_ADDRESS", "moby", "CONTAINERD_NAMESPACE"}},
		{name: "unix URL", opts: Options{ContainerdAddress: "unix:///run/x.sock"},
			want: containerdTarget{"/run/x.sock", "--containerd-address", "default", "default"}},
		{name: "tcp is refused", opts: Options{ContainerdAddress: "tcp://127.0.0.1:1"},
			wantErr: `containerd address tcp://127.0.0.1:1 (from --containerd-address): unsupported scheme "tcp"`},
		{name: "bad namespace", opts: Options{ContainerdAddress: "/a.sock", ContainerdNamespace: "k8s..io"},
			wantErr: `containerd namespace "k8s..io" (from --containerd-namespace): empty label between dots`},
		{name: "namespace with a slash", opts: Options{ContainerdAddress: "/a.sock", ContainerdNamespace: "a/b"},
			wantErr: `containerd namespace "a/b" (from --containerd-namespace): character '/' not allowed`},
	}
	// The defaults depend on whether this machine has a system containerd.
	if !exists(defaultContainerdSocket) {
		tests = append(tests,
			targetCase{name: "rootless socket when the system one is absent",
				env:  map[string]string{"XDG_RUNTIME_DIR": rootless},
				want: containerdTarget{filepath.Join(rootless, "containerd", "containerd.sock"), "rootless default", "default", "default"}},
			targetCase{name: "system socket by default",
				want: containerdTarget{defaultContainerdSocket, "default", "default", "default"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"CONTAINERD_ADDRESS", "CONTAINERD_NAMESPACE", "XDG_RUNTIME_DIR"} {
				t.Setenv(k, tt.env[k])
			}
			got, err := resolveContainerdTarget(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(containerdTarget{})); diff != "" {
				t.Errorf("target (-want +got):\n%s", diff)
			}
		})
	}
}

// TestContainerdSocketErrors: every way the socket can fail is named with
// the socket, where its path came from, and the cause, as ErrUnavailable so
// that the automatic resolution passes on.
func TestContainerdSocketErrors(t *testing.T) {
	isolateEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	tests := []struct {
		name      string
		address   string
		fragments []string
	}{
		{"missing", filepath.Join(dir, "none.sock"), []string{"no containerd socket at " + filepath.Join(dir, "none.sock"),
			"(from --containerd-address)", "is containerd running?"}},
		{"not a socket", file, []string{"containerd address " + file + " (from --containerd-address) is not a unix socket"}},
		{"nothing listening", stale, []string{"cannot connect to containerd at " + stale + ": connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := "containerd://example.com/app:1"
			_, err := Open(context.Background(), ref, Options{ContainerdAddress: tt.address})
			wantError(t, err, ref, tt.fragments...)
			if !isUnavailable(err) {
				t.Errorf("error %v is not ErrUnavailable", err)
			}
		})
	}
}

func TestCheckNamespaceName(t *testing.T) {
	for _, ok := range []string{"default", "k8s.io", "moby", "buildkit", "a-b_c.d0"} {
		if err := checkNamespaceName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".a", "a.", "-a", "a b", "a/b", strings.Repeat("a", 77)} {
		if err := checkNamespaceName(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}
