package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// e2eDockerBomb imports the 1 GiB bomb rootfs into the test Docker Engine
// once and returns the engine's host.
func e2eDockerBomb(t *testing.T) string {
	t.Helper()
	host := e2eNeedEnv(t, e2eVarDockerHost, "Docker Engine")
	_, rootfs := e2eBomb(t)
	s := &e2eBombState
	s.dockerOnce.Do(func() {
		_, s.dockerErr = e2eDocker(host, t.TempDir(), "import", rootfs, e2eBombTag)
	})
	if s.dockerErr != nil {
		t.Fatal(s.dockerErr)
	}
	return host
}

// e2eTmpfs mounts a tmpfs of size bytes on a new directory.
func e2eTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Fatalf("mounting a %s tmpfs on %s (the test needs root): %v", size, dir, err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// TestE2EDockerStreamNoSpool analyses a 1 GiB image of the real Docker
// Engine with TMPDIR on a 64 MB tmpfs: the save stream is analysed as it
// arrives and nothing is written, and the report is the one of the
// docker-archive `docker save` writes of the same image. Without a
// terminal, the progress is one line per phase, in order, the first with
// the size the daemon reported.
func TestE2EDockerStreamNoSpool(t *testing.T) {
	e2eSkipShort(t)
	host := e2eDockerBomb(t)
	tmp := e2eTmpfs(t, "64m")
	env := e2eEnv(t, "DOCKER_HOST="+host, "TMPDIR="+tmp)
	out := filepath.Join(t.TempDir(), "stream.json")
	r := e2eStrata(t, env, "analyze", "--format", "json", "-o", out, "docker://"+e2eBombTag)
	if r.code != 0 {
		t.Fatalf("strata analyze docker://%s with a 64 MB TMPDIR: want exit 0\n%s", e2eBombTag, r)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the analysis wrote into TMPDIR: %v", left)
	}
	checkStreamPhases(t, r.stderr)
	if !strings.Contains(r.stderr, "strata: reading 1.1 GB\n") {
		t.Errorf("the reading line does not give the size the daemon reported:\n%s", r.stderr)
	}

	archive := filepath.Join(t.TempDir(), "saved.tar")
	if _, err := e2eDocker(host, t.TempDir(), "save", "-o", archive, e2eBombTag); err != nil {
		t.Fatal(err)
	}
	checkSameAsArchive(t, out, archive, "docker://")
}

// TestE2EPodmanStreamNoSpool analyses the 1 GiB image through `podman
// image save` (no Podman socket in the environment) with TMPDIR on a 64 MB
// tmpfs: podman's output is analysed as it arrives and strata writes
// nothing, and the report is the one of the docker-archive podman writes of
// the same image. podman itself copies each layer into a temporary file
// before writing it: --tmp-dir gives it a tmpfs with room for that copy and
// not for a second copy of the image, and is left empty. The progress says
// from the start the size podman inspect gives.
func TestE2EPodmanStreamNoSpool(t *testing.T) {
	e2eSkipShort(t)
	e2ePodmanBomb(t)
	tmp := e2eTmpfs(t, "64m")
	podmanTmp := e2eTmpfs(t, "1536m")
	env := e2eEnv(t, "TMPDIR="+tmp)
	ref := "podman://localhost/" + e2eBombTag
	out := filepath.Join(t.TempDir(), "stream.json")
	r := e2eStrata(t, env, "analyze", "--format", "json", "-o", out, "--tmp-dir", podmanTmp, ref)
	if r.code != 0 {
		t.Fatalf("strata analyze %s with a 64 MB TMPDIR: want exit 0\n%s", ref, r)
	}
	for _, dir := range []string{tmp, podmanTmp} {
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Errorf("the analysis left files in %s: %v", dir, left)
		}
	}
	checkStreamPhases(t, r.stderr)
	inspect, err := e2eTool(e2eWithEnv(os.Environ(), "CONTAINER_HOST"), "podman", "image", "inspect", "--format", "{{.Size}}", "localhost/"+e2eBombTag)
	if err != nil {
		t.Fatal(err)
	}
	size, err := strconv.ParseInt(strings.TrimSpace(inspect), 10, 64)
	if err != nil {
		t.Fatalf("podman image inspect: size %q: %v", inspect, err)
	}
	if want := "strata: reading " + termtext.Bytes(size) + "\n"; !strings.Contains(r.stderr, want) {
		t.Errorf("the reading line does not give the size podman reported (%q):\n%s", want, r.stderr)
	}

	archive := filepath.Join(t.TempDir(), "saved.tar")
	if _, err := e2eTool(e2eWithEnv(os.Environ(), "CONTAINER_HOST"), "podman", "image", "save", "--format", "docker-archive", "-o", archive, "localhost/"+e2eBombTag); err != nil {
		t.Fatal(err)
	}
	checkSameAsArchive(t, out, archive, "podman://")
}

