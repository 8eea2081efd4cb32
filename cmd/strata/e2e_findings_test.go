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

	"github.com/google/go-cmp/cmp"
)

// The findings images: a realistic bad Dockerfile and the same app fixed as
// strata's hints say (testdata/e2e/bad and testdata/e2e/fixed), both built
// with the legacy builder on the busybox base of the waste test, with
// stand-ins for apt-get and pip (testdata/e2e/bad/tools).
const (
	e2eFindingsBaseRef  = "strata-e2e/findings-base:1"
	e2eFindingsBadRef   = "strata-e2e/findings-bad:1"
	e2eFindingsFixedRef = "strata-e2e/findings-fixed:1"
)

// The secrets planted in the bad image; no report may show one whole.
const (
	e2ePlantedEnv    = "sk-e2e-planted-0123456789abcdef" // ENV API_KEY in the Dockerfile
	e2ePlantedDotenv = "dotenv-planted-s3cr3t-4242"
	e2ePlantedKey    = "MIIEpAIBAAKCAQEA0planted0e2e0key0body0Zm9yIHN0cmF0YSB0ZXN0cw"
)

// The sizes the stand-in tools write (testdata/e2e/bad/tools).
const (
	e2eAptLists  = 300_000 + 150_000
	e2eDeb       = 100_000
	e2ePkgcache  = 60_000
	e2eGcc       = 800_000
	e2eMake      = 200_000
	e2ePipCache  = 400_000 + 200_000
	e2eGitPack   = 50_000
	e2eGitIndex  = 5_000
	e2eGitHeader = "ref: refs/heads/main\n"
)

// e2eFindingsFiles are the files the test writes into both build contexts,
// besides those in testdata: the secrets and the build-context junk.
func e2eFindingsFiles() map[string][]byte {
	return map[string][]byte{
		"deploy_key":                   []byte("-----BEGIN RSA PRIVATE KEY-----\n" + e2ePlantedKey + "\n-----END RSA PRIVATE KEY-----\n"),
		"app/.env":                     []byte("APP_NAME=demo\nAPI_TOKEN=" + e2ePlantedDotenv + "\n"),
		"app/.git/HEAD":                []byte(e2eGitHeader),
		"app/.git/objects/pack/p.pack": e2eText(e2eGitPack),
		"app/.git/index":               e2eText(e2eGitIndex),
	}
}

var e2eFindingsState struct {
	once sync.Once
	host string
	err  error
}

// e2eFindingsImages builds the findings base, the bad and the fixed images
// once per test process and returns the Docker host holding them.
func e2eFindingsImages(t *testing.T) string {
	t.Helper()
	fx := e2eWasteImage(t) // the busybox base, strata-e2e/base:1
	e2eFindingsState.once.Do(func() {
		e2eFindingsState.host = fx.host
		e2eFindingsState.err = e2eBuildFindings(fx.host)
	})
	if e2eFindingsState.err != nil {
		t.Fatalf("building the findings images: %v", e2eFindingsState.err)
	}
	return e2eFindingsState.host
}

// e2eBuildFindings builds the three images from fresh contexts.
func e2eBuildFindings(host string) error {
	config := filepath.Join(e2e.tmp, "docker-config")
	build := func(name, ref, dockerfile string, mode os.FileMode) error {
		dir, err := os.MkdirTemp(e2e.tmp, "findings-"+name+"-")
		if err != nil {
			return err
		}
		if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "e2e", name))); err != nil {
			return fmt.Errorf("copying the %s context: %w", name, err)
		}
		if name == "fixed" {
			// The same app as the bad image.
			if err := os.CopyFS(filepath.Join(dir, "app"), os.DirFS(filepath.Join("testdata", "e2e", "bad", "app"))); err != nil {
				return err
			}
		}
		for p, b := range e2eFindingsFiles() {
			full := filepath.Join(dir, p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(full, b, 0o644); err != nil {
				return err
			}
		}
		// File modes as the context gives them: 0644 in the bad context
		// (fixed later by chmod -R), 0755 in the fixed one.
		if err := filepath.WalkDir(filepath.Join(dir, "app"), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			return os.Chmod(p, mode)
		}); err != nil {
			return err
		}
		for _, tool := range []string{"apt-get", "pip"} {
			if err := os.Chmod(filepath.Join(dir, "tools", tool), 0o755); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		_, err = e2eDocker(host, config, "build", "--rm", "--force-rm", "-f", filepath.Join(dir, dockerfile), "-t", ref, dir)
		return err
	}
	if err := build("bad", e2eFindingsBaseRef, "base.Dockerfile", 0o644); err != nil {
		return err
	}
	if err := build("bad", e2eFindingsBadRef, "Dockerfile", 0o644); err != nil {
		return err
	}
	return build("fixed", e2eFindingsFixedRef, "Dockerfile", 0o755)
}

