package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stratascan/strata/fixtures"
)

// cliResult is what one in-process run of strata gave.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs strata in this process, outside CI mode.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	t.Setenv("CI", "")
	t.Setenv("DIVE_CI", "")
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return cliResult{code, out.String(), errb.String()}
}

// demoTar is the demo image, an archive whose findings are known.
func demoTar(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "demo", "demo.tar"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// findingRules returns the rule of each finding of a JSON report.
func findingRules(t *testing.T, doc string) []string {
	t.Helper()
	var r struct {
		Findings []struct {
			Rule     string   `json:"rule"`
			Severity string   `json:"severity"`
			Paths    []string `json:"paths"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule+":"+f.Severity)
	}
	return out
}

func TestCLIVersion(t *testing.T) {
	r := runCLI(t, "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "strata ") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("--version: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r2 := runCLI(t, "version")
	if r2.code != 0 || !strings.HasPrefix(r2.stdout, r.stdout) {
		t.Errorf("version: %q does not start with --version's %q", r2.stdout, r.stdout)
	}
	info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/stratascan/strata", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}}}
	tests := []struct {
		linked versionInfo
		info   *debug.BuildInfo
		want   versionInfo
	}{
		{versionInfo{"dev", "none", "unknown"}, info, versionInfo{"v1.2.3", "abc123", "2026-01-02T03:04:05Z"}},
		{versionInfo{"v2.0.0", "fff", "today"}, info, versionInfo{"v2.0.0", "fff", "today"}},
		{versionInfo{"dev", "none", "unknown"}, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, versionInfo{"dev", "none", "unknown"}},
		{versionInfo{"dev", "none", "unknown"}, nil, versionInfo{"dev", "none", "unknown"}},
	}
	for _, tc := range tests {
		if got := versionFrom(tc.linked, tc.info, tc.info != nil); got != tc.want {
			t.Errorf("versionFrom(%v) = %v, want %v", tc.linked, got, tc.want)
		}
	}
}

func TestCLINoArgumentPrintsHelp(t *testing.T) {
	r := runCLI(t)
	if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "Available Commands:") {
		t.Errorf("strata: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestCLIMistypedCommand: a word one or two edits from a command is not
// looked up as an image; a real file of that name still opens.
func TestCLIMistypedCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"anlyze", "img"}, `"analyze"`},
		{[]string{"analyse", "img"}, `"analyze"`},
		{[]string{"dif", "a", "b"}, `"diff"`},
		{[]string{"versoin"}, `"version"`}, //nolint:misspell // a mistyped command: the test checks the suggestion
		{[]string{"extarct", "img", "/etc"}, `"extract"`},
		{[]string{"cj", "img"}, `"ci"`},
		{[]string{"analyz"}, `"analyze"`},
	} {
		r := runCLI(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, "unknown command") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("strata %v: %d %q, want exit 2 suggesting %s", tc.args, r.code, r.stderr, tc.want)
		}
		if strings.Contains(r.stderr, "registry") || strings.Contains(r.stderr, "daemon") {
			t.Errorf("strata %v looked for an image: %q", tc.args, r.stderr)
		}
	}
	// Names far from every command are images, as before.
	for _, word := range []string{"alpine", "go", "nginx"} {
		if s := suggest(newRootCmd(nil, nil), word); len(s) > 0 {
			t.Errorf("%q suggests %v", word, s)
		}
	}
	// A file named like a typo is an image.
	os.WriteFile("anlyze", []byte("not an image"), 0o644)
	if r := runCLI(t, "anlyze"); strings.Contains(r.stderr, "unknown command") {
		t.Errorf("an existing file was taken for a command: %q", r.stderr)
	}
}

// TestCLIFormats: -f is --format, and every command that writes a report
// writes every format.
func TestCLIFormats(t *testing.T) {
	demo := demoTar(t)
	dir := t.TempDir()
	starts := map[string]string{"text": "", "json": "{", "markdown": "", "html": "<!DOCTYPE html>", "sarif": "{", "junit": "<?xml"}
	check := func(args []string, format string) {
		t.Helper()
		r := runCLI(t, append(args, "-q", "-f", format)...)
		if r.code != 0 && r.code != 1 {
			t.Errorf("%v -f %s: exit %d: %s", args, format, r.code, r.stderr)
			return
		}
		if r.stdout == "" || !strings.HasPrefix(r.stdout, starts[format]) {
			t.Errorf("%v -f %s: stdout starts %q", args, format, r.stdout[:min(len(r.stdout), 40)])
		}
	}
	for _, f := range analyzeFormats {
		check([]string{"analyze", demo}, f)
	}
	for _, f := range ciFormats {
		check([]string{"ci", demo}, f)
	}
	for _, f := range diffFormats {
		check([]string{"diff", demo, demo}, f)
	}
	for _, cmd := range [][]string{{"analyze", demo}, {"ci", demo}, {"diff", demo, demo}} {
		r := runCLI(t, append(cmd, "-q", "-f", "yaml", "-o", filepath.Join(dir, "x"))...)
		if r.code != 2 || !strings.Contains(r.stderr, `--format "yaml"`) {
			t.Errorf("%v -f yaml: %d %q", cmd, r.code, r.stderr)
		}
	}
}

// TestCLIEnvironment: STRATA_<FLAG> sets a flag the command line does not;
// the command line wins; a bad value names the variable.
func TestCLIEnvironment(t *testing.T) {
	demo := demoTar(t)
	t.Setenv("STRATA_FORMAT", "json")
	t.Setenv("STRATA_QUIET", "true")
	r := runCLI(t, "analyze", demo)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "{") || r.stderr != "" {
		t.Errorf("STRATA_FORMAT=json STRATA_QUIET=true: %d, stdout %.20q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "analyze", demo, "--format", "markdown")
	if r.code != 0 || strings.HasPrefix(r.stdout, "{") {
		t.Errorf("--format markdown lost to STRATA_FORMAT: %.20q", r.stdout)
	}
	t.Setenv("STRATA_BASE_LAYERS", "many")
	r = runCLI(t, "analyze", demo)
	if r.code != 2 || !strings.Contains(r.stderr, "STRATA_BASE_LAYERS") {
		t.Errorf("STRATA_BASE_LAYERS=many: %d %q", r.code, r.stderr)
	}
}

// TestCLIConfigEverywhere: .strata.yaml (found, or given by --config or
// STRATA_CONFIG) turns rules off, changes severities and drops ignored
// paths in analyze, diff and the text report the browser falls back to.
func TestCLIConfigEverywhere(t *testing.T) {
	demo := demoTar(t)
	dir := t.TempDir()
	t.Chdir(dir)
	base := findingRules(t, runCLI(t, "analyze", demo, "-q", "-f", "json").stdout)
	if !slices.Contains(base, "apt-lists:medium") || !slices.Contains(base, "env-file:high") || !slices.Contains(base, "pip-cache:medium") {
		t.Fatalf("the demo's findings changed: %v", base)
	}
	cfg := "rules:\n  apt-lists: off\n  env-file: low\nignore-paths:\n  - '/root/.cache/pip/**'\n"
	os.WriteFile(".strata.yaml", []byte(cfg), 0o644)
	check := func(what string, rules []string) {
		t.Helper()
		if slices.Contains(rules, "apt-lists:medium") || !slices.Contains(rules, "env-file:low") || slices.Contains(rules, "pip-cache:medium") {
			t.Errorf("%s: the configuration was not applied: %v", what, rules)
		}
	}
	check("analyze", findingRules(t, runCLI(t, "analyze", demo, "-q", "-f", "json").stdout))
	r := runCLI(t, "analyze", demo, "-f", "json")
	if !strings.Contains(r.stderr, "configuration: .strata.yaml") {
		t.Errorf("analyze does not say which configuration it read: %q", r.stderr)
	}
	text := runCLI(t, demo, "-q").stdout // no terminal: the text report
	if strings.Contains(text, "apt-lists") || !strings.Contains(text, "env-file") {
		t.Errorf("strata IMAGE without a terminal ignores the configuration")
	}
	os.Rename(".strata.yaml", "other.yaml")
	check("analyze --config", findingRules(t, runCLI(t, "analyze", demo, "-q", "-f", "json", "--config", "other.yaml").stdout))
	t.Setenv("STRATA_CONFIG", "other.yaml")
	check("STRATA_CONFIG", findingRules(t, runCLI(t, "analyze", demo, "-q", "-f", "json").stdout))
	var diff struct {
		Findings struct {
			New []json.RawMessage `json:"new"`
		} `json:"findings"`
	}
	_ = diff
	for _, args := range [][]string{{"version"}, {"extract", demo, "/nope"}, {"diff", demo, demo, "-q"}, {"ci", demo, "-q"}} {
		r := runCLI(t, append(args, "--config", "missing.yaml")...)
		if r.code != 2 || !strings.Contains(r.stderr, "missing.yaml") {
			if args[0] != "version" && args[0] != "extract" {
				t.Errorf("%v --config missing.yaml: %d %q", args, r.code, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "unknown flag") {
			t.Errorf("%v has no --config: %q", args, r.stderr)
		}
	}
}

// TestCLICompletions: flag values and IMAGE files are completed.
func TestCLICompletions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"analyze", "x", "--format", ""}, analyzeFormats},
		{[]string{"ci", "x", "-f", ""}, ciFormats},
		{[]string{"diff", "a", "b", "--format", ""}, diffFormats},
		{[]string{"analyze", "x", "--source", ""}, sourceList},
		{[]string{"ci", "x", "--fail-on", ""}, []string{"info", "low", "medium", "high", "critical", "off"}},
		{[]string{"x", "--platform", ""}, commonPlatforms},
	} {
		r := runCLI(t, append([]string{"__complete"}, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		got := lines[:len(lines)-1]
		if !slices.Equal(got, tc.want) {
			t.Errorf("completing %v: %v, want %v", tc.args, got, tc.want)
		}
		if lines[len(lines)-1] != ":4" {
			t.Errorf("completing %v: directive %s, want :4 (no files)", tc.args, lines[len(lines)-1])
		}
	}
	for _, args := range [][]string{{""}, {"analyze", ""}, {"ci", ""}, {"diff", "a", ""}, {"extract", ""}} {
		r := runCLI(t, append([]string{"__complete"}, args...)...)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if last := lines[len(lines)-1]; last != ":0" {
			t.Errorf("completing IMAGE after %v: directive %s, want :0 (files)", args, last)
		}
	}
}

// TestCLIOutputChecks: outputs that would destroy an input or each other
// are refused with exit 2 before the image is read.
func TestCLIOutputChecks(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "img.tar")
	b, _ := os.ReadFile(demoTar(t))
	os.WriteFile(img, b, 0o644)
	for _, args := range [][]string{
		{"analyze", img, "-o", img},
		{"analyze", "docker-archive:" + img, "-o", img},
		{"ci", img, "-o", filepath.Join(dir, "r"), "--report", "json=" + filepath.Join(dir, "r")},
		{"ci", img, "--report", "json=-"},
		{"ci", img, "--write-baseline", img},
		{"diff", img, img, "-o", img},
		{"analyze", img, "-o", dir + "/"},
	} {
		r := runCLI(t, args...)
		if r.code != 2 || strings.Contains(r.stderr, "analysing") || strings.Contains(r.stderr, "layers") {
			t.Errorf("%v: exit %d, stderr %q: want exit 2 before any work", args, r.code, r.stderr)
		}
	}
	if got, _ := os.ReadFile(img); !bytes.Equal(got, b) {
		t.Error("the image was changed")
	}
}

// TestCLIExtract: strata extract writes a path as of a layer and refuses
// what it cannot use with exit 2.
func TestCLIExtract(t *testing.T) {
	im := fixtures.Image{Layers: []fixtures.Layer{
		{CreatedBy: "base", Entries: []fixtures.Entry{
			fixtures.Dir("etc/"), fixtures.File("etc/os-release", "ID=demo\n"),
			fixtures.File("etc/old.conf", "old"),
		}},
		{CreatedBy: "app", Entries: []fixtures.Entry{
			fixtures.Dir("app/"), fixtures.File("app/run.sh", "#!/bin/sh\n").WithMode(0o755),
			fixtures.Symlink("app/escape", "../../../etc/passwd"),
			fixtures.Hardlink("app/os", "etc/os-release"),
			fixtures.Whiteout("etc/old.conf"),
		}},
	}}
	v1img, err := fixtures.Build(im, fixtures.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "img.tar")
	if err := fixtures.WriteDockerArchive(img, "x:1", v1img); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)

	r := runCLI(t, "extract", img, "/app", "-C", out, "-q")
	if r.code != 0 {
		t.Fatalf("extract /app: %d %s", r.code, r.stderr)
	}
	if want := "extracted /app (layer 1) to " + filepath.Join(out, "app") + ": 2 files, 1 directory, 0 links; skipped 1 (link out of the directory: 1)\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if !strings.Contains(r.stderr, "skipped /app/escape: link out of the directory") {
		t.Errorf("stderr does not list the skipped link: %q", r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "app", "os")); string(b) != "ID=demo\n" {
		t.Errorf("app/os = %q: the hard link to a lower layer lost its content", b)
	}
	if st, err := os.Stat(filepath.Join(out, "app", "run.sh")); err != nil || st.Mode().Perm()&0o100 == 0 {
		t.Errorf("run.sh lost its executable bit: %v", err)
	}
	r = runCLI(t, "extract", img, "etc/old.conf", "--layer", "0", "-C", out, "-q")
	if b, _ := os.ReadFile(filepath.Join(out, "old.conf")); r.code != 0 || string(b) != "old" {
		t.Errorf("extract --layer 0 old.conf: %d %q %q", r.code, r.stderr, b)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"/etc/old.conf"}, "not in " + img + " as of layer 1 (it is there after layer 0: --layer 0)"},
		{[]string{"/nope"}, "/nope: no such path"},
		{[]string{"/etc", "--layer", "2"}, "--layer 2: " + img + " has 2 layers"},
		{[]string{"/etc", "--layer", "-3"}, "--layer -3"},
		{[]string{"/etc", "-C", filepath.Join(dir, "missing")}, "-C " + filepath.Join(dir, "missing")},
		{[]string{"/etc", "-C", img}, "not a directory"},
	} {
		args := append([]string{"extract", img}, tc.args...)
		if !slices.Contains(tc.args, "-C") {
			args = append(args, "-C", out)
		}
		r := runCLI(t, append(args, "-q")...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("extract %v: %d %q, want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestCLITextReport: the text report fits $COLUMNS (80 without it, as in a
// pipe), and --severity and --top shape it; they refuse other formats.
func TestCLITextReport(t *testing.T) {
	demo := demoTar(t)
	for _, cols := range []string{"", "60", "120"} {
		t.Setenv("COLUMNS", cols)
		r := runCLI(t, "analyze", demo, "-q")
		width := 80
		if cols != "" {
			width, _ = strconv.Atoi(cols)
		}
		for _, l := range strings.Split(r.stdout, "\n") {
			if utf8.RuneCountInString(l) > width {
				t.Errorf("COLUMNS=%q: a line of %d columns: %q", cols, utf8.RuneCountInString(l), l)
			}
		}
	}
	t.Setenv("COLUMNS", "")
	for _, l := range strings.Split(runCLI(t, "ci", demo, "-q").stdout, "\n") {
		if utf8.RuneCountInString(l) > 80 {
			t.Errorf("strata ci: a line of %d columns: %q", utf8.RuneCountInString(l), l)
		}
	}
	r := runCLI(t, "analyze", demo, "-q", "--severity", "high")
	if r.code != 0 || !strings.Contains(r.stdout, "cloud-credentials") || strings.Contains(r.stdout, "] MEDIUM") || !strings.Contains(r.stdout, "below high not shown") {
		t.Errorf("--severity high: %d\n%s", r.code, r.stdout)
	}
	r = runCLI(t, "analyze", demo, "-q", "--top", "2")
	if !strings.Contains(r.stdout, "Largest wasted paths (13 in all)") || regexp.MustCompile(`(?m)^  \S+ kB\s+/app/tmp/build.log`).MatchString(r.stdout) {
		t.Errorf("--top 2 lists more than two wasted paths:\n%s", r.stdout)
	}
	for _, args := range [][]string{{"--severity", "urgent"}, {"--top", "0"}, {"--severity", "high", "-f", "json"}, {"--top", "3", "-f", "markdown"}} {
		r := runCLI(t, append([]string{"analyze", demo, "-q"}, args...)...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("%v: %d %q", args, r.code, r.stderr)
		}
	}
	r = runCLI(t, "__complete", "analyze", "x", "--severity", "")
	if !strings.HasPrefix(r.stdout, "info\nlow\nmedium\nhigh\ncritical\n:4") {
		t.Errorf("--severity completion: %q", r.stdout)
	}
}

// TestCLIFixOutputs: strata fix has -f, and refuses -o naming its
// Dockerfile or image before any work.
func TestCLIFixOutputs(t *testing.T) {
	dir := t.TempDir()
	dockerfile := filepath.Join(dir, "Dockerfile")
	os.WriteFile(dockerfile, []byte("FROM scratch\n"), 0o644)
	demo := demoTar(t)
	for _, args := range [][]string{
		{"fix", demo, "--dockerfile", dockerfile, "-o", dockerfile},
		{"fix", demo, "--dockerfile", dockerfile, "-o", demo},
		{"fix", demo, "--dockerfile", dockerfile, "-f", "yaml"},
	} {
		r := runCLI(t, append(args, "-q")...)
		if r.code != 2 || strings.Contains(r.stderr, "unknown shorthand") {
			t.Errorf("%v: %d %q", args, r.code, r.stderr)
		}
	}
	if b, _ := os.ReadFile(dockerfile); string(b) != "FROM scratch\n" {
		t.Errorf("the Dockerfile was changed: %q", b)
	}
}
