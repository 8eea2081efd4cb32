package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseReference(t *testing.T) {
	dir := t.TempDir()
	tarPath := filepath.Join(dir, "img.tar")
	colonPath := filepath.Join(dir, "a:b.tar")
	atPath := filepath.Join(dir, "x@1.tar")
	layout := filepath.Join(dir, "layout")
	for _, p := range []string{tarPath, colonPath, atPath} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(layout, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.tar")

	tests := []struct {
		ref    string
		forced Kind
		want   Reference
	}{
		{"docker://alpine:3.20", "", Reference{Kind: Docker, Name: "alpine:3.20", Index: -1}},
		{"docker://alpine", "", Reference{Kind: Docker, Name: "alpine", Index: -1}},
		{"docker-daemon:alpine:3.20", "", Reference{Kind: Docker, Name: "alpine:3.20", Index: -1}},
		{"podman://localhost/app:1", "", Reference{Kind: Podman, Name: "localhost/app:1", Index: -1}},
		{"containerd://docker.io/library/nginx:1.27", "", Reference{Kind: Containerd, Name: "docker.io/library/nginx:1.27", Index: -1}},
		{"CONTAINERD://nginx", "", Reference{Kind: Containerd, Name: "nginx", Index: -1}},
		{"nginx:1.27", Containerd, Reference{Kind: Containerd, Name: "nginx:1.27", Index: -1}},
		{"registry://ghcr.io/org/app@sha256:" + hex64, "", Reference{Kind: Registry, Name: "ghcr.io/org/app@sha256:" + hex64, Index: -1}},
		{"registry://127.0.0.1:5000/app:1", "", Reference{Kind: Registry, Name: "127.0.0.1:5000/app:1", Index: -1}},
		{"docker-archive:" + tarPath, "", Reference{Kind: DockerArchive, Path: tarPath, Index: -1}},
		{"docker-archive://" + tarPath, "", Reference{Kind: DockerArchive, Path: tarPath, Index: -1}},
		{"docker-tar://" + tarPath, "", Reference{Kind: DockerArchive, Path: tarPath, Index: -1}},
		{"docker-archive:" + tarPath + ":app:1", "", Reference{Kind: DockerArchive, Path: tarPath, Tag: "app:1", Index: -1}},
		{"docker-archive:" + tarPath + "@2", "", Reference{Kind: DockerArchive, Path: tarPath, Index: 2}},
		{"docker-archive:" + colonPath, "", Reference{Kind: DockerArchive, Path: colonPath, Index: -1}},
		{"docker-archive:" + colonPath + ":app:latest", "", Reference{Kind: DockerArchive, Path: colonPath, Tag: "app:latest", Index: -1}},
		{"docker-archive:" + atPath, "", Reference{Kind: DockerArchive, Path: atPath, Index: -1}},
		{"docker-archive:" + missing, "", Reference{Kind: DockerArchive, Path: missing, Index: -1}},
		{"oci:" + layout, "", Reference{Kind: OCI, Path: layout, Index: -1}},
		{"oci:" + layout + ":v1", "", Reference{Kind: OCI, Path: layout, Tag: "v1", Index: -1}},
		{"oci://" + layout, "", Reference{Kind: OCI, Path: layout, Index: -1}},
		{"oci-archive:" + tarPath, "", Reference{Kind: OCIArchive, Path: tarPath, Index: -1}},
		{"oci-archive:" + tarPath + ":v2", "", Reference{Kind: OCIArchive, Path: tarPath, Tag: "v2", Index: -1}},
		{tarPath, "", Reference{Path: tarPath, Index: -1}},
		{layout, "", Reference{Path: layout, Index: -1}},
		{missing, "", Reference{Path: missing, Index: -1}},
		{"./nope.tar", "", Reference{Path: "./nope.tar", Index: -1}},
		{"alpine:3.20", "", Reference{Name: "alpine:3.20", Index: -1}},
		{"ghcr.io/org/app", "", Reference{Name: "ghcr.io/org/app", Index: -1}},
		{"alpine", Docker, Reference{Kind: Docker, Name: "alpine", Index: -1}},
		{"alpine", Registry, Reference{Kind: Registry, Name: "alpine", Index: -1}},
		{tarPath + ":app:1", DockerArchive, Reference{Kind: DockerArchive, Path: tarPath, Tag: "app:1", Index: -1}},
		{tarPath, "docker-tar", Reference{Kind: DockerArchive, Path: tarPath, Index: -1}},
		{"docker://alpine", Docker, Reference{Kind: Docker, Name: "alpine", Index: -1}},
	}
	for _, tt := range tests {
		got, err := ParseReference(tt.ref, tt.forced)
		if err != nil {
			t.Errorf("ParseReference(%q, %q): %v", tt.ref, tt.forced, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseReference(%q, %q) mismatch (-want +got):\n%s", tt.ref, tt.forced, diff)
		}
	}
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseReferenceErrors(t *testing.T) {
	tests := []struct {
		ref    string
		forced Kind
		want   string
	}{
		{"", "", "empty image reference"},
		{"docker://", "", "no image named"},
		{"docker://alpine", Registry, "conflicts"},
		{"alpine", "tarball", "unknown source"},
	}
	for _, tt := range tests {
		_, err := ParseReference(tt.ref, tt.forced)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseReference(%q, %q) = %v, want an error mentioning %q", tt.ref, tt.forced, err, tt.want)
		}
	}
}

func TestParsePlatform(t *testing.T) {
	for in, want := range map[string]string{
		"linux/amd64":    "linux/amd64",
		"linux/x86_64":   "linux/amd64",
		"Linux/AArch64":  "linux/arm64",
		"linux/arm/v7":   "linux/arm/v7",
		"linux/armhf":    "linux/arm/v7",
		"windows/amd64":  "windows/amd64",
		"linux/arm64/v8": "linux/arm64/v8",
		"linux/x86-64":   "linux/amd64",
		"linux/i686":     "linux/386",
		" linux/amd64 ":  "linux/amd64",
	} {
		got, err := ParsePlatform(in)
		if err != nil || got != want {
			t.Errorf("ParsePlatform(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "linux", "/amd64", "linux/", "a/b/c/d", "linux/amd 64", "linux/amd64/", "linux/-x", "linux/a\x1bb", "linux/amd64;rm", "linux/$(id)"} {
		if _, err := ParsePlatform(bad); err == nil {
			t.Errorf("ParsePlatform(%q) succeeded, want an error", bad)
		}
	}
	arm64, _ := parsePlatform("linux/arm64")
	v8, _ := parsePlatform("linux/arm64/v8")
	if !arm64.matches(v8) || !v8.matches(arm64) {
		t.Error("linux/arm64 should match linux/arm64/v8")
	}
	v7, _ := parsePlatform("linux/arm/v7")
	v6, _ := parsePlatform("linux/arm/v6")
	if v7.matches(v6) {
		t.Error("linux/arm/v7 should not match linux/arm/v6")
	}
}
