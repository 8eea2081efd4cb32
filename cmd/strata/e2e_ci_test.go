package main

// End-to-end tests of the CI gate (strata ci): dive's thresholds on dive's
// own image, configuration errors, and, with the test Docker Engine, a bad
// image that fails, its fixed version that passes, and a baseline that
// accepts today's problems but not a new one.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/stratascan/strata/fixtures"
)

// e2eStrataIn runs the strata binary in dir (where it looks for .strata.yaml
// and .dive-ci).
func e2eStrataIn(t *testing.T, dir string, env []string, args ...string) e2eResult {
	t.Helper()
	cmd, cancel := e2eCmd(env, e2eBinary(t), args...)
	defer cancel()
	cmd.Dir = dir
	r, err := e2eExecute(cmd)
	if err != nil {
		t.Fatalf("strata %s: %v\n%s", strings.Join(args, " "), err, r)
	}
	return r
}

// e2eCIEnv is e2eEnv without the CI variables of the machine running the
// tests, so that each test says whether CI is set.
func e2eCIEnv(t *testing.T, kv ...string) []string {
	t.Helper()
	return e2eEnv(t, append([]string{"CI", "DIVE_CI"}, kv...)...)
}

// e2eDiveImage returns the path of dive's test-docker-image.tar, skipping
// when dive's fixtures are not beside the repository.
func e2eDiveImage(t *testing.T) string {
	t.Helper()
	e2eSkipShort(t)
	return fixtures.Dive(t, "test-docker-image.tar")
}

