package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// demoDockerfile copies the demo image's Dockerfile into dir.
func demoDockerfile(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "analyzer", "report", "testdata", "demo.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(p, src, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDockerfileFlagAndConfig: --dockerfile on analyze and ci, and the
// dockerfile key of .strata.yaml, put the findings at their lines.
func TestDockerfileFlagAndConfig(t *testing.T) {
	dir := t.TempDir()
	df := demoDockerfile(t, dir)
	demo := demoTar(t)
	aptLine := func(t *testing.T, doc string) string {
		t.Helper()
		var r struct {
			Findings []struct {
				Rule       string `json:"rule"`
				Dockerfile *struct {
					Path string `json:"path"`
					Line int    `json:"line"`
				} `json:"dockerfile"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
		for _, f := range r.Findings {
			if f.Rule == "apt-lists" && f.Dockerfile != nil {
				return filepath.Base(f.Dockerfile.Path) + ":" + strconv.Itoa(f.Dockerfile.Line)
			}
		}
		return ""
	}
	r := runCLI(t, "analyze", "-q", "--format", "json", "--dockerfile", df, demo)
	if r.code != 0 || aptLine(t, r.stdout) != "Dockerfile:4" {
		t.Errorf("analyze --dockerfile: exit %d, apt-lists at %q\n%s", r.code, aptLine(t, r.stdout), r.stderr)
	}
	r = runCLI(t, "analyze", "-q", "--dockerfile", df, demo)
	if !strings.Contains(r.stdout, "/Dockerfile:13,") {
		t.Errorf("text report has no Dockerfile line:\n%s", r.stdout)
	}
	r = runCLI(t, "ci", "-q", "--dockerfile", df, "--report", "markdown="+filepath.Join(dir, "ci.md"), demo)
	md, _ := os.ReadFile(filepath.Join(dir, "ci.md"))
	if !strings.Contains(string(md), "Dockerfile:4, layer 1") {
		t.Errorf("ci Markdown has no Dockerfile line (exit %d):\n%s\n%s", r.code, md, r.stderr)
	}
	cfg := filepath.Join(dir, ".strata.yaml")
	if err := os.WriteFile(cfg, []byte("dockerfile: Dockerfile\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "analyze", "-q", "--format", "json", "--config", cfg, demo)
	if r.code != 0 || aptLine(t, r.stdout) != "Dockerfile:4" {
		t.Errorf("analyze with dockerfile: in the config: exit %d, apt-lists at %q\n%s", r.code, aptLine(t, r.stdout), r.stderr)
	}
}

// TestDockerfileErrors: a bad Dockerfile is an error naming it, exit 2.
func TestDockerfileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "Dockerfile.bad")
	if err := os.WriteFile(bad, []byte("FROM a\nCOPY\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	demo := demoTar(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze", "--dockerfile", filepath.Join(dir, "missing"), demo}, "missing"},
		{[]string{"analyze", "--dockerfile", bad, demo}, "Dockerfile.bad"},
		{[]string{"analyze", "--dockerfile", dir, demo}, "not a regular file"},
		{[]string{"analyze", "--target", "app", demo}, "give it with --dockerfile"},
		{[]string{"analyze", "--dockerfile", demoDockerfile(t, dir), "--target", "nope", demo}, `no stage named "nope"`},
		{[]string{"analyze", "--dockerfile", demoDockerfile(t, dir), "--build-arg", "NOEQUALS", demo}, "NAME=value"},
		{[]string{"fix", demo}, "needs the Dockerfile"},
		{[]string{"fix", "--dockerfile", demoDockerfile(t, dir), "--format", "yaml", demo}, "unknown format"},
		{[]string{"fix", "--dockerfile", demoDockerfile(t, dir), "--fix", "everything", demo}, "unknown group"},
	} {
		r := runCLI(t, append(tc.args, "-q")...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("strata %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
	}
}

// TestFixWrite: --write edits the Dockerfile in place and keeps the original.
func TestFixWrite(t *testing.T) {
	dir := t.TempDir()
	df := demoDockerfile(t, dir)
	orig, _ := os.ReadFile(df)
	r := runCLI(t, "fix", "-q", "--dockerfile", df, "--write", demoTar(t))
	if r.code != 0 {
		t.Fatalf("fix --write: exit %d\n%s", r.code, r.stderr)
	}
	backup, err := os.ReadFile(df + ".orig")
	if err != nil || string(backup) != string(orig) {
		t.Fatalf("backup: %v %q", err, backup)
	}
	got, _ := os.ReadFile(df)
	if !strings.Contains(string(got), "pip install --no-cache-dir -r requirements.txt") || !strings.Contains(string(got), `CMD ["python3", "/app/main.py"]`) {
		t.Errorf("the Dockerfile is not patched:\n%s", got)
	}
	// A second --write refuses to replace the backup.
	r = runCLI(t, "fix", "-q", "--dockerfile", df, "--write", demoTar(t))
	if r.code != 2 || !strings.Contains(r.stderr, ".orig exists") {
		t.Errorf("second --write: exit %d %q", r.code, r.stderr)
	}
}
