package findings_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/fixtures"
)

// allCases are every rule table.
func allCases() []ruleCase {
	return slices.Concat(cacheCases(), wasteCases(), leftoverCases(), secretCases(), securityCases(), configCases())
}

// TestEveryRuleHasTriggerAndGuard makes sure no rule goes untested: each
// has a case that must trigger it and one that must not.
func TestEveryRuleHasTriggerAndGuard(t *testing.T) {
	trigger, guard := map[string]bool{}, map[string]bool{}
	for _, c := range allCases() {
		if len(c.want) > 0 {
			trigger[c.rule] = true
		} else {
			guard[c.rule] = true
		}
	}
	for _, r := range findings.Rules() {
		if !trigger[r.ID] {
			t.Errorf("rule %s has no triggering case", r.ID)
		}
		if !guard[r.ID] {
			t.Errorf("rule %s has no false-positive guard", r.ID)
		}
	}
}

// TestRuleCatalog checks the catalog: unique slugs, a title, a hint, a
// category, and an entry in docs/rules.md.
func TestRuleCatalog(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range findings.Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule id %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.Hint == "" || r.Category == "" {
			t.Errorf("rule %s lacks a title, hint or category: %+v", r.ID, r)
		}
		if !strings.Contains(string(doc), "### `"+r.ID+"`") {
			t.Errorf("docs/rules.md has no section for %s", r.ID)
		}
		if strings.Contains(r.Hint, "copyright") && !strings.Contains(r.Hint, "keep") && !strings.Contains(r.Hint, "Never delete") {
			t.Errorf("rule %s must never advise deleting copyright files: %s", r.ID, r.Hint)
		}
	}
}