// e2eFinding is the part of a finding the test reads.
type e2eFinding struct {
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	Layer    int      `json:"layer"`
	Paths    []string `json:"paths"`
	Bytes    int64    `json:"bytes"`
	Evidence string   `json:"evidence"`
}

// e2eFindingsReport is the JSON report with its findings and packages.
type e2eFindingsReport struct {
	e2eReport
	Findings []e2eFinding `json:"findings"`
	Packages []struct {
		Name  string `json:"name"`
		Layer int    `json:"layer"`
	} `json:"packages"`
	Dockerfile struct {
		Steps []struct {
			Instruction string `json:"instruction"`
			Findings    []int  `json:"findings"`
		} `json:"steps"`
	} `json:"dockerfile"`
}

func e2eDecodeFindings(t *testing.T, b []byte) e2eFindingsReport {
	t.Helper()
	var r e2eFindingsReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decoding the JSON report: %v", err)
	}
	return r
}

// e2eExpectedFinding is one finding the bad image must give.
type e2eExpectedFinding struct {
	Rule  string
	Layer int
	Bytes int64
}

// e2eBadFindings are the findings of the bad image, from its Dockerfile's
// comments and the sizes the context and the tools give.
func e2eBadFindings() []e2eExpectedFinding {
	files := e2eFindingsFiles()
	size := func(p string) int64 { return int64(len(files[p])) }
	app := int64(0)
	for _, p := range []string{"app.py", "requirements.txt"} {
		b, _ := os.ReadFile(filepath.Join("testdata", "e2e", "bad", "app", p))
		app += int64(len(b))
	}
	git := size("app/.git/HEAD") + size("app/.git/objects/pack/p.pack") + size("app/.git/index")
	key, env := size("deploy_key"), size("app/.env")
	return []e2eExpectedFinding{
		{"update-alone", 2, 0},
		{"apt-lists", 2, e2eAptLists},
		{"apt-cache", 3, 2*e2eDeb + e2ePkgcache},
		{"build-toolchain", 3, e2eGcc + e2eMake},
		{"private-key", 4, key},
		{"deleted-later", 4, key},
		{"build-context-junk", 6, git},
		{"env-file", 6, 2 * env}, // copied, then stored again by chmod -R
		{"pip-cache", 7, e2ePipCache},
		{"build-context-junk", 8, git},
		{"metadata-only-readd", 8, app + env},
		{"secret-env", -1, 0},
		{"shell-form-cmd", -1, 0},
		{"root-user", -1, 0},
		{"no-healthcheck", -1, 0},
	}
}

// TestE2EFindingsBadImage builds the bad Dockerfile and checks each expected
// finding at its layer with its bytes, the package inventory, the
// reconstructed Dockerfile and that no secret is shown whole.
func TestE2EFindingsBadImage(t *testing.T) {
	host := e2eFindingsImages(t)
	env := e2eEnv(t, "DOCKER_HOST="+host)
	raw := e2eAnalyzeJSON(t, env, "docker://"+e2eFindingsBadRef)
	rep := e2eDecodeFindings(t, raw)

	// Every finding but the info ones about style (consecutive RUNs), whose
	// severity is checked instead.
	var got []e2eExpectedFinding
	for _, f := range rep.Findings {
		if f.Rule == "consecutive-runs" {
			if f.Severity != "info" {
				t.Errorf("consecutive-runs at layer %d is %s, want info", f.Layer, f.Severity)
			}
			continue
		}
		got = append(got, e2eExpectedFinding{f.Rule, f.Layer, f.Bytes})
	}
	want := e2eBadFindings()
	sortFindings := func(fs []e2eExpectedFinding) {
		slices.SortFunc(fs, func(a, b e2eExpectedFinding) int {
			return strings.Compare(fmt.Sprintf("%s/%03d", a.Rule, a.Layer+1), fmt.Sprintf("%s/%03d", b.Rule, b.Layer+1))
		})
	}
	sortFindings(got)
	sortFindings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s\nlayers:\n%s", diff, e2eLayerList(rep.e2eReport))
	}

	// Every byte a finding accounts for is one the fixes remove.
	var wantSavings int64
	for _, f := range want {
		if f.Rule != "deleted-later" && f.Rule != "metadata-only-readd" {
			wantSavings += f.Bytes
		}
	}
	// metadata-only-readd's bytes but those of .env, which env-file counts.
	wantSavings += e2eAppBytes(t)
	if rep.Summary.PotentialSavingsBytes != wantSavings {
		t.Errorf("potentialSavingsBytes = %d, want %d (each byte counted once)", rep.Summary.PotentialSavingsBytes, wantSavings)
	}

	var pkgs []string
	for _, p := range rep.Packages {
		pkgs = append(pkgs, fmt.Sprintf("%s@%d", p.Name, p.Layer))
	}
	if diff := cmp.Diff([]string{"build-essential@3", "curl@3"}, pkgs); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	var steps []string
	for _, s := range rep.Dockerfile.Steps {
		steps = append(steps, s.Instruction)
	}
	if !slices.Contains(steps, "ENV API_KEY=sk-********") || !slices.Contains(steps, "RUN apt-get update") {
		t.Errorf("dockerfile steps lack the masked ENV or the update step:\n%s", strings.Join(steps, "\n"))
	}

	text := e2eStrata(t, env, "analyze", "docker://"+e2eFindingsBadRef, "--format", "text")
	if text.code != 0 {
		t.Fatalf("strata analyze --format text:\n%s", text)
	}
	for _, want := range []string{"CRITICAL private-key", "fix:", "Dockerfile (reconstructed", "^ ["} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("the text report lacks %q", want)
		}
	}
	for name, out := range map[string]string{"json": string(raw), "text": text.stdout + text.stderr} {
		for _, secret := range []string{e2ePlantedEnv, e2ePlantedDotenv, e2ePlantedKey} {
			if strings.Contains(out, secret) {
				t.Errorf("the %s report shows a planted secret whole: %q", name, secret)
			}
		}
	}
}

