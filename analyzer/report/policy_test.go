package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/policy"
	"github.com/stratascan/strata/analyzer/report"
)

// evaluated analyses the demo image, replaces its findings by three known
// ones (one failing the gate, one below it, one accepted by a baseline) and
// evaluates a policy whose thresholds partly fail.
func evaluated(t *testing.T) (*analyzer.Analysis, *policy.Result) {
	t.Helper()
	a := *demo(t)
	a.Findings = []findings.Finding{
		{Rule: "secret-file", Category: findings.Secret, Severity: findings.Critical,
			Title: "Private key file in the image", Layer: 2, Instruction: "COPY . /app # with | pipe",
			Paths: []string{"/app/id_rsa", "/app/my key:1.pem"}, PathCount: 2, Bytes: 3243,
			Hint: "Do not COPY keys into the image: use RUN --mount=type=secret,id=key.", Evidence: "RSA private key (-----BEGIN RSA…)",
			References: []string{"CIS-DI-0010"}},
		{Rule: "apt-lists", Category: findings.Cache, Severity: findings.Medium,
			Title: "APT package lists left in the layer", Layer: 1, Instruction: "RUN apt-get update && apt-get install -y curl",
			Paths: []string{"/var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease"}, PathCount: 12, Bytes: 45_000_000,
			Hint: "run `rm -rf /var/lib/apt/lists/*` in the same RUN as `apt-get install`"},
		{Rule: "root-user", Category: findings.Security, Severity: findings.High,
			Title: "The image runs as root", Layer: -1, Hint: "Add USER 10001 at the end of the Dockerfile."},
	}
	c, err := policy.ParseStrata([]byte("lowest-efficiency: 0.99\nhighest-wasted-bytes: 1GB\nhighest-user-wasted-percent: off\nmax-layers: 2\nfail-on: high\n"), ".strata.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := &policy.Baseline{SchemaVersion: policy.BaselineVersion, Metrics: policy.MetricsStrata,
		Findings: []policy.BaselineFinding{{Fingerprint: policy.Fingerprint(a.Findings[2]), Rule: "root-user"}}}
	return &a, policy.Evaluate(&a, c, base)
}

// TestSARIFSchema validates the SARIF output against the SARIF 2.1.0 JSON
// schema (testdata/sarif, from the npm registry: see its README).
func TestSARIFSchema(t *testing.T) {
	a, r := evaluated(t)
	var buf bytes.Buffer
	if err := report.WriteSARIF(&buf, a, r, report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, buf.Bytes())

	// What code-scanning services read.
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string `json:"id"`
						Help struct {
							Text string `json:"text"`
						} `json:"help"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID        string `json:"ruleId"`
				RuleIndex     int    `json:"ruleIndex"`
				Level         string `json:"level"`
				BaselineState string `json:"baselineState"`
				Locations     []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
					LogicalLocations []struct {
						Name string `json:"name"`
					} `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	help := map[string]string{}
	var ids []string
	for _, rule := range run.Tool.Driver.Rules {
		help[rule.ID] = rule.Help.Text
		ids = append(ids, rule.ID)
	}
	if !strings.Contains(help["apt-lists"], "rm -rf /var/lib/apt/lists/*") {
		t.Errorf("apt-lists help = %q, want the hint", help["apt-lists"])
	}
	if help["policy/lowest-efficiency"] == "" {
		t.Errorf("no help for the policy checks: rules %v", ids)
	}
	type res struct{ rule, level, state, uri, logical string }
	var got []res
	for _, x := range run.Results {
		if run.Tool.Driver.Rules[x.RuleIndex].ID != x.RuleID {
			t.Errorf("result %s points at rule %d (%s)", x.RuleID, x.RuleIndex, run.Tool.Driver.Rules[x.RuleIndex].ID)
		}
		l := x.Locations[0]
		got = append(got, res{x.RuleID, x.Level, x.BaselineState, l.PhysicalLocation.ArtifactLocation.URI, l.LogicalLocations[0].Name})
	}
	want := []res{
		{"policy/lowest-efficiency", "error", "", "", "demo"},
		{"policy/max-layers", "error", "", "", "demo"},
		{"policy/fail-on", "error", "", "", "demo"},
		{"secret-file", "error", "new", "app/id_rsa", "layer 2"},
		{"apt-lists", "warning", "new", "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", "layer 1"},
		{"root-user", "error", "unchanged", "", "demo"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(res{})); diff != "" {
		t.Errorf("results differ (-want +got):\n%s", diff)
	}
	if uri := run.Results[3].Locations[1].PhysicalLocation.ArtifactLocation.URI; uri != "app/my%20key:1.pem" {
		t.Errorf("second path's URI = %q", uri)
	}
}

// validateSARIF validates a SARIF log against the SARIF 2.1.0 JSON schema
// (testdata/sarif, from the npm registry: see its README).
func validateSARIF(t *testing.T, b []byte) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("the SARIF output does not validate:\n%v\n%s", err, b)
	}
}

