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
	bin := filepath.Join(b.TempDir(), "strata")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("building strata: %v\n%s", err, out)
	}
	run := func(name string, args ...string) time.Duration {
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Env = nil, os.Environ()
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", name, err, out)
		}
		return time.Since(start)
	}
	var saveT, analyzeT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		saveT += run("sh", "-c", `docker save "$0" > /dev/null`, image)
		analyzeT += run(bin, "analyze", "-q", "--format", "json", "-o", os.DevNull, "docker://"+image)
	}
	b.StopTimer()
	b.ReportMetric(float64(saveT.Milliseconds())/float64(b.N), "save-ms")
	b.ReportMetric(float64(analyzeT.Milliseconds())/float64(b.N), "analyze-ms")
	b.ReportMetric(float64(analyzeT)/float64(saveT), "x-save")
}
