package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/source"
)

// TestContainerdFlags: --source containerd and the containerd flags reach
// the source options.
func TestContainerdFlags(t *testing.T) {
	f := &loadFlags{source: "containerd", containerdAddress: "/run/k3s/containerd/containerd.sock", containerdNamespace: "k8s.io", quiet: true}
	o, err := f.options(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Source != source.Containerd || o.ContainerdAddress != "/run/k3s/containerd/containerd.sock" || o.ContainerdNamespace != "k8s.io" {
		t.Errorf("options %+v", o)
	}
}

// TestContainerdCompletions: the shell completions offer containerd among
// the sources and the usual namespaces, in every command that opens images.
func TestContainerdCompletions(t *testing.T) {
	for _, cmd := range [][]string{{"analyze"}, {"ci"}, {"diff"}, {}} {
		for _, c := range []struct {
			flag string
			want []string
		}{
			{"--source", []string{"docker", "podman", "containerd", "docker-archive", "oci", "oci-archive", "registry"}},
			{"--containerd-namespace", []string{"default", "k8s.io", "moby", "buildkit"}},
		} {
			var out bytes.Buffer
			args := append(append([]string{"__complete"}, cmd...), c.flag, "")
			if code := run(t.Context(), args, &out, io.Discard); code != 0 {
				t.Fatalf("strata %s: exit %d", strings.Join(args, " "), code)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if diff := cmp.Diff(c.want, lines[:len(lines)-1]); diff != "" {
				t.Errorf("strata %s (-want +got):\n%s", strings.Join(args, " "), diff)
			}
		}
	}
}