// e2eCheckLine matches the evaluation line of a check: "  FAIL  name ...".
func e2eCheckLine(status, name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^  ` + status + `\s+` + regexp.QuoteMeta(name) + `\s`)
}

// TestE2ECIDiveThresholds runs strata ci with dive's sample thresholds in a
// .dive-ci on dive's test image: each rule must give dive's outcome
// (EXPECTED.md), and the exit code must follow.
func TestE2ECIDiveThresholds(t *testing.T) {
	img := e2eDiveImage(t)
	const P, F, S = "PASS", "FAIL", "SKIP"
	tests := []struct {
		name, rules string
		want        map[string]string
		code        int
	}{
		{"all three fail", "lowestEfficiency: 0.99\n  highestWastedBytes: 1B\n  highestUserWastedPercent: 0.01",
			map[string]string{"lowestEfficiency": F, "highestWastedBytes": F, "highestUserWastedPercent": F}, 1},
		{"all pass", "lowestEfficiency: 0.9\n  highestWastedBytes: 50kB\n  highestUserWastedPercent: 0.5",
			map[string]string{"lowestEfficiency": P, "highestWastedBytes": P, "highestUserWastedPercent": P}, 0},
		{"only wasted bytes fail", "lowestEfficiency: 0.9\n  highestWastedBytes: 1B\n  highestUserWastedPercent: 0.5",
			map[string]string{"lowestEfficiency": P, "highestWastedBytes": F, "highestUserWastedPercent": P}, 1},
		{"dive's defaults", "plugin1/rule1: error",
			map[string]string{"lowestEfficiency": P, "highestWastedBytes": S, "highestUserWastedPercent": F}, 1},
	}
	env := e2eCIEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			e2eWriteFile(t, filepath.Join(dir, ".dive-ci"), []byte("plugins:\n  - plugin1\nrules:\n  "+tt.rules+"\n"))
			r := e2eStrataIn(t, dir, env, "ci", img)
			if r.code != tt.code {
				t.Fatalf("want exit %d\n%s", tt.code, r)
			}
			for name, status := range tt.want {
				if !e2eCheckLine(status, name).MatchString(r.stdout) {
					t.Errorf("no %q line for %s\n%s", status, name, r)
				}
			}
			if !strings.Contains(r.stdout, "Policy: .dive-ci (dive's rules") {
				t.Errorf("the report does not say it used .dive-ci\n%s", r)
			}
			if !strings.Contains(r.stdout, "efficiency:        98.44 %") {
				t.Errorf("dive's metrics are not the ones shown\n%s", r)
			}
		})
	}

	// dive's own sample file, given with --config, and CI=true / DIVE_CI=true
	// turning `strata IMAGE` into the gate, as in dive.
	sample, err := filepath.Abs(fixtures.Dive(t, "dive-ci.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := e2eStrataIn(t, t.TempDir(), env, "ci", img, "--config", sample)
	if r.code != 0 || !e2eCheckLine(P, "highestWastedBytes").MatchString(r.stdout) {
		t.Errorf("dive's sample .dive-ci should pass on its image\n%s", r)
	}
	for _, ci := range []string{"CI=true", "CI=1", "CI=yes", "DIVE_CI=true"} {
		t.Run("strata IMAGE with "+ci, func(t *testing.T) {
			dir := t.TempDir()
			e2eWriteFile(t, filepath.Join(dir, ".dive-ci"), []byte("rules:\n  highestWastedBytes: 1B\n"))
			r := e2eStrataIn(t, dir, e2eCIEnv(t, ci), img)
			if r.code != 1 || !e2eCheckLine(F, "highestWastedBytes").MatchString(r.stdout) || !strings.Contains(r.stderr, "policy failed") {
				t.Errorf("want the gate to fail on highestWastedBytes with exit 1\n%s", r)
			}
		})
	}
}

// TestE2ECIConfigErrors: a configuration that cannot be used is exit 2, and
// the message names the file and the key.
func TestE2ECIConfigErrors(t *testing.T) {
	img := e2eDiveImage(t)
	env := e2eCIEnv(t)
	tests := []struct {
		name, file, body string
		args             []string
		want             []string
	}{
		{"dive: efficiency above 1", ".dive-ci", "rules:\n  lowestEfficiency: 1.1\n", nil, []string{".dive-ci:2", "rules.lowestEfficiency", "1.1"}},
		{"dive: negative percent", ".dive-ci", "rules:\n  highestUserWastedPercent: -0.1\n", nil, []string{".dive-ci:2", "rules.highestUserWastedPercent", "-0.1"}},
		{"dive: not a number", ".dive-ci", "rules:\n  lowestEfficiency: not_a_number\n", nil, []string{".dive-ci:2", "rules.lowestEfficiency", "not_a_number"}},
		{"dive: not a size", ".dive-ci", "rules:\n  highestWastedBytes: not_a_size\n", nil, []string{".dive-ci:2", "rules.highestWastedBytes", "not_a_size"}},
		{"broken YAML", ".strata.yaml", "lowest-efficiency: [0.9\n", nil, []string{".strata.yaml", "not valid YAML"}},
		{"unknown key", ".strata.yaml", "lowest-efficiency: 0.9\nhighest-wasted-byte: 1MB\n", nil, []string{".strata.yaml:2", "highest-wasted-byte", "unknown key"}},
		{"out of range", ".strata.yaml", "highest-user-wasted-percent: 1.5\n", nil, []string{".strata.yaml:1", "highest-user-wasted-percent", "out of range"}},
		{"unknown severity", ".strata.yaml", "fail-on: urgent\n", nil, []string{".strata.yaml:1", "fail-on", "urgent"}},
		{"flag out of range", ".strata.yaml", "", []string{"--lowest-efficiency", "2"}, []string{"--lowest-efficiency", "out of range"}},
		{"missing --config", "", "", []string{"--config", "nowhere.yaml"}, []string{"nowhere.yaml"}},
		{"missing --baseline", "", "", []string{"--baseline", "nowhere.json"}, []string{"--baseline", "nowhere.json"}},
		{"unknown --report format", "", "", []string{"--report", "pdf=x.pdf"}, []string{"--report", "pdf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "" {
				e2eWriteFile(t, filepath.Join(dir, tt.file), []byte(tt.body))
			}
			r := e2eStrataIn(t, dir, env, append([]string{"ci", img}, tt.args...)...)
			if r.code != 2 {
				t.Fatalf("want exit 2\n%s", r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not name %q\n%s", w, r)
				}
			}
		})
	}
}

// The images of the Docker gate tests (testdata/e2e/ci-bad and ci-fixed; the
// worse image is the bad one plus one more problem).
const (
	e2eCIBadRef   = "strata-e2e/ci-bad:1"
	e2eCIFixedRef = "strata-e2e/ci-fixed:1"
	e2eCIWorseRef = "strata-e2e/ci-worse:1"
)

var e2eCIState struct {
	once sync.Once
	err  error
}

// e2eCIImages builds the bad, fixed and worse images in the test Docker
// Engine, once, and returns the engine's DOCKER_HOST.
func e2eCIImages(t *testing.T) string {
	t.Helper()
	fx := e2eWasteImage(t) // imports the busybox base image the Dockerfiles start from
	e2eCIState.once.Do(func() { e2eCIState.err = e2eBuildCIImages(fx.host) })
	if e2eCIState.err != nil {
		t.Fatalf("building the CI gate's images: %v", e2eCIState.err)
	}
	return fx.host
}

func e2eBuildCIImages(host string) error {
	dir, err := os.MkdirTemp(e2e.tmp, "ci-")
	if err != nil {
		return err
	}
	config := filepath.Join(e2e.tmp, "docker-config")
	bad, err := os.ReadFile(filepath.Join("testdata", "e2e", "ci-bad", "Dockerfile"))
	if err != nil {
		return err
	}
	fixed, err := os.ReadFile(filepath.Join("testdata", "e2e", "ci-fixed", "Dockerfile"))
	if err != nil {
		return err
	}
	// One more problem: an .env file with a password, in a new layer.
	worse := append(append([]byte{}, bad...), []byte("\nCOPY dot-env /app/.env\n")...)
	for _, b := range []struct {
		ref        string
		dockerfile []byte
	}{{e2eCIBadRef, bad}, {e2eCIFixedRef, fixed}, {e2eCIWorseRef, worse}} {
		ctxDir := filepath.Join(dir, strings.NewReplacer("/", "-", ":", "-").Replace(b.ref))
		files := map[string][]byte{
			"Dockerfile":      b.dockerfile,
			"src/main.sh":     append([]byte("#!/bin/sh\necho strata-e2e\n"), e2eText(49974)...),
			"src/lib/util.sh": e2eText(100000),
			"src/lib/data.db": e2eText(120000),
			"src/README":      e2eText(30000),
			"id_rsa":          e2eFakeKey(),
			"dot-env":         []byte("DB_PASSWORD=strata-e2e-not-a-real-password-42\nAWS_SECRET_ACCESS_KEY=strataE2EnotARealSecretKey0123456789ABCD\n"),
		}
		for name, body := range files {
			p := filepath.Join(ctxDir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			// The fixed image's sources already have their final modes;
			// the bad one fixes them with a RUN chmod.
			mode := os.FileMode(0o644)
			if strings.HasPrefix(name, "src/") && b.ref == e2eCIFixedRef {
				mode = 0o755
			}
			if err := os.WriteFile(p, body, mode); err != nil {
				return err
			}
			if err := os.Chmod(p, mode); err != nil {
				return err
			}
		}
		if _, err := e2eDocker(host, config, "build", "--rm", "--force-rm", "-t", b.ref, ctxDir); err != nil {
			return err
		}
	}
	return nil
}

// e2eFakeKey returns a made-up private key: the PEM shape secret scanners
// look for, with a body that is not a key.
func e2eFakeKey() []byte {
	var b bytes.Buffer
	b.WriteString("-----BEGIN OPENSSH PRIVATE KEY-----\n")
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "c3RyYXRhLWUyZS1ub3QtYS1yZWFsLWtleS1zdHJhdGEtZTJlLW5vdC1hLXJlYWwta2V5LSVk%02d\n", i)
	}
	b.WriteString("-----END OPENSSH PRIVATE KEY-----\n")
	return b.Bytes()
}

// e2eCIPolicy is the policy of the Docker gate tests: dive's default
// thresholds on strata's metrics, and findings of high severity fail.
const e2eCIPolicy = "lowest-efficiency: 0.9\nhighest-user-wasted-percent: 0.1\nfail-on: high\n"

// e2eCIDoc is the part of the ci JSON report the tests read.
type e2eCIDoc struct {
	Policy struct {
		Passed bool `json:"passed"`
		Checks []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			Reason string `json:"reason"`
		} `json:"checks"`
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Hint     string `json:"hint"`
			New      bool   `json:"new"`
			Failing  bool   `json:"failing"`
		} `json:"findings"`
	} `json:"policy"`
}

func (d e2eCIDoc) status(check string) string {
	for _, c := range d.Policy.Checks {
		if c.Name == check {
			return c.Status
		}
	}
	return ""
}

// e2eReadCIDoc reads a ci JSON report file.
func e2eReadCIDoc(t *testing.T, path string) e2eCIDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d e2eCIDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// TestE2ECIDockerGate: the bad image fails (exit 1) and says why, in the log
// and in every report; the fixed image passes (exit 0).
func TestE2ECIDockerGate(t *testing.T) {
	host := e2eCIImages(t)
	dir := t.TempDir()
	e2eWriteFile(t, filepath.Join(dir, ".strata.yaml"), []byte(e2eCIPolicy))
	env := e2eCIEnv(t, "DOCKER_HOST="+host)

	r := e2eStrataIn(t, dir, env, "ci", "docker://"+e2eCIBadRef,
		"--report", "json=bad.json", "--report", "sarif=bad.sarif", "--report", "junit=bad.xml", "--report", "markdown=bad.md")
	if r.code != 1 {
		t.Fatalf("the bad image: want exit 1\n%s", r)
	}
	for _, check := range []string{"lowest-efficiency", "highest-user-wasted-percent"} {
		if !e2eCheckLine("FAIL", check).MatchString(r.stdout) {
			t.Errorf("the bad image: no FAIL line for %s\n%s", check, r)
		}
	}
	if !strings.Contains(r.stderr, "strata: policy failed: lowest-efficiency, highest-user-wasted-percent") {
		// the list ends with fail-on when the rule engine reports the secrets
		t.Errorf("stderr does not list the failed checks\n%s", r)
	}
	if !strings.Contains(r.stdout, "Policy: .strata.yaml") || !strings.Contains(r.stdout, "/src/") {
		t.Errorf("the report does not name the policy or the wasted sources\n%s", r)
	}
	doc := e2eReadCIDoc(t, filepath.Join(dir, "bad.json"))
	if doc.Policy.Passed || doc.status("lowest-efficiency") != "FAIL" {
		t.Errorf("bad.json: policy %+v", doc.Policy)
	}
	failed := []string{"lowest-efficiency", "highest-user-wasted-percent"}
	if len(doc.Policy.Findings) > 0 {
		failed = append(failed, "fail-on")
		// The rule engine reports the secrets: they fail the gate, with hints.
		if doc.status("fail-on") != "FAIL" || !e2eCheckLine("FAIL", "fail-on").MatchString(r.stdout) {
			t.Errorf("the key and the token should fail fail-on\n%s", r)
		}
		if !strings.Contains(r.stdout, "fix: ") {
			t.Errorf("the failing findings are listed without their fix\n%s", r)
		}
	}
	e2eValidSARIF(t, filepath.Join(dir, "bad.sarif"))
	e2eJUnitFailures(t, filepath.Join(dir, "bad.xml"), failed...)
	if md, err := os.ReadFile(filepath.Join(dir, "bad.md")); err != nil || !bytes.Contains(md, []byte("| # | Size |")) ||
		!bytes.Contains(md, []byte("❌ FAIL")) {
		t.Errorf("bad.md: %v\n%s", err, md)
	}

	r = e2eStrataIn(t, dir, env, "ci", "docker://"+e2eCIFixedRef, "--format", "junit", "-o", "fixed.xml", "--report", "json=fixed.json")
	if r.code != 0 {
		t.Fatalf("the fixed image: want exit 0\n%s\n%s", r, e2eReadFileString(filepath.Join(dir, "fixed.xml")))
	}
	if doc := e2eReadCIDoc(t, filepath.Join(dir, "fixed.json")); !doc.Policy.Passed {
		t.Errorf("fixed.json: %+v", doc.Policy)
	}
	e2eJUnitFailures(t, filepath.Join(dir, "fixed.xml"))

	// In CI, `strata IMAGE` is the gate.
	r = e2eStrataIn(t, dir, e2eCIEnv(t, "DOCKER_HOST="+host, "CI=true"), "docker://"+e2eCIBadRef)
	if r.code != 1 || !e2eCheckLine("FAIL", "lowest-efficiency").MatchString(r.stdout) {
		t.Errorf("CI=true strata IMAGE: want the gate's failure\n%s", r)
	}
}

// TestE2ECIBaseline: a baseline written for the bad image makes it pass;
// the same image with one more problem fails, naming only what is new.
func TestE2ECIBaseline(t *testing.T) {
	host := e2eCIImages(t)
	dir := t.TempDir()
	e2eWriteFile(t, filepath.Join(dir, ".strata.yaml"), []byte(e2eCIPolicy))
	env := e2eCIEnv(t, "DOCKER_HOST="+host)

	r := e2eStrataIn(t, dir, env, "ci", "docker://"+e2eCIBadRef, "--write-baseline", "baseline.json", "-q")
	if r.code != 0 || !strings.Contains(r.stderr, "baseline written to baseline.json") {
		t.Fatalf("--write-baseline: want exit 0\n%s", r)
	}
	r = e2eStrataIn(t, dir, env, "ci", "docker://"+e2eCIBadRef, "--baseline", "baseline.json", "--report", "json=bad.json")
	if r.code != 0 {
		t.Fatalf("the bad image with its baseline: want exit 0\n%s", r)
	}
	// The text report wraps to 80 columns when it is not a terminal: read
	// its words, not its lines.
	if !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), "accepted by the baseline") {
		t.Errorf("the report does not say the baseline accepted the breaches\n%s", r)
	}
	known := len(e2eReadCIDoc(t, filepath.Join(dir, "bad.json")).Policy.Findings)

	r = e2eStrataIn(t, dir, env, "ci", "docker://"+e2eCIWorseRef, "--baseline", "baseline.json", "--report", "json=worse.json")
	doc := e2eReadCIDoc(t, filepath.Join(dir, "worse.json"))
	if known == 0 && len(doc.Policy.Findings) == 0 {
		t.Fatalf("the rule engine reported no finding on the bad image nor on the worse one, so no new finding can fail the gate\n%s", r)
	}
	if r.code != 1 || doc.status("fail-on") != "FAIL" {
		t.Fatalf("the worse image with the bad one's baseline: want exit 1 on fail-on\n%s", r)
	}
	var fresh []string
	for _, f := range doc.Policy.Findings {
		if f.New {
			fresh = append(fresh, f.Rule)
		}
		if f.Failing && !f.New {
			t.Errorf("a finding the baseline accepted fails: %+v", f)
		}
	}
	if len(fresh) == 0 || len(fresh) >= len(doc.Policy.Findings) {
		t.Errorf("want only the .env's findings new, got new %v of %d\n%s", fresh, len(doc.Policy.Findings), r)
	}
	for _, c := range doc.Policy.Checks {
		if c.Name != "fail-on" && c.Status == "FAIL" {
			t.Errorf("%s fails, but the worse image wastes no more than the bad one: %s", c.Name, c.Reason)
		}
	}
}

// e2eValidSARIF validates a SARIF file against the SARIF 2.1.0 schema
// shipped in analyzer/report/testdata/sarif.
func e2eValidSARIF(t *testing.T, path string) {
	t.Helper()
	schemaFile := filepath.Join("..", "..", "analyzer", "report", "testdata", "sarif", "sarif-schema-2.1.0.json")
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("%s does not validate against the SARIF 2.1.0 schema: %v", path, err)
	}
}

// e2eJUnitFailures parses a JUnit file and checks that exactly the named
// checks failed, among one test case per check.
func e2eJUnitFailures(t *testing.T, path string, failed ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s is not XML: %v", path, err)
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 6 {
		t.Fatalf("%s: want one suite of 6 checks\n%s", path, b)
	}
	want := map[string]bool{}
	for _, f := range failed {
		want[f] = true
	}
	for _, c := range doc.Suites[0].Cases {
		if (c.Failure != nil) != want[c.Name] {
			t.Errorf("%s: test case %s failed = %v, want %v", path, c.Name, c.Failure != nil, want[c.Name])
		}
	}
}

func e2eReadFileString(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// TestE2ECIFindingsImages runs the gate, with its defaults and no
// configuration, on the realistic bad image of the findings tests and on the
// image fixed as the hints say: the bad one fails (exit 1) and lists why,
// the fixed one passes. A baseline written for the bad image makes it pass
// until a new finding appears (the bad image plus a token in a new layer).
func TestE2ECIFindingsImages(t *testing.T) {
	host := e2eFindingsImages(t)
	dir := t.TempDir()
	env := e2eCIEnv(t, "DOCKER_HOST="+host)

	r := e2eStrataIn(t, dir, env, "ci", "docker://"+e2eFindingsBadRef)
	if r.code != 1 {
		t.Fatalf("the bad image: want exit 1\n%s", r)
	}
	for _, want := range []string{"FAIL", "fail-on", "private-key", "apt-lists"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the bad image's report does not mention %q\n%s", want, r)
		}
	}
	if r := e2eStrataIn(t, dir, env, "ci", "docker://"+e2eFindingsFixedRef); r.code != 0 {
		t.Fatalf("the fixed image: want exit 0\n%s", r)
	}

	if r := e2eStrataIn(t, dir, env, "ci", "docker://"+e2eFindingsBadRef, "--write-baseline", "baseline.json", "-q"); r.code != 0 {
		t.Fatalf("--write-baseline: want exit 0\n%s", r)
	}
	if r := e2eStrataIn(t, dir, env, "ci", "docker://"+e2eFindingsBadRef, "--baseline", "baseline.json"); r.code != 0 {
		t.Fatalf("the bad image with its baseline: want exit 0\n%s", r)
	}
	ctx := t.TempDir()
	e2eWriteFile(t, filepath.Join(ctx, "Dockerfile"), []byte("FROM "+e2eFindingsBadRef+"\n"+
		"RUN echo 'token=ghp_"+strings.Repeat("Ab1", 12)+"' > /app/deploy.conf\n"))
	worse := "strata-e2e/findings-worse:1"
	if _, err := e2eDocker(host, filepath.Join(e2e.tmp, "docker-config"), "build", "--rm", "-t", worse, ctx); err != nil {
		t.Fatalf("building %s: %v", worse, err)
	}
	r = e2eStrataIn(t, dir, env, "ci", "docker://"+worse, "--baseline", "baseline.json")
	if r.code != 1 || !strings.Contains(r.stdout, "api-token") {
		t.Fatalf("a new token over the baseline: want exit 1 naming api-token\n%s", r)
	}
}