// TestJUnit parses the JUnit output: one test case per check, failures
// with their messages, disabled checks skipped.
func TestJUnit(t *testing.T) {
	a, r := evaluated(t)
	var buf bytes.Buffer
	if err := report.WriteJUnit(&buf, a, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Skipped  int      `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Body    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if doc.Tests != 6 || doc.Failures != 3 || doc.Skipped != 2 || len(doc.Suites) != 1 {
		t.Fatalf("tests %d failures %d skipped %d suites %d; want 6, 3, 2, 1\n%s", doc.Tests, doc.Failures, doc.Skipped, len(doc.Suites), buf.String())
	}
	outcome := map[string]string{}
	for _, c := range doc.Suites[0].Cases {
		switch {
		case c.Failure != nil:
			outcome[c.Name] = "fail: " + c.Failure.Message
		case c.Skipped != nil:
			outcome[c.Name] = "skip: " + c.Skipped.Message
		default:
			outcome[c.Name] = "pass"
		}
		if c.Name == policy.KeyFailOn && (c.Failure == nil || !strings.Contains(c.Failure.Body, "RUN --mount=type=secret")) {
			t.Errorf("the fail-on failure should list the finding with its fix: %+v", c.Failure)
		}
	}
	for name, prefix := range map[string]string{
		"lowest-efficiency": "fail: image efficiency is too low", "highest-wasted-bytes": "pass",
		"highest-user-wasted-percent": "skip: disabled", "max-image-bytes": "skip: disabled",
		"max-layers": "fail: too many layers", "fail-on": "fail: 1 finding",
	} {
		if !strings.HasPrefix(outcome[name], prefix) {
			t.Errorf("%s: %q, want %q…", name, outcome[name], prefix)
		}
	}
}

func TestPolicyText(t *testing.T) {
	a, r := evaluated(t)
	var buf bytes.Buffer
	if err := report.WritePolicyText(&buf, a, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())
}

func TestMarkdown(t *testing.T) {
	t.Run("policy", func(t *testing.T) {
		a, r := evaluated(t)
		var buf bytes.Buffer
		if err := report.WriteMarkdown(&buf, a, r, report.MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		golden.RequireEqual(t, buf.Bytes())
	})
	t.Run("analysis", func(t *testing.T) {
		var buf bytes.Buffer
		if err := report.WriteMarkdown(&buf, demo(t), nil, report.MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		golden.RequireEqual(t, buf.Bytes())
	})
}

func TestPolicyJSON(t *testing.T) {
	a, r := evaluated(t)
	var buf bytes.Buffer
	if err := report.WritePolicyJSON(&buf, a, r, report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary json.RawMessage `json:"summary"`
		Policy  struct {
			Passed bool `json:"passed"`
			Checks []struct {
				Name      string `json:"name"`
				Status    string `json:"status"`
				Threshold any    `json:"threshold"`
				Value     any    `json:"value"`
				Reason    string `json:"reason"`
			} `json:"checks"`
			Findings []struct {
				Rule        string `json:"rule"`
				Fingerprint string `json:"fingerprint"`
				Failing     bool   `json:"failing"`
			} `json:"findings"`
		} `json:"policy"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary == nil || doc.Policy.Passed || len(doc.Policy.Checks) != 6 || len(doc.Policy.Findings) != 3 {
		t.Fatalf("policy section incomplete:\n%s", buf.String())
	}
	c := doc.Policy.Checks[0]
	if c.Name != "lowest-efficiency" || c.Status != "FAIL" || c.Threshold != 0.99 || c.Value == nil || c.Reason == "" {
		t.Errorf("first check = %+v", c)
	}
	if doc.Policy.Findings[0].Fingerprint == "" || !doc.Policy.Findings[0].Failing {
		t.Errorf("first finding = %+v", doc.Policy.Findings[0])
	}
	// The analyze report has no policy section.
	buf.Reset()
	if err := report.WriteJSON(&buf, a, report.Tool{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `"policy"`) {
		t.Error("the analyze report has a policy section")
	}
}
