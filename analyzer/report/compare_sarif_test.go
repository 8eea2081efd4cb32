package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/report"
	"github.com/stratascan/strata/fixtures"
)

// gatedResult is the app comparison with a gate it fails: any new
// finding, and growth over 1 byte.
func gatedResult(t *testing.T) *compare.Result {
	old, new := analyze(t, fixtures.DiffOldImage()), analyze(t, fixtures.DiffNewImage())
	old.Image.Reference, new.Image.Reference = "app:1", "app:2"
	b, _ := compare.ParseBudget("1B")
	sev := findings.Info
	return mustCompare(t, old, new, compare.Options{Gate: compare.Gate{MaxGrowth: []compare.Budget{b}, FailOnNew: &sev}})
}

// TestComparisonSARIF: the comparison as SARIF validates against the
// schema, with one "new" result per new finding, one "absent" per fixed
// one, and an error per failed gate check.
func TestComparisonSARIF(t *testing.T) {
	r := gatedResult(t)
	var buf bytes.Buffer
	if err := report.WriteComparisonSARIF(&buf, r, report.Tool{Name: "strata", Version: "test"}); err != nil {
		t.Fatal(err)
	}
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
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("the SARIF output does not validate:\n%v", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID        string `json:"ruleId"`
				Level         string `json:"level"`
				BaselineState string `json:"baselineState"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, res := range log.Runs[0].Results {
		switch {
		case strings.HasPrefix(res.RuleID, "diff/"):
			counts["gate"]++
		default:
			counts[res.BaselineState]++
		}
	}
	failed := 0
	for _, c := range r.Gate.Checks {
		if !c.Passed {
			failed++
		}
	}
	if len(r.Findings.New) == 0 || failed == 0 {
		t.Fatalf("the app comparison has %d new findings and %d failed checks: the test exercises too little", len(r.Findings.New), failed)
	}
	if counts["new"] != len(r.Findings.New) || counts["absent"] != len(r.Findings.Fixed) || counts["gate"] != failed {
		t.Errorf("results %v, want %d new, %d absent, %d gate", counts, len(r.Findings.New), len(r.Findings.Fixed), failed)
	}
}

// TestComparisonJUnit: one case per gate check, failed ones as failures,
// and a case listing the new findings.
func TestComparisonJUnit(t *testing.T) {
	r := gatedResult(t)
	var buf bytes.Buffer
	if err := report.WriteComparisonJUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Out string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	failed := 0
	for _, c := range r.Gate.Checks {
		if !c.Passed {
			failed++
		}
	}
	if doc.Tests != len(r.Gate.Checks)+1 || doc.Failures != failed {
		t.Errorf("tests %d failures %d, want %d and %d", doc.Tests, doc.Failures, len(r.Gate.Checks)+1, failed)
	}
	last := doc.Suites[0].Cases[len(doc.Suites[0].Cases)-1]
	for _, f := range r.Findings.New {
		if !strings.Contains(last.Out, f.Rule) {
			t.Errorf("the new-findings case does not list %s", f.Rule)
		}
	}
}