// TestE2EPodmanCommandErrors asks `podman image save` (no Podman socket in
// the environment) for what it cannot give: each command exits 2 with a
// message that names the image and says why, and leaves TMPDIR empty and
// no podman running (diff stops the save of the image it found).
func TestE2EPodmanCommandErrors(t *testing.T) {
	e2eSkipShort(t)
	e2ePodmanBomb(t)
	const missing = "podman://localhost/strata-e2e/missing:1"
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"image not found", nil, []string{"analyze", missing}, "image localhost/strata-e2e/missing:1 not found in Podman"},
		{"image not found, ci", nil, []string{"ci", missing}, "image localhost/strata-e2e/missing:1 not found in Podman"},
		{"image not found, diff", nil, []string{"diff", "podman://localhost/" + e2eBombTag, missing}, "image localhost/strata-e2e/missing:1 not found in Podman"},
		{"podman not installed", []string{"PATH=" + t.TempDir()}, []string{"analyze", missing}, "no Podman API socket answers and podman is not installed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			r := e2eStrata(t, e2eEnv(t, append(tt.env, "TMPDIR="+tmp)...), tt.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, r)
			}
			if !strings.Contains(r.stderr, missing+": "+tt.want) {
				t.Errorf("stderr does not say %q after the image's name:\n%s", tt.want, r.stderr)
			}
			e2eNoTempFiles(t, tmp)
			for _, pid := range e2eProcsWithEnv("TMPDIR=" + tmp) {
				t.Errorf("process %d (%s) outlived strata", pid, e2eComm(pid))
			}
		})
	}
}

// e2eWithoutOrigin decodes a JSON report without the fields that say how the
// image was reached (reference, source).
func e2eWithoutOrigin(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	img, _ := m["image"].(map[string]any)
	delete(img, "reference")
	delete(img, "source")
	return m
}

// checkStreamPhases checks the progress lines of an analysis without a
// terminal: one line per phase, in order.
func checkStreamPhases(t *testing.T, stderr string) {
	t.Helper()
	var phases []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		word, _, _ := strings.Cut(strings.TrimPrefix(line, "strata: "), " ")
		phases = append(phases, word)
	}
	if diff := cmp.Diff([]string{"loading", "reading", "merging", "computing", "analysed"}, phases); diff != "" {
		t.Errorf("progress lines (-want +got):\n%s\n%s", diff, stderr)
	}
}

// checkSameAsArchive compares the JSON report at out, of an image read as
// a stream from what, with the report of the docker-archive the daemon
// saved of the same image, apart from where each came from.
func checkSameAsArchive(t *testing.T, out, archive, what string) {
	t.Helper()
	want := e2eAnalyzeJSON(t, e2eEnv(t), "docker-archive:"+archive)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e2eWithoutOrigin(t, want), e2eWithoutOrigin(t, got)); diff != "" {
		t.Errorf("%s report differs from the docker-archive one (-archive +stream):\n%s", what, diff)
	}
}
