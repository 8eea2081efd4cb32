package main

import (
	"archive/tar"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// e2eToolchainTag is the local image made from this machine's Go toolchain
// to stand in for the Dockerfile's build stage base (no registry here).
const e2eToolchainTag = "strata-e2e/go-toolchain:local"

// e2eToolchainRootfs writes a rootfs tar holding the Go toolchain of the
// running test (GOROOT, without its tests), busybox as /bin/sh and the few
// tools the build stage's RUN uses, and the CA bundle.
func e2eToolchainRootfs(t *testing.T, path string) {
	t.Helper()
	busybox := e2eNeedTool(t, "busybox")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	add := func(src, name string, info fs.FileInfo) {
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			t.Fatal(err)
		}
		hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = name, 0, 0, "", ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if hdr.Linkname, err = os.Readlink(src); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if info.Mode().IsRegular() {
			in, err := os.Open(src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.Copy(tw, in)
			in.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := func(name string, mode int64) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: mode}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"bin/", "etc/", "etc/ssl/", "etc/ssl/certs/", "usr/", "usr/local/", "src/"} {
		dir(d, 0o755)
	}
	dir("tmp/", 0o1777)
	bi, err := os.Stat(busybox)
	if err != nil {
		t.Fatal(err)
	}
	add(busybox, "bin/busybox", bi)
	for _, tool := range []string{"sh", "mkdir", "chmod", "cp"} {
		tw.WriteHeader(&tar.Header{Name: "bin/" + tool, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777})
	}
	if ci, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		add("/etc/ssl/certs/ca-certificates.crt", "etc/ssl/certs/ca-certificates.crt", ci)
	} else {
		tw.WriteHeader(&tar.Header{Name: "etc/ssl/certs/ca-certificates.crt", Typeflag: tar.TypeReg, Mode: 0o644})
	}
	// The Go toolchain the tests run with, as the go command reports it.
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	goroot := strings.TrimSpace(string(out))
	err = filepath.WalkDir(goroot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(goroot, p)
		if d.IsDir() && (rel == "test" || rel == "doc" || rel == "api" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		name := "usr/local/go"
		if rel != "." {
			name += "/" + filepath.ToSlash(rel)
		}
		if d.IsDir() {
			name += "/"
		}
		add(p, name, info)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// e2eBuildContext copies what the Dockerfile builds from (go.mod, go.sum,
// the packages' non-test files: Go sources and the assets they embed) into a
// temporary directory, with
// the modules vendored: the build container reaches no module proxy.
func e2eBuildContext(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "Dockerfile", ".dockerignore"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		e2eWriteFile(t, filepath.Join(ctx, f), b)
	}
	for _, top := range []string{"analyzer", "cmd", "ui"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			e2eWriteFile(t, filepath.Join(ctx, rel), b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "mod", "vendor", "-o", filepath.Join(ctx, "vendor"))
	cmd.Dir = ctx
	cmd.Env = e2eWithEnv(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	return ctx
}

// TestE2EDockerfile builds strata's own Dockerfile with the real daemon (the
// build stage from a local toolchain image) and analyses the image with
// strata: one small layer, 100% efficiency, no waste, and no finding above
// info.
func TestE2EDockerfile(t *testing.T) {
	e2eSkipShort(t)
	host := e2eNeedEnv(t, e2eVarDockerHost, "Docker Engine")
	e2eNeedTool(t, "docker")
	cfg := t.TempDir()

	rootfs := filepath.Join(t.TempDir(), "toolchain.tar")
	e2eToolchainRootfs(t, rootfs)
	if _, err := e2eDocker(host, cfg, "import", "--change", "ENV PATH=/usr/local/go/bin:/bin", rootfs, e2eToolchainTag); err != nil {
		t.Fatal(err)
	}
	os.Remove(rootfs)
	ctx := e2eBuildContext(t)
	const tag = "e2e/strata:1.0.0"
	// The build compiles strata and every dependency with an empty build
	// cache inside the container: minutes on two cores, not seconds.
	if _, err := e2eDockerWithin(e2eBuildTimeout, host, cfg, "build", "--network", "none",
		"--build-arg", "BUILD_IMAGE="+e2eToolchainTag,
		"--build-arg", "GOFLAGS=-mod=vendor -buildvcs=false",
		"--build-arg", "VERSION=1.0.0", "--build-arg", "COMMIT=e2e", "--build-arg", "DATE=2026-01-01T00:00:00Z",
		"-t", tag, ctx); err != nil {
		t.Fatal(err)
	}
	out, err := e2eDocker(host, cfg, "run", "--rm", "--network", "none", tag, "version")
	if err != nil || !strings.Contains(out, "strata 1.0.0") || !strings.Contains(out, "commit: e2e") {
		t.Errorf("docker run %s version: %q, %v", tag, out, err)
	}

	b := e2eAnalyzeJSON(t, e2eEnv(t, "DOCKER_HOST="+host), "docker://"+tag)
	doc := e2eDecode(t, b)
	if doc.Summary.Efficiency != 1 || doc.Summary.WastedBytes != 0 {
		t.Errorf("efficiency %v, wasted %d; want 100%%, 0", doc.Summary.Efficiency, doc.Summary.WastedBytes)
	}
	if len(doc.Layers) != 1 {
		t.Errorf("%d layers, want 1 (the binary, /tmp and the CA bundle)", len(doc.Layers))
	}
	var extra struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Title    string `json:"title"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(b, &extra); err != nil {
		t.Fatal(err)
	}
	for _, f := range extra.Findings {
		t.Logf("finding: %s (%s) %s", f.Rule, f.Severity, f.Title)
		if f.Severity != "info" {
			t.Errorf("finding %s is %s, want nothing above info", f.Rule, f.Severity)
		}
	}
	inspect, err := e2eDocker(host, cfg, "image", "inspect", "--format", "{{.Config.User}} {{index .Config.Labels \"org.opencontainers.image.version\"}} {{json .Config.Entrypoint}}", tag)
	if err != nil || strings.TrimSpace(inspect) != `65532:65532 1.0.0 ["/strata"]` {
		t.Errorf("image config: %q, %v", inspect, err)
	}
}
