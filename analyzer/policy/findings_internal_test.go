package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stratascan/strata/analyzer/findings"
)

func sampleFindings() []findings.Finding {
	return []findings.Finding{
		{Rule: "apt-lists", Severity: findings.Medium, Layer: 2, Instruction: "RUN apt-get update && apt-get install -y curl",
			Paths: []string{"/var/lib/apt/lists/a", "/var/lib/apt/lists/b"}, PathCount: 2, Bytes: 100},
		{Rule: "secret-file", Severity: findings.Critical, Layer: 3, Instruction: "COPY file:" + sixtyFour + " in /app/",
			Paths: []string{"/app/.env"}, PathCount: 1, Bytes: 10},
		{Rule: "docs", Severity: findings.Low, Layer: 2, Instruction: "RUN apt-get update && apt-get install -y curl",
			Paths: []string{"/usr/share/doc/curl/README", "/usr/share/man/man1/curl.1"}, PathCount: 40, Bytes: 1000},
		{Rule: "root-user", Severity: findings.High, Layer: -1},
	}
}

const sixtyFour = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestApplyFindings(t *testing.T) {
	c := Default()
	c.Rules = map[string]RuleOverride{"apt-lists": {Off: true}, "docs": {Severity: findings.High}}
	c.IgnorePaths = []string{"/usr/share/doc/**", "/app/.env"}
	got, suppressed := applyFindings(sampleFindings(), c, nil)
	if suppressed != 2 {
		t.Errorf("suppressed = %d, want 2 (apt-lists off, the secret's only path ignored)", suppressed)
	}
	var rules []string
	for _, f := range got {
		rules = append(rules, f.Rule)
	}
	if diff := cmp.Diff([]string{"docs", "root-user"}, rules); diff != "" {
		t.Fatalf("kept findings differ (-want +got):\n%s", diff)
	}
	docs := got[0]
	if docs.Severity != findings.High || !docs.Failing || !docs.New {
		t.Errorf("docs: severity %s failing %v new %v; want high, failing, new", docs.Severity, docs.Failing, docs.New)
	}
	if diff := cmp.Diff([]string{"/usr/share/man/man1/curl.1"}, docs.Paths); diff != "" || docs.PathCount != 39 {
		t.Errorf("docs paths %v (count %d), want the man page and 39", docs.Paths, docs.PathCount)
	}
	if docs.Fingerprint != Fingerprint(sampleFindings()[2]) {
		t.Error("an ignored path changed the fingerprint")
	}
}

// TestFingerprint: stable across rebuilds (layer index, bytes, path order,
// COPY content hash, whitespace, builder), different for another rule,
// instruction or path.
func TestFingerprint(t *testing.T) {
	base := findings.Finding{Rule: "apt-lists", Layer: 2, Bytes: 100, Instruction: "RUN apt-get update &&  apt-get install -y curl",
		Paths: []string{"/b", "/a"}}
	same := []findings.Finding{base, base, base, base, base}
	same[1].Layer, same[1].Bytes = 5, 999
	same[2].Paths = []string{"/a", "/b"}
	same[3].Instruction = "/bin/sh -c apt-get update && apt-get install -y curl"
	same[4].Instruction = "RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit"
	for i, f := range same {
		if Fingerprint(f) != Fingerprint(base) {
			t.Errorf("variant %d changed the fingerprint", i)
		}
	}
	copy1 := findings.Finding{Rule: "r", Instruction: "COPY file:" + sixtyFour + " in /app/"}
	copy2 := copy1
	copy2.Instruction = "COPY file:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210 in /app/"
	if Fingerprint(copy1) != Fingerprint(copy2) {
		t.Error("the build content hash of a COPY changed the fingerprint")
	}
	diff := []findings.Finding{base, base, base}
	diff[0].Rule = "docs"
	diff[1].Instruction = "RUN apt-get install -y wget"
	diff[2].Paths = []string{"/a", "/c"}
	for i, f := range diff {
		if Fingerprint(f) == Fingerprint(base) {
			t.Errorf("difference %d kept the fingerprint", i)
		}
	}
}

// TestBaseline: a baseline accepts exactly the findings it recorded (as a
// multiset) and round-trips through its file.
func TestBaseline(t *testing.T) {
	c := Default()
	c.FailOn = SeverityLimit{Enabled: true, Severity: findings.Low}
	in := sampleFindings()
	first, _ := applyFindings(in, c, nil)
	r := &Result{Config: ConfigInfo{Metrics: MetricsStrata}, Findings: first,
		Checks: []Check{{Name: KeyLowestEfficiency, measured: true, raw: 0.5}}}
	b := NewBaseline(r, "img")
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := writeBytes(path, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	read, err := ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, read); diff != "" {
		t.Fatalf("baseline round trip differs (-want +got):\n%s", diff)
	}

	again := append(sampleFindings(), in[0]) // the same findings, and apt-lists a second time
	again[2].Layer, again[2].Bytes = 7, 5000
	got, _ := applyFindings(again, c, read)
	var fresh []string
	for _, f := range got {
		if f.New {
			fresh = append(fresh, f.Rule)
		}
		if f.Failing != f.New {
			t.Errorf("%s: failing %v, new %v", f.Rule, f.Failing, f.New)
		}
	}
	if diff := cmp.Diff([]string{"apt-lists"}, fresh); diff != "" {
		t.Errorf("new findings differ (-want +got):\n%s", diff)
	}

	if _, err := ReadBaseline(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("a missing baseline is an error")
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := writeBytes(bad, []byte(`{"schemaVersion": 9}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBaseline(bad); err == nil {
		t.Error("an unknown baseline version is an error")
	}
}

func writeBytes(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }
