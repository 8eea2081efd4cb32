package main

import (
	"archive/tar"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// e2eFixBaseTag is the base image of the fix test: busybox and stand-ins for
// apt-get and pip that write the files the real tools write (lists, caches,
// archives) at realistic sizes, built here (no pulls).
const e2eFixBaseTag = "strata-e2e/fix-base:1"

// e2eFixRootfs writes the base image's rootfs tar.
func e2eFixRootfs(t *testing.T, path string) {
	t.Helper()
	busybox, err := os.ReadFile(e2eNeedTool(t, "busybox"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	write := func(h *tar.Header, body []byte) {
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"bin/", "usr/", "usr/bin/", "etc/", "root/", "var/", "var/lib/", "var/lib/apt/", "var/lib/apt/lists/",
		"var/cache/", "var/cache/apt/", "var/cache/apt/archives/"} {
		write(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	}
	write(&tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777}, nil)
	write(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755}, busybox)
	for _, tool := range []string{"sh", "echo", "cat", "head", "mkdir", "rm", "chmod", "chown", "ls", "true"} {
		write(&tar.Header{Name: "bin/" + tool, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}, nil)
	}
	for _, tool := range []string{"apt-get", "pip"} {
		body, err := os.ReadFile(filepath.Join("testdata", "fix", "rootfs", tool))
		if err != nil {
			t.Fatal(err)
		}
		write(&tar.Header{Name: "usr/bin/" + tool, Typeflag: tar.TypeReg, Mode: 0o755}, body)
	}
	write(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644}, []byte("root:x:0:0:root:/root:/bin/sh\n"))
	write(&tar.Header{Name: "etc/group", Typeflag: tar.TypeReg, Mode: 0o644}, []byte("root:x:0:\n"))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// e2eFixPlan is the part of `strata fix --format json` the test reads.
type e2eFixPlan struct {
	Hunks []struct {
		Line     int `json:"line"`
		Findings []struct {
			Rule  string `json:"rule"`
			Layer int    `json:"layer"`
		} `json:"findings"`
		PredictedSavingsBytes int64 `json:"predictedSavingsBytes"`
	} `json:"hunks"`
	Advice []struct {
		Rule string `json:"rule"`
		Line int    `json:"line"`
	} `json:"advice"`
	PredictedSavingsBytes int64 `json:"predictedSavingsBytes"`
}

// TestE2EFixShrinksTheImage is the proof of `strata fix`: a Dockerfile with
// the classic mistakes (an apt update alone, apt lists and caches, a pip
// cache, files deleted by a later RUN, chown -R after COPY, a shell-form CMD)
// is built by the real Docker Engine; strata fix writes a patch; the patch
// applies with patch -p1 and git apply; the patched Dockerfile builds from
// the same context; its CMD prints what it printed before; none of the
// patched findings remain; and the measured saving is within 10 % of the
// predicted one.
func TestE2EFixShrinksTheImage(t *testing.T) {
	e2eSkipShort(t)
	host := e2eNeedEnv(t, e2eVarDockerHost, "Docker Engine")
	cfg := t.TempDir()
	rootfs := filepath.Join(t.TempDir(), "rootfs.tar")
	e2eFixRootfs(t, rootfs)
	if _, err := e2eDocker(host, cfg, "import", rootfs, e2eFixBaseTag); err != nil {
		t.Fatal(err)
	}

	// The context: the Dockerfile and the app's files.
	work := t.TempDir()
	ctx := filepath.Join(work, "ctx")
	in, err := os.ReadFile(filepath.Join("testdata", "fix", "context", "Dockerfile.in"))
	if err != nil {
		t.Fatal(err)
	}
	dockerfile := strings.ReplaceAll(string(in), "BASE", e2eFixBaseTag)
	e2eWriteFile(t, filepath.Join(ctx, "Dockerfile"), []byte(dockerfile))
	e2eWriteFile(t, filepath.Join(ctx, "app", "data.bin"), []byte(strings.Repeat("strata fix e2e data\n", 15000)))
	e2eWriteFile(t, filepath.Join(ctx, "app", "main.txt"), []byte("print hello\n"))

	before, after := "strata-e2e/fix-before:1", "strata-e2e/fix-after:1"
	if _, err := e2eDocker(host, cfg, "build", "--rm", "--force-rm", "--network", "none", "-t", before, ctx); err != nil {
		t.Fatal(err)
	}
	env := e2eEnv(t, "DOCKER_HOST="+host)

	// The patch, run from the directory above the context.
	fixArgs := []string{"fix", "docker://" + before, "--dockerfile", "ctx/Dockerfile", "-q"}
	cmd, cancel := e2eCmd(env, e2eBinary(t), fixArgs...)
	cmd.Dir = work
	r, err := e2eExecute(cmd)
	cancel()
	if err != nil || r.code != 0 {
		t.Fatalf("strata %s: %v\n%s", strings.Join(fixArgs, " "), err, r)
	}
	patch := r.stdout
	t.Logf("strata fix:\n%s\n%s", patch, r.stderr)
	cmd, cancel = e2eCmd(env, e2eBinary(t), append(fixArgs, "--format", "json")...)
	cmd.Dir = work
	r, err = e2eExecute(cmd)
	cancel()
	if err != nil || r.code != 0 {
		t.Fatalf("strata fix --format json: %v\n%s", err, r)
	}
	var plan e2eFixPlan
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatalf("fix JSON: %v\n%s", err, r.stdout)
	}
	patched := map[string]bool{}
	for _, h := range plan.Hunks {
		for _, f := range h.Findings {
			patched[f.Rule] = true
		}
	}
	for _, rule := range []string{"update-alone", "apt-lists", "apt-cache", "pip-cache", "tmp-files", "metadata-only-readd", "shell-form-cmd"} {
		if !patched[rule] {
			t.Errorf("the patch does not fix %s (hunks %+v, advice %+v)", rule, plan.Hunks, plan.Advice)
		}
	}

	// The patch applies with git apply and with patch -p1.
	patchFile := filepath.Join(t.TempDir(), "fix.patch")
	e2eWriteFile(t, patchFile, []byte(patch))
	check := exec.Command("git", "apply", "--check", "--verbose", patchFile)
	check.Dir = work
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("git apply --check: %v\n%s", err, out)
	}
	apply := exec.Command("patch", "-p1", "--forward", "-i", patchFile)
	apply.Dir = work
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("patch -p1: %v\n%s", err, out)
	}

	// The patched Dockerfile builds from the same context.
	if _, err := e2eDocker(host, cfg, "build", "--rm", "--force-rm", "--network", "none", "-t", after, ctx); err != nil {
		t.Fatalf("the patched Dockerfile does not build: %v", err)
	}
	runOut := func(ref string) string {
		out, err := e2eDocker(host, cfg, "run", "--rm", "--network", "none", ref)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if b, a := runOut(before), runOut(after); a != b || b != "hello from app\n" {
		t.Errorf("CMD printed %q before and %q after, want both %q", b, a, "hello from app\n")
	}

	// None of the patched findings remain; the saving is as predicted.
	type report struct {
		Summary  e2eSummary   `json:"summary"`
		Findings []e2eFinding `json:"findings"`
	}
	decode := func(ref string) report {
		var r report
		if err := json.Unmarshal(e2eAnalyzeJSON(t, env, ref), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	old, nw := decode("docker://"+before), decode("docker://"+after)
	for _, f := range nw.Findings {
		if patched[f.Rule] {
			t.Errorf("finding %s (layer %d) remains after the patch", f.Rule, f.Layer)
		}
	}
	measured := old.Summary.TotalBytes - nw.Summary.TotalBytes
	predicted := plan.PredictedSavingsBytes
	t.Logf("total before %d, after %d: measured saving %d, predicted %d (%.2f %%)", old.Summary.TotalBytes, nw.Summary.TotalBytes,
		measured, predicted, 100*float64(measured-predicted)/float64(predicted))
	if predicted <= 0 || math.Abs(float64(measured-predicted)) > 0.10*float64(predicted) {
		t.Errorf("measured saving %d is not within 10 %% of the predicted %d", measured, predicted)
	}
	if want := int64(2650000 + 2150000 + 1600000 + 2000000 + 300000); predicted < want {
		t.Errorf("predicted saving %d, want at least %d (lists, caches, pip, the deleted file, the chown copy)", predicted, want)
	}
}