// e2eAppBytes is the size of the app's own files (app.py, requirements.txt),
// stored a second time by the chmod layer.
func e2eAppBytes(t *testing.T) int64 {
	t.Helper()
	var n int64
	for _, p := range []string{"app.py", "requirements.txt"} {
		fi, err := os.Stat(filepath.Join("testdata", "e2e", "bad", "app", p))
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// e2eLayerList renders the layers for failure messages.
func e2eLayerList(r e2eReport) string {
	var b strings.Builder
	for _, l := range r.Layers {
		fmt.Fprintf(&b, "  %d %d %s\n", l.Index, l.SizeBytes, l.Command)
	}
	return b.String()
}

// TestE2EFindingsFixedImage builds the fixed Dockerfile: none of the bad
// image's findings remain, and the image shrinks by at least the potential
// savings the bad image's report announced (within 5%).
func TestE2EFindingsFixedImage(t *testing.T) {
	host := e2eFindingsImages(t)
	env := e2eEnv(t, "DOCKER_HOST="+host)
	bad := e2eDecodeFindings(t, e2eAnalyzeJSON(t, env, "docker://"+e2eFindingsBadRef))
	fixed := e2eDecodeFindings(t, e2eAnalyzeJSON(t, env, "docker://"+e2eFindingsFixedRef))

	fixedRules := map[string]bool{}
	for _, f := range e2eBadFindings() {
		fixedRules[f.Rule] = true
	}
	for _, f := range fixed.Findings {
		if fixedRules[f.Rule] {
			t.Errorf("the fixed image still has %s (layer %d, %d bytes): %s", f.Rule, f.Layer, f.Bytes, f.Evidence)
		}
		if f.Severity != "info" {
			t.Errorf("the fixed image has a %s finding %s at layer %d: %v", f.Severity, f.Rule, f.Layer, f.Paths)
		}
	}
	// Every finding of the bad image that costs bytes is one the fixed
	// Dockerfile fixes, so the savings to expect are the report's total.
	for _, f := range bad.Findings {
		if f.Bytes > 0 && !fixedRules[f.Rule] {
			t.Errorf("the bad image has a finding the fixed one does not address: %s (%d bytes)", f.Rule, f.Bytes)
		}
	}
	savings := bad.Summary.PotentialSavingsBytes
	shrink := bad.Summary.TotalBytes - fixed.Summary.TotalBytes
	t.Logf("bad image %d bytes, fixed image %d bytes: shrank by %d; the bad image's potential savings were %d (%.1f%%)",
		bad.Summary.TotalBytes, fixed.Summary.TotalBytes, shrink, savings, 100*float64(shrink)/float64(savings))
	if float64(shrink) < 0.95*float64(savings) {
		t.Errorf("the fixed image shrank by %d bytes, less than 95%% of the announced savings %d", shrink, savings)
	}
	if float64(shrink) > 1.05*float64(savings)+10_000 {
		t.Errorf("the fixed image shrank by %d bytes, far more than the announced savings %d: a finding is missing", shrink, savings)
	}
}
