package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkDockerStream analyses an image of a real Docker Engine as its
// save stream arrives, against `docker save IMAGE > /dev/null` (the floor:
// the daemon cannot hand the image over faster), alternating the two:
//
//	STRATA_BENCH_DOCKER_IMAGE=IMAGE go test -run '^$' -bench DockerStream -benchtime 3x ./cmd/strata/
//
// IMAGE is any image of the Engine at $DOCKER_HOST (≥ 700 MB for the
// documented target: x-save ≤ 1.15).
func BenchmarkDockerStream(b *testing.B) {
	image := os.Getenv("STRATA_BENCH_DOCKER_IMAGE")
	if image == "" || os.Getenv("DOCKER_HOST") == "" {
		b.Skip("set STRATA_BENCH_DOCKER_IMAGE and DOCKER_HOST")
	}
	benchSaveStream(b, os.Environ(), `docker save "$0" > /dev/null`, "docker://"+image, image)
}

// BenchmarkPodmanStream is BenchmarkDockerStream for `podman image save`:
// with no Podman socket in the environment, strata runs podman and analyses
// its output as it arrives, against `podman image save IMAGE > /dev/null`:
//
//	STRATA_BENCH_PODMAN_IMAGE=IMAGE go test -run '^$' -bench PodmanStream -benchtime 3x ./cmd/strata/
//
// IMAGE is any image of the Podman storage the environment selects
// (CONTAINERS_STORAGE_CONF).
func BenchmarkPodmanStream(b *testing.B) {
	image := os.Getenv("STRATA_BENCH_PODMAN_IMAGE")
	if image == "" {
		b.Skip("set STRATA_BENCH_PODMAN_IMAGE")
	}
	if _, err := os.Stat("/run/podman/podman.sock"); err == nil {
		b.Skip("a system Podman socket exists: strata would use it, not `podman image save`")
	}
	env := e2eWithEnv(os.Environ(), "CONTAINER_HOST", "XDG_RUNTIME_DIR")
	benchSaveStream(b, env, `podman image save --format docker-archive "$0" > /dev/null`, "podman://"+image, image)
}

// benchSaveStream times the save command (the floor) and the analysis of
// ref, alternating, and reports both and their ratio x-save.
func benchSaveStream(b *testing.B, env []string, save, ref, image string) {
	bin := filepath.Join(b.TempDir(), "strata")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("building strata: %v\n%s", err, out)
	}
	run := func(name string, args ...string) time.Duration {
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Env = nil, env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", name, err, out)
		}
		return time.Since(start)
	}
	var saveT, analyzeT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		saveT += run("sh", "-c", save, image)
		analyzeT += run(bin, "analyze", "-q", "--format", "json", "-o", os.DevNull, ref)
	}
	b.StopTimer()
	b.ReportMetric(float64(saveT.Milliseconds())/float64(b.N), "save-ms")
	b.ReportMetric(float64(analyzeT.Milliseconds())/float64(b.N), "analyze-ms")
	b.ReportMetric(float64(analyzeT)/float64(saveT), "x-save")
}