// cleanImage is a well-made image: a Debian-like base with its package
// database and docs, an app copied with the right modes, a non-root user, a
// HEALTHCHECK and an exec-form CMD, analysed by a pinned tag.
func cleanImage() fixtures.Image {
	base := baseLayer()
	base.Entries = append(base.Entries,
		fixtures.File("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
		dpkgStatus("base-files", "libc6", "gcc-12-base", "libgcc-s1"),
		file("usr/lib/x86_64-linux-gnu/libc.so.6", 20000),
		file("usr/share/doc/libc6/copyright", 900),
		file("usr/share/doc/libc6/changelog.Debian.gz", 1200),
	)
	return fixtures.Image{Config: cleanConfig(), Layers: []fixtures.Layer{
		base,
		meta("ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D"),
		meta("WORKDIR /app"),
		copyTo("/app", fixtures.Dir("app/"), file("app/server", 30000).WithMode(0o755), file("app/static/index.html", 2000),
			fixtures.File("app/.env.example", "API_TOKEN=changeme\n"), fixtures.File("app/README.md", "Run the task-manager.\n")),
		meta("USER 10001"),
		meta(`HEALTHCHECK &{["CMD" "/app/server" "-health"]}`),
		meta(`CMD ["/app/server"]`),
	}}
}

// TestCleanImage: a well-made image gets nothing above info.
func TestCleanImage(t *testing.T) {
	a := analyze(t, cleanImage(), "registry.example.com/team/app:1.4.2")
	for _, f := range a.Findings {
		if f.Severity > findings.Info {
			t.Errorf("clean image: %s finding %s at layer %d: %s %v", f.Severity, f.Rule, f.Layer, f.Evidence, f.Paths)
		}
	}
}

// TestBaseLayerIsInfo: waste in the base image is the base's, reported as info.
func TestBaseLayerIsInfo(t *testing.T) {
	base := baseLayer()
	base.Entries = append(base.Entries, file("var/lib/apt/lists/x_Packages", 5000))
	a := analyze(t, fixtures.Image{Config: cleanConfig(), Layers: []fixtures.Layer{base}}, "")
	got := findingOf(a.Findings, "apt-lists")
	if got == nil || got.Severity != findings.Info || !strings.Contains(got.Hint, "base image") {
		t.Errorf("apt-lists in the base layer: %+v, want an info finding that names the base image", got)
	}
}

func findingOf(fs []findings.Finding, rule string) *findings.Finding {
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}

// TestSavingsCountEachByteOnce: a file several rules account for counts
// once in the potential savings, and findings are sorted by severity then
// bytes.
func TestSavingsCountEachByteOnce(t *testing.T) {
	env := "API_TOKEN=" + plantedDotenv + "\n"
	a := analyze(t, image(
		copyTo("/app", fixtures.File("app/.env", env), file("app/.git/pack", 7000), file("app/main.py", 1000)),
		run("chmod -R 755 /app", fixtures.File("app/.env", env).WithMode(0o755), file("app/.git/pack", 7000).WithMode(0o755),
			file("app/main.py", 1000).WithMode(0o755)),
	), "")
	// .env: env-file (both copies) and metadata-only-readd (the first);
	// .git/pack: build-context-junk (both copies); main.py: metadata-only-readd.
	want := int64(2*len(env) + 2*7000 + 1000)
	if got := a.Summary.PotentialSavingsBytes; got != want {
		t.Errorf("potential savings = %d, want %d\n%s", got, want, summary(a.Findings))
	}
	if got := a.Summary.EstimatedOptimizedBytes; got != a.Summary.TotalBytes-want {
		t.Errorf("estimated optimized size = %d, want %d", got, a.Summary.TotalBytes-want)
	}
	if !slices.IsSortedFunc(a.Findings, func(x, y findings.Finding) int {
		if x.Severity != y.Severity {
			return int(y.Severity - x.Severity)
		}
		return int(y.Bytes - x.Bytes)
	}) {
		t.Errorf("findings are not sorted by severity, then bytes:%s", summary(a.Findings))
	}
}

// TestRuleOptions turns a rule off and changes another's severity; the
// reconstructed Dockerfile follows.
func TestRuleOptions(t *testing.T) {
	plain := analyze(t, withConfigNoHealth(), "")
	if findingOf(plain.Findings, "no-healthcheck") == nil || findingOf(plain.Findings, "deleted-later") == nil {
		t.Fatalf("the image lacks the findings the test changes:%s", summary(plain.Findings))
	}
	a := analyze(t, withConfigNoHealth(), "", analyzer.WithRuleOptions(findings.Options{
		Disabled: map[string]bool{"no-healthcheck": true},
		Severity: map[string]findings.Severity{"deleted-later": findings.Critical},
	}))
	if len(a.Findings) != len(plain.Findings)-1 {
		t.Errorf("%d findings, want %d (one rule off):%s", len(a.Findings), len(plain.Findings)-1, summary(a.Findings))
	}
	attached := 0
	for _, s := range a.Dockerfile.Steps {
		for _, i := range s.Findings {
			attached++
			if i >= len(a.Findings) || a.Findings[i].Rule == "no-healthcheck" {
				t.Errorf("step %q points at finding %d, which is not in the analysis", s.Instruction, i)
			}
		}
	}
	if attached == 0 {
		t.Error("no finding is attached to a step")
	}
	if findingOf(a.Findings, "no-healthcheck") != nil {
		t.Error("no-healthcheck is disabled but reported")
	}
	if f := findingOf(a.Findings, "deleted-later"); f == nil || f.Severity != findings.Critical || a.Findings[0].Rule != "deleted-later" {
		t.Errorf("deleted-later: %+v, want it first at critical", f)
	}
}

func withConfigNoHealth() fixtures.Image {
	im := image(run("make", file("app/big", 5000)), run("rm /app/big", fixtures.Whiteout("app/big")))
	im.Config.Healthcheck = nil
	return im
}

// TestDockerfile checks the reconstruction: every history step in order,
// layers matched, secrets masked and findings attached to their step.
func TestDockerfile(t *testing.T) {
	im := image(
		meta("ENV API_KEY="+plantedEnvVar),
		run("apt-get update", file("var/lib/apt/lists/x_Packages", 100)),
		meta(`CMD ["/app/server"]`),
	)
	a := analyze(t, im, "")
	type step struct {
		Layer       int
		Instruction string
		Rules       []string
	}
	var got []step
	for _, s := range a.Dockerfile.Steps {
		st := step{Layer: s.Layer, Instruction: s.Instruction}
		for _, i := range s.Findings {
			st.Rules = append(st.Rules, a.Findings[i].Rule)
		}
		slices.Sort(st.Rules)
		got = append(got, st)
	}
	want := []step{
		{0, "ADD file:0a1b2c3d4e5f in /", nil},
		{-1, "ENV API_KEY=sk-********", []string{"secret-env"}},
		{1, "RUN apt-get update", []string{"apt-lists", "update-alone"}},
		{-1, `CMD ["/app/server"]`, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dockerfile (-want +got):\n%s", diff)
	}
	if !a.Dockerfile.HistoryMatched {
		t.Error("historyMatched = false")
	}
}

// TestPackages checks the inventory: dpkg across layers (each package with
// the layer that installed its version), distroless status.d, and apk.
func TestPackages(t *testing.T) {
	status := func(pkgs ...string) fixtures.Entry {
		s := ""
		for _, p := range pkgs {
			name, version, _ := strings.Cut(p, "=")
			s += "Package: " + name + "\nStatus: install ok installed\nVersion: " + version + "\n\n"
		}
		s += "Package: removed-one\nStatus: deinstall ok config-files\nVersion: 1\n\n"
		return fixtures.File("var/lib/dpkg/status", s)
	}
	a := analyze(t, image(
		run("apt-get install -y curl", status("libc6=2.36", "curl=7.88")),
		run("apt-get install -y git && apt-get upgrade -y curl", status("libc6=2.36", "curl=7.89", "git=2.39")),
		copyTo("/var/lib/dpkg/status.d", fixtures.File("var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a\n")),
		run("apk add musl", fixtures.File("lib/apk/db/installed", "C:Q1abc\nP:musl\nV:1.2.4-r2\nA:x86_64\n\nP:busybox\nV:1.36.1-r5\n\n")),
	), "")
	type pkg struct {
		Name, Version, Manager string
		Layer                  int
	}
	var got []pkg
	for _, p := range a.Packages {
		got = append(got, pkg{p.Name, p.Version, p.Manager, p.Layer})
	}
	want := []pkg{
		{"busybox", "1.36.1-r5", "apk", 4}, {"musl", "1.2.4-r2", "apk", 4},
		{"curl", "7.89", "dpkg", 2}, {"git", "2.39", "dpkg", 2}, {"libc6", "2.36", "dpkg", 1}, {"tzdata", "2024a", "dpkg", 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
}
