package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The two versions of the app strata diff compares, built from
// testdata/e2e/diff-v1 and diff-v2 (their Dockerfiles say what differs).
const (
	e2eDiffV1Ref = "strata-e2e/diff:1"
	e2eDiffV2Ref = "strata-e2e/diff:2"

	e2eDiffAptLists     = "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
	e2eDiffAptListsSize = 150_000
	e2eDiffV1Token      = "strata-e2e-v1-not-a-real-token-0123456789"
	e2eDiffV2Token      = "strata-e2e-v2-not-a-real-token-9876543210"
)

var e2eDiffState struct {
	once sync.Once
	err  error
}

// e2eDiffImages builds both versions once and returns the Docker host.
func e2eDiffImages(t *testing.T) string {
	t.Helper()
	fx := e2eWasteImage(t) // imports the busybox base, strata-e2e/base:1
	e2eDiffState.once.Do(func() { e2eDiffState.err = e2eBuildDiffImages(fx.host) })
	if e2eDiffState.err != nil {
		t.Fatalf("building the diff images: %v", e2eDiffState.err)
	}
	return fx.host
}

func e2eBuildDiffImages(host string) error {
	config := filepath.Join(e2e.tmp, "docker-config")
	for _, v := range []struct{ name, ref string }{{"diff-v1", e2eDiffV1Ref}, {"diff-v2", e2eDiffV2Ref}} {
		dir, err := os.MkdirTemp(e2e.tmp, v.name+"-")
		if err != nil {
			return err
		}
		if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "e2e", v.name))); err != nil {
			return fmt.Errorf("copying the %s context: %w", v.name, err)
		}
		if v.name == "diff-v1" {
			p := filepath.Join(dir, "pkgs", filepath.FromSlash(e2eDiffAptLists))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, e2eText(e2eDiffAptListsSize), 0o644); err != nil {
				return err
			}
		}
		// Modes as the Dockerfiles expect, whatever the checkout gave.
		if err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			mode := os.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			return os.Chmod(p, mode)
		}); err != nil {
			return err
		}
		if _, err := e2eDocker(host, config, "build", "--rm", "--force-rm", "-t", v.ref, dir); err != nil {
			return err
		}
	}
	return nil
}

// e2eDiffDoc is the part of the JSON comparison the tests assert.
type e2eDiffDoc struct {
	SchemaVersion int  `json:"schemaVersion"`
	Identical     bool `json:"identical"`
	Summary       struct {
		TotalBytes struct {
			Old, New, Delta int64
		} `json:"totalBytes"`
		SharedLayers int `json:"sharedLayers"`
	} `json:"summary"`
	Layers []struct {
		Status string `json:"status"`
		Match  string `json:"match"`
		Old    *struct {
			Index   int    `json:"index"`
			Command string `json:"command"`
		} `json:"old"`
		New *struct {
			Index   int    `json:"index"`
			Command string `json:"command"`
		} `json:"new"`
	} `json:"layers"`
	Files struct {
		Changes []struct {
			Path   string   `json:"path"`
			Change string   `json:"change"`
			Fields []string `json:"fields"`
		} `json:"changes"`
	} `json:"files"`
	Packages []struct {
		Name       string `json:"name"`
		Change     string `json:"change"`
		OldVersion string `json:"oldVersion"`
		NewVersion string `json:"newVersion"`
	} `json:"packages"`
	Findings struct {
		New   []struct{ Rule string } `json:"new"`
		Fixed []struct{ Rule string } `json:"fixed"`
	} `json:"findings"`
	Config []struct {
		Field  string `json:"field"`
		Key    string `json:"key"`
		Old    string `json:"old"`
		New    string `json:"new"`
		Change string `json:"change"`
		Masked bool   `json:"masked"`
	} `json:"config"`
	Gate struct {
		Passed bool `json:"passed"`
	} `json:"gate"`
}

// TestE2EDiffTwoVersions compares the two versions straight from the
// Docker Engine and checks every difference, in JSON and in text.
func TestE2EDiffTwoVersions(t *testing.T) {
	host := e2eDiffImages(t)
	env := e2eEnv(t, "DOCKER_HOST="+host)
	r := e2eStrata(t, env, "diff", "docker://"+e2eDiffV1Ref, "docker://"+e2eDiffV2Ref, "--format", "json")
	if r.code != 0 {
		t.Fatalf("strata diff --format json: want exit 0\n%s", r)
	}
	var doc e2eDiffDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("decoding the comparison: %v\n%s", err, e2eClip(r.stdout))
	}
	if doc.SchemaVersion != 1 || doc.Identical {
		t.Errorf("schemaVersion %d, identical %v", doc.SchemaVersion, doc.Identical)
	}

	var pairs []string
	for _, p := range doc.Layers {
		o, n := "-", "-"
		if p.Old != nil {
			o = fmt.Sprintf("%d %s", p.Old.Index, e2eFirstWord(p.Old.Command))
		}
		if p.New != nil {
			n = fmt.Sprintf("%d %s", p.New.Index, e2eFirstWord(p.New.Command))
		}
		pairs = append(pairs, fmt.Sprintf("%s/%s: %s | %s", p.Status, p.Match, o, n))
	}
	wantPairs := []string{
		"shared/diffID: 0 - | 0 -", // the busybox base, imported: no command
		"changed/history: 1 COPY | 1 COPY",
		"changed/history: 2 COPY | 2 COPY",
		"only-new/: - | 3 RUN",
	}
	if d := cmp.Diff(wantPairs, pairs); d != "" {
		t.Errorf("layer pairs (-want +got):\n%s", d)
	}

	var files []string
	for _, c := range doc.Files.Changes {
		files = append(files, strings.TrimSpace(c.Change+" "+c.Path+" "+strings.Join(c.Fields, ",")))
	}
	wantFiles := []string{
		"modified /app/config.ini content",
		"removed /app/legacy.txt",
		"added /home",
		"added /home/app",
		"modified /usr/bin/curl content",
		"added /usr/bin/jq",
		"removed /var/lib/apt",
		"removed /var/lib/apt/lists",
		"removed " + e2eDiffAptLists,
		"modified /var/lib/dpkg/status content",
	}
	if d := cmp.Diff(wantFiles, files); d != "" {
		t.Errorf("file changes (-want +got):\n%s", d)
	}

	var pkgs []string
	for _, p := range doc.Packages {
		pkgs = append(pkgs, strings.TrimSpace(fmt.Sprintf("%s %s %s %s", p.Change, p.Name, p.OldVersion, p.NewVersion)))
	}
	wantPkgs := []string{
		"upgraded curl 7.88.1-10+deb12u5 7.88.1-10+deb12u8",
		"added jq  1.6-2.1",
	}
	if d := cmp.Diff(wantPkgs, pkgs); d != "" {
		t.Errorf("packages (-want +got):\n%s", d)
	}

	var fixed, added []string
	for _, f := range doc.Findings.Fixed {
		fixed = append(fixed, f.Rule)
	}
	for _, f := range doc.Findings.New {
		added = append(added, f.Rule)
	}
	slices.Sort(fixed)
	if d := cmp.Diff([]string{"apt-lists", "root-user"}, fixed); d != "" {
		t.Errorf("fixed findings (-want +got):\n%s", d)
	}
	if len(added) != 0 {
		t.Errorf("new findings %v, want none", added)
	}

	var cfg []string
	for _, c := range doc.Config {
		cfg = append(cfg, fmt.Sprintf("%s %s %s: %q → %q masked=%v", c.Change, c.Field, c.Key, c.Old, c.New, c.Masked))
	}
	wantCfg := []string{
		`added user : "" → "1000:1000" masked=false`,
		`changed env API_TOKEN: "str********" → "str********" masked=true`,
		`changed labels version: "1" → "2" masked=false`,
	}
	if d := cmp.Diff(wantCfg, cfg); d != "" {
		t.Errorf("config (-want +got):\n%s", d)
	}
	for _, secret := range []string{e2eDiffV1Token, e2eDiffV2Token} {
		if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
			t.Errorf("the comparison shows the secret %s", secret)
		}
	}
	if doc.Summary.TotalBytes.Delta != doc.Summary.TotalBytes.New-doc.Summary.TotalBytes.Old || doc.Summary.TotalBytes.Delta >= 0 {
		t.Errorf("size %+v: want a shrink (the apt lists are gone)", doc.Summary.TotalBytes)
	}

	// The same in text.
	txt := e2eStrata(t, env, "diff", "docker://"+e2eDiffV1Ref, "docker://"+e2eDiffV2Ref)
	if txt.code != 0 {
		t.Fatalf("strata diff: want exit 0\n%s", txt)
	}
	for _, want := range []string{
		"shared     0 ",
		"only-new ",
		"3 RUN mkdir -p /home/app",
		"(by history, 100% similar)",
		"Files: 3 added (+44 B), 4 removed (-150 kB), 3 modified; net -150 kB",
		"D    -150 kB  " + e2eDiffAptLists,
		"M      +79 B  /var/lib/dpkg/status  content",
		"A      +44 B  /usr/bin/jq",
		"D      -29 B  /app/legacy.txt",
		"M       +1 B  /app/config.ini  content",
		"M        0 B  /usr/bin/curl  content",
		"Packages: 1 added, 1 upgraded",
		"↑ upgraded   curl 7.88.1-10+deb12u5 → 7.88.1-10+deb12u8 [dpkg]",
		"+ added      jq 1.6-2.1 [dpkg]",
		"Findings: 0 new, 2 fixed",
		"fixed MEDIUM   apt-lists",
		"added    user: (none) → 1000:1000",
		"changed  env API_TOKEN: str******** → str******** (secret value changed; masked)",
		"changed  labels version: 1 → 2",
	} {
		if !strings.Contains(txt.stdout, want) {
			t.Errorf("the text comparison lacks %q\n%s", want, txt.stdout)
		}
	}
}

// e2eFirstWord returns the instruction of a command, or "-".
func e2eFirstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return "-"
}

// TestE2EDiffGateAndIdentical checks the gate's exit codes around the real
// growth, an image compared with itself, and the same image from the
// Docker Engine and from a docker save archive.
func TestE2EDiffGateAndIdentical(t *testing.T) {
	host := e2eDiffImages(t)
	env := e2eEnv(t, "DOCKER_HOST="+host)
	v1, v2 := "docker://"+e2eDiffV1Ref, "docker://"+e2eDiffV2Ref

	// v2 → v1 grows by what v2 dropped; read the exact growth first.
	r := e2eStrata(t, env, "diff", v2, v1, "--format", "json")
	if r.code != 0 {
		t.Fatalf("strata diff: want exit 0\n%s", r)
	}
	var doc e2eDiffDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	growth, old := doc.Summary.TotalBytes.Delta, doc.Summary.TotalBytes.Old
	if growth <= 0 {
		t.Fatalf("v2 → v1 grows by %d", growth)
	}
	pct := float64(growth) / float64(old) * 100
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"--max-growth", fmt.Sprint(growth)}, 0},
		{[]string{"--max-growth", fmt.Sprint(growth - 1)}, 1},
		{[]string{"--max-growth", fmt.Sprintf("%.4f%%", pct+0.001)}, 0},
		{[]string{"--max-growth", fmt.Sprintf("%.4f%%", pct-0.001)}, 1},
		{[]string{"--fail-on-new-findings", "medium"}, 1}, // apt-lists and root-user come back
		{[]string{"--fail-on-new-findings", "critical"}, 0},
		{[]string{"--max-growth", "ten"}, 2},
		{[]string{"--fail-on-new-findings", "severe"}, 2},
	} {
		r := e2eStrata(t, env, append([]string{"diff", v2, v1, "-q"}, tt.args...)...)
		if r.code != tt.code {
			t.Errorf("strata diff v2 v1 %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), r.code, tt.code, r)
		}
	}
	if r := e2eStrata(t, env, "diff", v1, "docker://strata-e2e/no-such-image:1", "-q"); r.code != 2 {
		t.Errorf("a missing image: exit %d, want 2\n%s", r.code, r)
	}

	// The same image twice, then from two sources.
	r = e2eStrata(t, env, "diff", v2, v2, "--max-growth", "0")
	if r.code != 0 || !strings.Contains(r.stdout, "The images are identical") {
		t.Errorf("v2 against itself:\n%s", r)
	}
	archive := filepath.Join(t.TempDir(), "v2.tar")
	e2eMustTool(t, e2eWithEnv(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+filepath.Join(e2e.tmp, "docker-config")),
		"docker", "save", "-o", archive, e2eDiffV2Ref)
	r = e2eStrata(t, env, "diff", v2, "docker-archive:"+archive, "--format", "json", "--include-noisy")
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("daemon against archive: %v\n%s", err, r)
	}
	if !doc.Identical || len(doc.Files.Changes) != 0 {
		t.Errorf("the same image from the daemon and from docker save differs:\n%s", e2eClip(r.stdout))
	}
}

// TestE2EDiffBrowserInTmux runs strata diff in a real terminal and drives
// the comparison browser with tmux.
func TestE2EDiffBrowserInTmux(t *testing.T) {
	host := e2eDiffImages(t)
	// CI=true would print the report instead of opening the browser.
	term := e2eStartTerminal(t, e2eEnv(t, "CI", "DIVE_CI", "NO_COLOR", "TERM=xterm-256color", "TMUX", "DOCKER_HOST="+host))
	bin := e2eBinary(t)
	shell := fmt.Sprintf("env -u CI -u DIVE_CI %q diff docker://%s docker://%s; echo STRATA-EXIT=$?; sleep 600", bin, e2eDiffV1Ref, e2eDiffV2Ref)
	term.open(t, "t", shell, 120, 36)
	expect := func(step string, want ...string) { t.Helper(); term.expect(t, "t", step, 30*time.Second, want...) }
	keys := func(k ...string) { t.Helper(); term.keys(t, "t", k...) }
	expect("first screen", "strata diff", "OLD docker://"+e2eDiffV1Ref, "NEW docker://"+e2eDiffV2Ref,
		"Layers  OLD │ NEW  (1 shared)", "[Details]", "Pair:   shared, paired by diffID", "-   -150 kB", "config.ini")
	// Keys typed together (held keys, ssh) arrive in one read: each counts.
	term.typed(t, "t", "jjj")
	expect("the only-new layer, three keys typed at once", "Pair:   only-new", "mkdir -p /home/app")
	keys("Tab", "l")
	expect("packages tab", "[Packages 2]", "+ jq 1.6-2.1", "↑ curl")
	keys("l", "l")
	expect("config tab", "[Config 3]", "user added", "(none) → 1000:1000")
	keys("Tab", "s", "g", "j") // by name (the largest changes come first by default), from the top
	expect("files: the info pane shows the file under the cursor", "[Details]", "/app/config.ini", "Change: modified", "OLD:    file")
	keys("?")
	expect("help", "Keys (? or esc to close)", "File tree")
	keys("Escape", "q")
	expect("exit", "STRATA-EXIT=0")
}
